"""Per-API-key rate limits: a moving window per key, counted by the `limits` library in
Redis (shared by every API replica) or in memory for the embedded single-process default.
A refused request gets 429 with `Retry-After` saying when the window has room again."""

from __future__ import annotations

import math
import time

from limits import parse, storage, strategies

from convdiag.problems import RATE_LIMITED
from convdiag.settings import Settings
from service.errors import ProblemError


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.rule = parse(settings.rate_limit) if settings.rate_limit else None
        backend = storage.storage_from_string(settings.redis_url or "memory://")
        self.limiter = strategies.MovingWindowRateLimiter(backend)

    def check(self, key: str) -> None:
        if self.rule is None or self.limiter.hit(self.rule, "convdiag-api", key):
            return
        reset = self.limiter.get_window_stats(self.rule, "convdiag-api", key).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        raise ProblemError(
            RATE_LIMITED, f"the limit is {self.rule}; retry in {wait} s", {"Retry-After": str(wait)}
        )
