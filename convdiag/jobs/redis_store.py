"""Job store on Redis: one hash per job (each field JSON), the input beside it, both with
the job's TTL, and a sorted set per tenant for newest-first listing."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable
from typing import Any

import redis
from redis.backoff import ConstantBackoff
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
    def __init__(self, client: redis.Redis, ttl_seconds: int) -> None:
        super().__init__(ttl_seconds)
        self.redis = client

    @classmethod
    def from_url(cls, url: str, ttl_seconds: int, outage_seconds: float = 0) -> RedisJobStore:
        """`outage_seconds`: how long a command keeps retrying while Redis cannot be reached
        (0: fail at once, as the API wants, to answer 503)."""
        tries = math.ceil(outage_seconds / OUTAGE_RETRY_INTERVAL)
        retry = Retry(ConstantBackoff(OUTAGE_RETRY_INTERVAL), tries)
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, retry=retry)
        return cls(client, ttl_seconds)

    def _insert(self, record: Record, payload: bytes, stats: dict[str, float]) -> None:
        job_id, ttl = record["id"], self.ttl_seconds
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(_job_key(job_id), mapping=_encode(record))
        pipe.expire(_job_key(job_id), ttl)
        pipe.set(_input_key(job_id), payload, ex=ttl)
        pipe.zadd(_tenant_key(record["tenant"]), {job_id: record["created_at"]})
        pipe.expire(_tenant_key(record["tenant"]), ttl)
        for name, amount in stats.items():
            if amount:
                pipe.hincrbyfloat(STATS_KEY, name, amount)
        _set_watch(pipe, record)
        pipe.execute()

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
