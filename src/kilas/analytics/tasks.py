"""The periodic rollup job (every 5 minutes on the worker that runs periodic jobs)."""

from kilas.analytics.rollups import run_rollup
from kilas.cache import RedisCache, create_cache
from kilas.db import utcnow
from kilas.jobs import JobContext, job

EVERY_MINUTES = 5


@job("rollup_engagement", every_minutes=EVERY_MINUTES)
async def rollup_engagement(ctx: JobContext) -> None:
    # Every worker's scheduler may queue the same tick: the first to claim it runs it. Two runs that
    # still overlap (a long catch-up) are harmless: each replaces whole buckets with what it computed.
    cache = create_cache(ctx.settings.redis_url)
    try:
        tick = int(utcnow().timestamp() // (EVERY_MINUTES * 60))
        if not await cache.add(f"rollup-engagement:{tick}", ttl_s=EVERY_MINUTES * 60 * 2):
            return
    finally:
        if isinstance(cache, RedisCache):
            await cache.close()
    await run_rollup(ctx.sessionmaker)
