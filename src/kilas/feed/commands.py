"""`kilas feed-rebuild`: the For You feed's periodic round, now."""

from kilas.db import create_engine, make_sessionmaker
from kilas.feed.rebuild import rebuild_now
from kilas.settings import Settings


async def feed_rebuild(settings: Settings) -> None:
    engine = create_engine(settings.resolved_database_url, pooled=False)
    try:
        result = await rebuild_now(make_sessionmaker(engine))
    finally:
        await engine.dispose()
    print(f"For You feed rebuilt: {result.summary()}.")
