"""`kilas demo`: a living demo. Real clips are generated with ffmpeg and go through the real upload
service and media pipeline; people follow, like and comment, so a new visitor lands in a feed that
feels alive. Every demo account's password is `kilas-demo`.

With the job queue (the default) the videos are processed by the server's workers once it starts, so
`make run` serves within seconds and the feed fills up as each video becomes ready."""

import logging
import random
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kilas.accounts import service as accounts
from kilas.accounts.models import User
from kilas.analytics.rollups import run_rollup
from kilas.db import Base, create_engine, make_sessionmaker, unit_of_work, utcnow
from kilas.demo.content import COMMENTS, CREATORS, OPERATOR, PROFILES, REPLIES, VIDEOS, VIEWERS
from kilas.enums import AccountType, Visibility
from kilas.events.models import EventType, TrafficSource
from kilas.events.store import apply_events
from kilas.jobs import InlineQueue, JobQueue, huey_queue
from kilas.media.generate import generate_clip
from kilas.media.transcode import ffmpeg_path
from kilas.migrate import migrate_async
from kilas.models import load_models
from kilas.pubsub import create_pubsub
from kilas.search.topics import suggest_topic
from kilas.settings import Settings
from kilas.social import service as social
from kilas.storage import create_storage
from kilas.videos import service as videos
from kilas.videos.models import Video

log = logging.getLogger(__name__)
DEMO_PASSWORD = "kilas-demo"
Sessionmaker = async_sessionmaker[AsyncSession]
# The lavfi sources that render fast; fractals and cellular automata cost seconds per clip.
DEMO_PATTERNS = ("testsrc2", "smptebars", "gradients")


async def seed_demo(
    settings: Settings, *, reset: bool = False, only_if_empty: bool = False, clip_seconds: float = 5.0
) -> None:
    engine = create_engine(settings.resolved_database_url)
    sessionmaker = make_sessionmaker(engine)
    storage = create_storage(settings)
    try:
        if reset:
            await _erase(engine, settings)
        await migrate_async(settings)
        async with sessionmaker() as db:
            if only_if_empty and await db.scalar(select(func.count()).select_from(User)):
                print("Demo: the database already has users, nothing to seed.")
                return
        queue: JobQueue = (
            InlineQueue(settings, sessionmaker, storage, create_pubsub(settings.redis_url))
            if settings.jobs_mode == "inline"
            else huey_queue(settings)
        )
        rng = random.Random(20261129)
        people = await _create_people(sessionmaker)
        wanted = VIDEOS[: settings.demo_videos]
        print(f"Demo: making {len(wanted)} videos with ffmpeg...", flush=True)
        with tempfile.TemporaryDirectory(prefix="kilas-demo-") as folder:
            clips = _generate_clips(Path(folder), wanted, clip_seconds)
            for index, ((owner_name, caption, _title), clip_path) in enumerate(
                zip(wanted, clips, strict=True)
            ):
                async with unit_of_work(sessionmaker) as db:
                    owner = await db.get(User, people[owner_name])
                    assert owner is not None
                    video = await videos.create_video(
                        db=db,
                        storage=storage,
                        jobs=queue,
                        owner=owner,
                        source=clip_path,
                        caption=caption,
                        visibility=Visibility.public,
                        max_seconds=settings.max_video_seconds,
                    )
                    # The creator takes the topic the upload form suggests from the caption.
                    topic = suggest_topic(caption)
                    video.topic = topic.slug if topic else None
                print(f"  {index + 1}/{len(wanted)} {caption[:60]}", flush=True)
        await _spread_publish_times(sessionmaker, rng)
        watching = await _engage(sessionmaker, people, rng)
        async with unit_of_work(sessionmaker) as db:
            await apply_events(db, watching, timedelta(minutes=settings.view_window_minutes))
        await run_rollup(sessionmaker)  # the dashboards show the demo's days at once
        print(
            f"Demo ready: {len(people)} people, {len(wanted)} videos "
            "(each playable as soon as it is processed). "
            f"Log in as any of them with the password '{DEMO_PASSWORD}', e.g. bu_ratna_masak."
        )
    finally:
        await engine.dispose()


async def _erase(engine: AsyncEngine, settings: Settings) -> None:
    load_models()
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    for folder in (settings.media_dir, settings.upload_dir):
        shutil.rmtree(folder, ignore_errors=True)


