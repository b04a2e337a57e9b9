"""Reading what the periodic job precomputed: candidate pools and the ranking model.

Pools are shared by many viewers (a topic, a province, the exploration pool) and change only when
the job runs, so each process keeps what it read for `POOL_TTL_S` seconds: a busy web node reads a
pool from the database a few times a minute, not once per request.
"""

import threading
from collections.abc import Iterable

import orjson
from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.feed.catalog import forget_described
from kilas.feed.engine.model import RankingModel
from kilas.feed.models import FeedModel, FeedPool

POOL_TTL_S = 20
MODEL_TTL_S = 60
Entries = list[tuple[int, float]]

_lock = threading.Lock()  # the web loop and the event processor's thread share the caches
_pools: TTLCache[str, Entries] = TTLCache(maxsize=50_000, ttl=POOL_TTL_S)
_models: TTLCache[str, RankingModel] = TTLCache(maxsize=1, ttl=MODEL_TTL_S)


def encode_entries(entries: Iterable[tuple[int, float]]) -> bytes:
    return orjson.dumps([[item_id, round(score, 4)] for item_id, score in entries])


def decode_entries(data: bytes) -> Entries:
    return [(int(item_id), float(score)) for item_id, score in orjson.loads(data)]


async def read_pools(db: AsyncSession, names: Iterable[str]) -> dict[str, Entries]:
    """The pools by name; a pool the job has not built is empty."""
    wanted = list(dict.fromkeys(names))
    found: dict[str, Entries] = {}
    with _lock:
        for name in wanted:
            entries = _pools.get(name)
            if entries is not None:
                found[name] = entries
    missing = [name for name in wanted if name not in found]
    if missing:
        rows = await db.execute(select(FeedPool.name, FeedPool.entries).where(FeedPool.name.in_(missing)))
        loaded = {name: decode_entries(entries) for name, entries in rows}
        with _lock:
            for name in missing:
                found[name] = _pools[name] = loaded.get(name, [])
    return found


async def current_model(db: AsyncSession) -> RankingModel:
    with _lock:
        model = _models.get("current")
    if model is None:
        weights = await db.scalar(select(FeedModel.weights).order_by(FeedModel.id.desc()).limit(1))
        model = RankingModel.from_json(weights) if weights else RankingModel()
        with _lock:
            _models["current"] = model
    return model


def forget_cached() -> None:
    """After a rebuild in this process: read the new pools, model and video figures at once."""
    with _lock:
        _pools.clear()
        _models.clear()
    forget_described()
