"""Rate limits on writes (signup, login, uploads, comments...), in-process or shared through Redis."""

from functools import cache

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from kilas.errors import RateLimited


class RateLimiter:
    def __init__(self, redis_url: str = "") -> None:
        self.storage: Storage = storage_from_string(redis_url) if redis_url else MemoryStorage()  # type: ignore[assignment]
        # A sliding-window counter: two counters per key whatever the limit, where a moving window
        # keeps one timestamp per hit (costly for generous limits such as event ingest).
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)

    def hit(self, rate: str, *keys: str) -> None:
        """Count one attempt for `keys`; raise RateLimited when over `rate` (e.g. "10/hour")."""
        if not self.limiter.hit(_parsed(rate), *keys):
            raise RateLimited()

    def reset(self) -> None:
        self.storage.reset()


@cache
def _parsed(rate: str) -> RateLimitItem:
    return parse(rate)
