import pytest
from sqlalchemy import func, select

from kilas.accounts.models import User
from kilas.db import create_engine, make_sessionmaker
from kilas.demo.seed import seed_demo
from kilas.enums import VideoStatus
from kilas.settings import Settings
from kilas.social.models import Comment, Follow
from kilas.videos.models import Video


@pytest.mark.slow
async def test_demo_seeds_a_living_platform_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=tmp_path, jobs_mode="inline", demo_videos=4, transcode_preset="ultrafast", _env_file=None
    )  # type: ignore[call-arg]
    await seed_demo(settings, clip_seconds=2.0)
    await seed_demo(settings, only_if_empty=True, clip_seconds=2.0)
    engine = create_engine(settings.resolved_database_url)
    async with make_sessionmaker(engine)() as db:
        assert await db.scalar(select(func.count()).select_from(User)) == 21  # 20 people and the operator
        assert await db.scalar(select(User.is_admin).where(User.username == "tim_kilas"))
        videos = list(await db.scalars(select(Video)))
        assert len(videos) == 4
        assert all(v.status == VideoStatus.ready and v.renditions and v.poster_key for v in videos)
        assert all("#" in v.caption for v in videos)
        assert sum(v.likes_count for v in videos) > 0
        assert await db.scalar(select(func.count()).select_from(Comment)) > 0
        assert await db.scalar(select(func.count()).select_from(Follow)) > 20
    await engine.dispose()
