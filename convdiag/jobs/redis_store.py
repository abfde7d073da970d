"""Job store on Redis: one hash per job (each field JSON), the input beside it, both with
the job's TTL, and a sorted set per tenant for newest-first listing."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ConstantBackoff
from redis.commands.core import AsyncScript
from redis.retry import Retry

from convdiag.jobs.store import WATCHES, DocumentUpdater, JobStore, Record, Updater, _now, watch_entry

PREFIX = "convdiag"
STATS_KEY = f"{PREFIX}:stats"
# Seconds between reconnection attempts while Redis is away (a restart takes a few).
OUTAGE_RETRY_INTERVAL = 0.5


def _job_key(job_id: str) -> str:
    return f"{PREFIX}:job:{job_id}"


def _input_key(job_id: str) -> str:
    return f"{PREFIX}:job:{job_id}:input"


def _report_key(job_id: str) -> str:
    return f"{PREFIX}:job:{job_id}:report"


def _watch_key(watch: str) -> str:
    return f"{PREFIX}:watch:{watch}"


# A new job in one atomic call (one round trip, one command to pack): its hash, its input,
# the tenant's index, the stats and the watch lists. The MULTI pipeline it replaces sent
# 10-25 commands (each duration bucket a HINCRBYFLOAT) from a thread; packing them and
# parsing their replies, and the hop to the thread, cost the API ~0.5 ms a POST
# (docs/benchmarks/load.md). The hash's fields and the stats go as one JSON object each, not
# an argument per name and value: redis-py packs every argument on its own, and a job has
# ~30 of them. A script is as atomic as MULTI, and the AOF logs what it wrote.
# KEYS: job hash, input, tenant index, stats, then the watch lists in WATCHES' order.
# ARGV: ttl, input, job id, created_at, the watch list's 1-based index among WATCHES (0:
# none) and its score, {field: JSON-encoded value}, {stat: amount as a decimal string}
# (strings, so that cjson's 14-digit numbers never round them).
_INSERT = """
local ttl, id = ARGV[1], ARGV[3]
local fields = {}
for name, value in pairs(cjson.decode(ARGV[7])) do
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('SET', KEYS[2], ARGV[2], 'EX', ttl)
redis.call('ZADD', KEYS[3], ARGV[4], id)
redis.call('EXPIRE', KEYS[3], ttl)
for name, amount in pairs(cjson.decode(ARGV[8])) do
  redis.call('HINCRBYFLOAT', KEYS[4], name, amount)
end
for i = 5, #KEYS do
  redis.call('ZREM', KEYS[i], id)
end
local watch = tonumber(ARGV[5])
if watch > 0 then
  redis.call('ZADD', KEYS[4 + watch], ARGV[6], id)