async def _create_people(sessionmaker: Sessionmaker) -> dict[str, int]:
    people: dict[str, int] = {}
    async with unit_of_work(sessionmaker) as db:
        for index, (username, name, bio, kind) in enumerate(CREATORS):
            user = await accounts.signup(
                db=db,
                username=username,
                email=f"{username.replace('.', '_')}@demo.kilas.id",
                password=DEMO_PASSWORD,
                birth_date=date(1985 + index, 1 + index % 12, 10),
                display_name=name,
                account_type=AccountType(kind),
            )
            user.bio = bio
            user.gender, user.province = PROFILES.get(username, (None, None))
            people[username] = user.id
        for index, (username, name) in enumerate(VIEWERS):
            user = await accounts.signup(
                db=db,
                username=username,
                email=f"{username.replace('.', '_')}@demo.kilas.id",
                password=DEMO_PASSWORD,
                birth_date=date(1996 + index % 6, 3 + index, 21),
                display_name=name,
            )
            user.gender, user.province = PROFILES.get(username, (None, None))
            people[username] = user.id
        # The operator watches the platform from the dashboard, not the feed: not one of the people.
        operator_name, operator_display = OPERATOR
        operator = await accounts.signup(
            db=db,
            username=operator_name,
            email=f"{operator_name}@demo.kilas.id",
            password=DEMO_PASSWORD,
            birth_date=date(1990, 8, 17),
            display_name=operator_display,
        )
        operator.is_admin = True
    return people


def _generate_clips(folder: Path, wanted: list[tuple[str, str, str]], seconds: float) -> list[Path]:
    ffmpeg = ffmpeg_path()

    def make(index: int) -> Path:
        _owner, _caption, title = wanted[index]
        return generate_clip(
            folder / f"demo-{index}.mp4",
            ffmpeg=ffmpeg,
            width=480,
            height=854,
            duration_s=seconds,
            fps=24,
            pattern=DEMO_PATTERNS[index % len(DEMO_PATTERNS)],
            hue=(index * 47) % 360,
            text=title,
            preset="ultrafast",
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(make, range(len(wanted))))


async def _spread_publish_times(sessionmaker: Sessionmaker, rng: random.Random) -> None:
    """Spread the demo over the last few days, so the feed mixes fresh and older videos."""
    async with unit_of_work(sessionmaker) as db:
        for video_id in list(await db.scalars(select(Video.id))):
            when = utcnow() - timedelta(hours=rng.uniform(0.2, 96))
            await db.execute(
                update(Video).where(Video.id == video_id).values(published_at=when, created_at=when)
            )


async def _engage(
    sessionmaker: Sessionmaker, people: dict[str, int], rng: random.Random
) -> list[dict[str, Any]]:
    """Follows, likes and comments; returns the watching (engagement events) that goes with them."""
    async with unit_of_work(sessionmaker) as db:
        users = {
            user.username: user for user in await db.scalars(select(User).where(User.id.in_(people.values())))
        }
        by_id = {user.id: user for user in users.values()}
        names = list(users)
        watching: list[dict[str, Any]] = []
        for name, user in users.items():
            for other in rng.sample(names, k=rng.randint(3, 8)):
                if other != name:
                    await social.follow(db=db, actor=user, target=users[other])
        for video in list(await db.scalars(select(Video))):
            fans = rng.sample(names, k=rng.randint(2, len(names) - 4))
            for fan in fans:
                watching += _watch_events(video, users[fan], rng)
                if rng.random() < 0.55:
                    await social.like_video(db=db, actor=users[fan], video=video)
            for fan in rng.sample(fans, k=min(len(fans), rng.randint(0, 4))):
                comment = await social.add_comment(
                    db=db, actor=users[fan], video=video, body=rng.choice(COMMENTS)
                )
                if rng.random() < 0.5:
                    await social.add_comment(
                        db=db,
                        actor=by_id[video.owner_id],
                        video=video,
                        body=rng.choice(REPLIES),
                        parent_id=comment.id,
                    )
    return watching


def _watch_events(video: Video, fan: User, rng: random.Random) -> list[dict[str, Any]]:
    """One play of `video` by `fan`, as the player reports it: seen, played, a counted view, watch
    time, and for most a completion."""
    # Somewhere between the video's publication and now, so the dashboards show days of watching.
    published = video.published_at or utcnow()
    now = published + (utcnow() - published) * rng.random()
    play = uuid.uuid4().hex
    watched = rng.randint(2000, 5000)
    kinds = [EventType.impression, EventType.play, EventType.view, EventType.progress]
    if watched > 3500:
        kinds.append(EventType.complete)
    return [
        {
            "event_id": uuid.uuid4().hex,
            "type": kind,
            "video_id": video.id,
            "creator_id": video.owner_id,
            "viewer_key": f"u:{fan.id}",
            "user_id": fan.id,
            "source": rng.choice(list(TrafficSource)),
            "play_id": play,
            "watched_ms": watched if kind in (EventType.view, EventType.progress) else 0,
            "position_ms": None,
            "occurred_at": now,
            "received_at": now,
            "counted_view": False,
            "flag": None,
        }
        for kind in kinds
    ]
