"""The For You feed's periodic rebuild (kilas.feed.rebuild), on the worker that runs periodic jobs."""

from kilas.cache import RedisCache, create_cache
from kilas.db import utcnow
from kilas.feed.rebuild import rebuild_now
from kilas.jobs import JobContext, job

EVERY_MINUTES = 2


@job("rebuild_feed", every_minutes=EVERY_MINUTES)
async def rebuild_feed(ctx: JobContext) -> None:
    # Every worker's scheduler may queue the same tick: the first to claim it runs it.
    cache = create_cache(ctx.settings.redis_url)
    try:
        tick = int(utcnow().timestamp() // (EVERY_MINUTES * 60))
        if not await cache.add(f"rebuild-feed:{tick}", ttl_s=EVERY_MINUTES * 60 * 2):
            return
    finally:
        if isinstance(cache, RedisCache):
            await cache.close()
    await rebuild_now(ctx.sessionmaker)
