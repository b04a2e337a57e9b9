"""Publish/subscribe for live updates (a video became ready; later, live chat): in-process by default,
Redis when `KILAS_REDIS_URL` is set, so a message published by a worker on one machine reaches a
browser connected to a web node on another."""

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import redis.asyncio

Message = dict[str, Any]


class PubSub(Protocol):
    async def publish(self, channel: str, message: Message) -> None: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager["Subscription"]:
        """`async with pubsub.subscribe(channel) as subscription:` then `await subscription.get()`."""
        ...


class Subscription(Protocol):
    async def get(self, timeout_s: float) -> Message | None:
        """The next message, or None when none came within `timeout_s`."""
        ...


class _QueueSubscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[Message] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()

    async def get(self, timeout_s: float) -> Message | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout_s)
        except TimeoutError:
            return None


class MemoryPubSub:
    """One process: publishers may run in other threads and event loops (job workers)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[_QueueSubscription]] = {}
        self._lock = threading.Lock()

    async def publish(self, channel: str, message: Message) -> None:
        with self._lock:
            subscribers = list(self._subscribers.get(channel, ()))
        for subscriber in subscribers:
            subscriber.loop.call_soon_threadsafe(subscriber.queue.put_nowait, message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_QueueSubscription]:
        subscription = _QueueSubscription()
        with self._lock:
            self._subscribers.setdefault(channel, []).append(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                self._subscribers[channel].remove(subscription)
                if not self._subscribers[channel]:
                    del self._subscribers[channel]


class _RedisSubscription:
    def __init__(self, pubsub: redis.asyncio.client.PubSub) -> None:
        self.pubsub = pubsub

    async def get(self, timeout_s: float) -> Message | None:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
            raw = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=remaining)
            if raw is not None and raw.get("type") == "message":
                return json.loads(raw["data"])
        return None


class RedisPubSub:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = redis.asyncio.Redis.from_url(url)

    async def publish(self, channel: str, message: Message) -> None:
        await self.client.publish(f"kilas:{channel}", json.dumps(message))

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_RedisSubscription]:
        pubsub = self.client.pubsub()
        await pubsub.subscribe(f"kilas:{channel}")
        try:
            yield _RedisSubscription(pubsub)
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()

    async def close(self) -> None:
        await self.client.aclose()


_memory = MemoryPubSub()


def create_pubsub(redis_url: str) -> PubSub:
    """Redis when configured; otherwise the one in-process hub shared by the web app and its job threads."""
    return RedisPubSub(redis_url) if redis_url else _memory
