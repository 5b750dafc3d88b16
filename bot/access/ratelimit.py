"""Per-client rate limits (the `limits` package): in memory by default, shared through Redis."""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse, storage, strategies

from bot.errors import RateLimited

log = logging.getLogger(__name__)


class RateLimiter:
    """`check(limit, *key)` raises RateLimited with a Retry-After when a client is over its limit."""

    def __init__(self, redis_url: str | None = None) -> None:
        uri = redis_url or "memory://"
        self._storage = storage.storage_from_string(uri, **({"socket_timeout": 0.5} if redis_url else {}))
        self._limiter = strategies.MovingWindowRateLimiter(self._storage)
        self._parsed: dict[str, RateLimitItem] = {}

    def _item(self, limit: str) -> RateLimitItem:
        if limit not in self._parsed:
            self._parsed[limit] = parse(limit)
        return self._parsed[limit]

    def check(self, limit: str, *key: str, message: str = "Too many requests. Please slow down.") -> None:
        item = self._item(limit)
        try:
            allowed = self._limiter.hit(item, *key)
        except Exception:  # a Redis outage must not take the service down: fail open, loudly
            log.warning("rate-limit storage unavailable; allowing request", exc_info=True)
            return
        if not allowed:
            stats = self._limiter.get_window_stats(item, *key)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            raise RateLimited(message, retry_after=retry_after)

    def reset(self) -> None:
        self._storage.reset()
