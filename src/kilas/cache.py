"""A small cache for short-lived facts shared by every web node: in-process by default, Redis when
`KILAS_REDIS_URL` is set. `add` is the atomic "first one wins" used to count a view once per window."""

import threading
import time
from typing import Protocol

import redis.asyncio


class Cache(Protocol):
    async def add(self, key: str, *, ttl_s: int) -> bool:
        """Set `key` if it is absent; True when this call set it."""
        ...

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, *, ttl_s: int) -> None: ...

    async def incr(self, key: str, *, ttl_s: int, amount: int = 1) -> int:
        """Add `amount` to a counter that expires `ttl_s` after it was created; returns the new value."""
        ...

    async def ping(self) -> None: ...


class MemoryCache:
    def __init__(self) -> None:
        self._values: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> tuple[bytes, float] | None:
        entry = self._values.get(key)
        if entry is not None and entry[1] <= now:
            del self._values[key]
            return None
        return entry

    async def add(self, key: str, *, ttl_s: int) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._live(key, now) is not None:
                return False
            self._values[key] = (b"1", now + ttl_s)
            self._sweep(now)
            return True

    async def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._live(key, time.monotonic())
            return entry[0] if entry else None

    async def set(self, key: str, value: bytes, *, ttl_s: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._values[key] = (value, now + ttl_s)
            self._sweep(now)

    async def incr(self, key: str, *, ttl_s: int, amount: int = 1) -> int:
        now = time.monotonic()
        with self._lock:
            entry = self._live(key, now)
            value = int(entry[0]) + amount if entry else amount
            self._values[key] = (str(value).encode(), entry[1] if entry else now + ttl_s)
            return value

    async def ping(self) -> None:
        return None

    def _sweep(self, now: float) -> None:
        """Drop expired entries now and then, so a long-running process does not grow without end."""
        if len(self._values) > 100_000:
            for key in [k for k, (_, expires) in self._values.items() if expires <= now]:
                del self._values[key]


class RedisCache:
    def __init__(self, url: str) -> None:
        self.client = redis.asyncio.Redis.from_url(url)

    async def add(self, key: str, *, ttl_s: int) -> bool:
        return bool(await self.client.set(key, b"1", nx=True, ex=ttl_s))

    async def get(self, key: str) -> bytes | None:
        value = await self.client.get(key)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, *, ttl_s: int) -> None:
        await self.client.set(key, value, ex=ttl_s)

    async def incr(self, key: str, *, ttl_s: int, amount: int = 1) -> int:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incrby(key, amount)
            pipe.expire(key, ttl_s, nx=True)
            value, _ = await pipe.execute()
        return int(value)

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()


def create_cache(redis_url: str) -> Cache:
    return RedisCache(redis_url) if redis_url else MemoryCache()