end
return 1
"""


def _insert_call(
    record: Record, payload: bytes, stats: dict[str, float], ttl: int
) -> tuple[list[str], list[Any]]:
    """The KEYS and ARGV of one _INSERT call."""
    job_id = record["id"]
    keys = [_job_key(job_id), _input_key(job_id), _tenant_key(record["tenant"]), STATS_KEY]
    keys += [_watch_key(watch) for watch in WATCHES]
    entry = watch_entry(record)
    watch, score = (WATCHES.index(entry[0]) + 1, entry[1]) if entry else (0, 0)
    amounts = {name: repr(float(amount)) for name, amount in stats.items() if amount}
    fields, increments = json.dumps(_encode(record)), json.dumps(amounts)
    return keys, [ttl, payload, job_id, record["created_at"], watch, score, fields, increments]


def _set_watch(pipe: redis.client.Pipeline, record: Record) -> None:
    """Put the job on the watch list its record calls for (inside the caller's MULTI)."""
    for watch in WATCHES:
        pipe.zrem(_watch_key(watch), record["id"])
    if entry := watch_entry(record):
        pipe.zadd(_watch_key(entry[0]), {record["id"]: entry[1]})


def _tenant_key(tenant: str) -> str:
    return f"{PREFIX}:tenant:{tenant}:jobs"


def _document_key(key: str) -> str:
    return f"{PREFIX}:doc:{key}"


def _encode(fields: Record) -> dict[str, str]:
    return {name: json.dumps(value) for name, value in fields.items()}


def _reply(response: Awaitable[Any] | Any) -> Any:
    """A command's reply. redis-py annotates every command `Awaitable[Any] | Any`, one signature
    for its sync and asyncio clients (redis/redis-py#2399); this store's client is the sync one,
    whose replies are never awaitable."""
    return response


def _decode(raw: dict[bytes, bytes]) -> Record:
    return {name.decode(): json.loads(value) for name, value in raw.items()}


class RedisJobStore(JobStore):
    def __init__(
        self,
        client: redis.Redis,
        ttl_seconds: int,
        open_async: Callable[[], redis.asyncio.Redis] | None = None,
    ) -> None:
        """`open_async` makes an asyncio client to the same server, for the writes made from
        the API's event loop; without it they go through a thread."""
        super().__init__(ttl_seconds)
        self.redis = client
        self._insert_script = client.register_script(_INSERT)
        self._open_async = open_async
        # An asyncio client belongs to the event loop it first ran on: one per loop, with
        # the insert script registered on it.
        self._async: tuple[asyncio.AbstractEventLoop, redis.asyncio.Redis, AsyncScript] | None = None

    @classmethod
    def from_url(cls, url: str, ttl_seconds: int, outage_seconds: float = 0) -> RedisJobStore:
        """`outage_seconds`: how long a command keeps retrying while Redis cannot be reached
        (0: fail at once, as the API wants, to answer 503)."""
        tries = math.ceil(outage_seconds / OUTAGE_RETRY_INTERVAL)
        retry = Retry(ConstantBackoff(OUTAGE_RETRY_INTERVAL), tries)
        options: dict[str, Any] = {"socket_timeout": 5, "socket_connect_timeout": 5}
        client = redis.Redis.from_url(url, retry=retry, **options)

        def open_async() -> redis.asyncio.Redis:
            retry = AsyncRetry(ConstantBackoff(OUTAGE_RETRY_INTERVAL), tries)
            return redis.asyncio.Redis.from_url(url, retry=retry, **options)

        return cls(client, ttl_seconds, open_async)

    def _insert(self, record: Record, payload: bytes, stats: dict[str, float]) -> None:
        keys, args = _insert_call(record, payload, stats, self.ttl_seconds)
        self._insert_script(keys, args)

    async def _ainsert(self, record: Record, payload: bytes, stats: dict[str, float]) -> None:
        script = self._async_insert_script()
        if script is None:
            await super()._ainsert(record, payload, stats)
            return
        keys, args = _insert_call(record, payload, stats, self.ttl_seconds)
        await script(keys, args)

    def _async_insert_script(self) -> AsyncScript | None:
        if self._open_async is None:
            return None
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            client = self._open_async()
            self._async = (loop, client, AsyncScript(client, _INSERT))
        return self._async[2]

    async def aclose(self) -> None:
        held, self._async = self._async, None
        if held is not None and held[0] is asyncio.get_running_loop():
            await held[1].aclose()

    def _read(self, job_id: str) -> Record | None:
        raw = _reply(self.redis.hgetall(_job_key(job_id)))
        return _decode(raw) if raw else None

    def _update(self, job_id: str, updater: Updater) -> Record | None:
        key = _job_key(job_id)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = _reply(pipe.hgetall(key))
                    if not raw:
                        return None
                    record = _decode(raw)
                    change = updater(record)
                    if change is None:
                        return None
                    fields, stats = change
                    pipe.multi()
                    pipe.hset(key, mapping=_encode(fields))
                    for name, amount in stats.items():
                        pipe.hincrbyfloat(STATS_KEY, name, amount)
                    _set_watch(pipe, {**record, **fields})
                    pipe.execute()
                    return {**record, **fields}
                except redis.WatchError:
                    continue  # someone else changed the job between our read and write: reread

    def _page(self, tenant: str, limit: int, before: tuple[float, str] | None) -> list[Record]:
        key = _tenant_key(tenant)
        # Index entries outlive the hashes they point to; drop the expired ones first.
        self.redis.zremrangebyscore(key, "-inf", _now() - self.ttl_seconds)
        records: list[Record] = []
        top: float | str = before[0] if before else "+inf"
        while len(records) < limit:
            # Scores can tie; fetch a few extra and drop what the cursor already returned.
            batch = _reply(
                self.redis.zrange(
                    key, top, "-inf", byscore=True, desc=True, offset=0, num=limit + 16, withscores=True
                )
            )
            if not batch:
                break
            pipe = self.redis.pipeline(transaction=False)
            for member, _ in batch:
                pipe.hgetall(_job_key(member.decode()))
            for (member, score), raw in zip(batch, pipe.execute(), strict=True):
                job_id = member.decode()
                if before is not None and (score, job_id) >= before:
                    continue
                if raw:
                    records.append(_decode(raw))
            if len(batch) < limit + 16:
                break
            top = f"({batch[-1][1]}"  # strictly older than this batch's oldest
            before = None
        return records[:limit]

    def get_input(self, job_id: str) -> bytes | None:
        return _reply(self.redis.get(_input_key(job_id)))

    def delete(self, job_id: str) -> None:
        record = self._read(job_id)
        if record is None:
            return
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(_job_key(job_id), _input_key(job_id))
        pipe.zrem(_tenant_key(record["tenant"]), job_id)
        pipe.hincrbyfloat(STATS_KEY, f"active:{record['status']}", -1)
        for watch in WATCHES:
            pipe.zrem(_watch_key(watch), job_id)
        pipe.execute()

    def watched(self, watch: str, before: float, limit: int) -> list[str]:
        key = _watch_key(watch)
        ids = _reply(self.redis.zrange(key, "-inf", f"({before}", byscore=True, offset=0, num=limit))
        return [job_id.decode() for job_id in ids]

    def forget(self, job_id: str) -> None:
        pipe = self.redis.pipeline(transaction=True)
        for watch in WATCHES:
            pipe.zrem(_watch_key(watch), job_id)
        pipe.execute()

    def get_report(self, job_id: str) -> str | None:
        page = _reply(self.redis.get(_report_key(job_id)))
        return None if page is None else page.decode()

    def put_report(self, job_id: str, page: str, expires_at: float) -> None:
        self.redis.set(_report_key(job_id), page, exat=math.floor(expires_at))  # never past the job

    def get_document(self, key: str) -> dict[str, Any] | None:
        raw = _reply(self.redis.get(_document_key(key)))
        return None if raw is None else json.loads(raw)

    def update_document(self, key: str, updater: DocumentUpdater) -> dict[str, Any]:
        name = _document_key(key)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(name)
                    raw = _reply(pipe.get(name))
                    document = updater(None if raw is None else json.loads(raw))
                    pipe.multi()
                    pipe.set(name, json.dumps(document), ex=self.ttl_seconds)
                    pipe.execute()
                    return document
                except redis.WatchError:
                    continue  # a concurrent append won; redo ours on top of it

    def delete_document(self, key: str) -> None:
        self.redis.delete(_document_key(key))

    def stats(self) -> dict[str, float]:
        return {name.decode(): float(value) for name, value in _reply(self.redis.hgetall(STATS_KEY)).items()}

    def ping(self) -> None:
        self.redis.ping()
