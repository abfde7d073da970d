"""Per-API-key rate limits: a moving window per key, counted by the `limits` library in
Redis (shared by every API replica) or in memory for the embedded single-process default.
A refused request gets 429 with `Retry-After` saying when the window has room again.

The check is the `limits` library's asyncio variant on redis-py's asyncio client: it runs on
the event loop, where the blocking one cost every request a hop to the thread pool and back
(BENCHMARKS.md, *Load*)."""

from __future__ import annotations

import math
import time

from limits import parse, storage
from limits.aio import strategies

from convdiag.problems import RATE_LIMITED
from convdiag.settings import Settings
from service.errors import ProblemError


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.rule = parse(settings.rate_limit) if settings.rate_limit else None
        backend = (
            storage.storage_from_string(f"async+{settings.redis_url}", implementation="redispy")
            if settings.redis_url
            else storage.storage_from_string("async+memory://")
        )
        self.limiter = strategies.MovingWindowRateLimiter(backend)

    async def check(self, key: str) -> None:
        if self.rule is None or await self.limiter.hit(self.rule, "convdiag-api", key):
            return
        reset = (await self.limiter.get_window_stats(self.rule, "convdiag-api", key)).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise ProblemError(
            RATE_LIMITED, f"the limit is {self.rule}; retry in {wait} s", {"Retry-After": str(wait)}
        )
