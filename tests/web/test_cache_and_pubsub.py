"""The cache and pub/sub behind their interfaces: in-process embedded, Redis distributed."""

import asyncio
import threading

import httpx

from kilas.cache import create_cache
from kilas.pubsub import create_pubsub
from kilas.settings import Settings
from kilas.videos.service import status_channel
from tests.conftest import Factory


async def test_cache_add_is_first_one_wins_under_concurrency(settings: Settings) -> None:
    cache = create_cache(settings.redis_url)
    results = await asyncio.gather(*[cache.add("view:1:u:7", ttl_s=60) for _ in range(20)])
    assert results.count(True) == 1
    assert await cache.add("view:1:u:8", ttl_s=60) is True
    assert [await cache.incr("hits", ttl_s=60) for _ in range(3)] == [1, 2, 3]
    await cache.set("k", b"v", ttl_s=60)
    assert await cache.get("k") == b"v"
    assert await cache.get("missing") is None


async def test_pubsub_delivers_to_every_subscriber(settings: Settings) -> None:
    pubsub = create_pubsub(settings.redis_url)
    async with pubsub.subscribe("room") as first, pubsub.subscribe("room") as second:
        await pubsub.publish("room", {"n": 1})
        assert await first.get(timeout_s=5) == {"n": 1}
        assert await second.get(timeout_s=5) == {"n": 1}
        assert await first.get(timeout_s=0.2) is None


async def test_pubsub_reaches_a_subscriber_from_another_thread(settings: Settings) -> None:
    """Job workers publish from their own threads and event loops."""
    pubsub = create_pubsub(settings.redis_url)
    async with pubsub.subscribe("video-status:1") as subscription:

        def worker() -> None:
            asyncio.run(create_pubsub(settings.redis_url).publish("video-status:1", {"status": "ready"}))

        thread = threading.Thread(target=worker)
        thread.start()
        message = await subscription.get(timeout_s=5)
        thread.join()
    assert message == {"status": "ready"}


async def test_status_events_stream_the_pipeline_state(
    client: httpx.AsyncClient, factory: Factory, app: object
) -> None:
    owner, stranger = await factory.account("kreator"), await factory.account("asing")
    video = await factory.video(owner, visibility="private")
    url = f"/api/v1/videos/{video['id']}/status-events"
    assert (await client.get(url, headers=stranger.headers)).status_code == 404

    stream = asyncio.create_task(client.get(url, headers=owner.headers))
    # Publish until the stream (subscribed at its own pace, under load) has seen the final message.
    for _ in range(50):
        await asyncio.sleep(0.2)
        if stream.done():
            break
        await app.state.pubsub.publish(status_channel(video["id"]), {"status": "ready", "final": True})  # type: ignore[attr-defined]
    response = await asyncio.wait_for(stream, 10)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [block for block in response.text.split("\n\n") if block.startswith("event: status")]
    assert len(events) == 2  # the state when the stream opened, then the final message that ended it
    assert '"status": "ready"' in events[0] and '"final": true' in events[1]
