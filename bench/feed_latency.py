"""For You latency at scale: a million videos and a hundred thousand viewers, on SQLite (and PostgreSQL).

A synthetic platform (seed 7) is bulk-inserted into a fresh database migrated with `migrate_async`:

- `--videos` ready public videos (1,000,000) published over the last 30 days (newest ids last) by
  one creator per 50 videos (20,000; the busiest post ~200 a month). Each is on a topic of
  `kilas.search.topics` (creators mostly keep to one; a few videos have none), most carry one to
  three of ~130 hashtags, and its counters follow its age and a hidden quality: impressions, plays,
  watch time, completions, skips, replays, likes; one in 200 is 18+.
- `--viewers` viewers (100,000) with provinces (some minors), following ten creators on average
  (mostly the big ones), each with a `feed_profiles` row made with the engine's own `Profile`:
  sign-up interests for some, a dozen learned swipes (finishes, skips, rewatches, likes) and today's,
  a few hidden creators, and a seen-set of 150-450 videos.
- three engagement events per viewer (finishes, skips and replays over the last 24 hours, by the
  active third of the viewers, mostly on the day's hits), so trending and co-engagement pools are real,
  and up to 200,000 ranking samples for the model to train on.

Then the real periodic job, `kilas.feed.rebuild.rebuild_now`, runs once in its own process, as in the
worker: `rebuild` (its time and summary) and its memory. Then a fresh process, like a web process, serves
after a warm-up `--requests` signed-in viewers drawn at random (500) and `--anonymous` visitors (100)
a first page of 10 through `kilas.feed.service.for_you` (the service behind `GET /api/v1/feed/foryou`),
one at a time, each in its own session with the viewer loaded first, as the auth dependency would
(for at most 240 s: a slow service cuts the sample short rather than hold up `make bench`).

The baseline, right after each For You page and on the same viewer, in a fresh session, is the trivial
request of the same shape: the 10 newest videos the viewer may list (`listable_by`, newest first along
the listing index, whole rows with their renditions). `foryou.ratio_p50` and `foryou.ratio_p99` are
For You over the baseline (the machine is noisy; ratios from one run hold better than milliseconds).
The Following feed's figures are printed beside. Memory: peak and current RSS of each process (the
seeding one, the job, the serving one) and the size of the database. The target is a For You p99 under 50 ms.

    python -m bench.feed_latency [--videos 1000000] [--viewers 100000] [--requests 500]
        [--anonymous 100] [--postgres postgresql://user@host/db [--skip-sqlite]] [--steps]

`--postgres` takes an admin URL: a database `kilas_bench_feed_<random>` is made there and dropped
after; without it only SQLite runs. `--steps` also times each step of a page (the profile, the pools,
each candidate source, loading the candidates, the ranking, the final select) and of the job.
"""

import argparse
import asyncio
import inspect
import multiprocessing
import os
import secrets
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import orjson
from numpy.typing import NDArray
from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from kilas.accounts.models import User
from kilas.accounts.provinces import PROVINCES
from kilas.db import create_engine, make_sessionmaker, utcnow
from kilas.enums import AccountType, VideoStatus, Visibility
from kilas.events.models import EngagementEvent, EventType, TrafficSource
from kilas.feed import rebuild, service, sources
from kilas.feed.engine.model import TARGETS, RankingModel
from kilas.feed.engine.profile import Profile, Signal
from kilas.feed.models import FeedProfile, FeedSample
from kilas.feed.service import following
from kilas.migrate import migrate_async
from kilas.search.topics import BY_SLUG
from kilas.settings import Settings
from kilas.social.models import Follow
from kilas.videos.models import Hashtag, Video, VideoHashtag
from kilas.videos.service import listable_by

T = TypeVar("T")
IntArray = NDArray[np.int64]

VIDEOS_PER_CREATOR = 50
BATCH = 10_000
PROFILE_BATCH = 5_000
DAY_S = 86_400
CATALOG_DAYS = 30
EVENTS_PER_VIEWER = 3
ACTIVE_SHARE = 0.3  # of the viewers, active in the last 24 hours
MAX_SAMPLES = 200_000
HOT = 5_000  # the day's hits: the most seen videos of the last two days
WARMUP = 30
SERVE_SECONDS = 240  # the measured requests stop there, so a slow service cannot hold up `make bench`
PAGE = 10
TARGET_P99_MS = 50.0

TOPICS = list(BY_SLUG)
# Caption words per topic; the first ten are also its hashtags.
TOPIC_WORDS = {
    "sains": "fisika kimia biologi eksperimen gravitasi fotosintesis sel energi atom planet magnet cahaya",
    "matematika": "aljabar geometri pecahan perkalian rumus trigonometri statistika peluang integral "
    "logaritma himpunan persamaan",
    "bahasa": "inggris jepang arab kosakata grammar percakapan pengucapan korea mandarin menulis "
    "membaca idiom",
    "sejarah": "majapahit sriwijaya proklamasi kemerdekaan pahlawan candi kerajaan kolonial "
    "sumpahpemuda reformasi prasasti museum",
    "kesehatan": "jantung tidur gizi diet vitamin senam mental imunitas diabetes hipertensi "
    "posyandu puskesmas",
    "teknologi": "android coding python excel website laptop jaringan keamanan robotika desain "
    "database internet",
    "keuangan": "menabung investasi reksadana saham pajak anggaran gaji utang asuransi pensiun emas inflasi",
    "memasak": "resep rendang sambal soto bakso kue roti nasigoreng gulai tempe bumbu dapur",
    "bisnis": "umkm jualan marketplace pelanggan modal promosi branding kemasan reseller "
    "franchise ekspor toko",
    "seni": "menggambar melukis batik gitar menyanyi tari kerajinan origami kaligrafi fotografi "
    "animasi keramik",
    "olahraga": "sepakbola bulutangkis renang lari futsal voli silat yoga gym basket catur sepeda",
    "hiburan": "komedi drama film sinetron prank musik konser vlog reaksi podcast kartun lawak",
}
TAGS_PER_TOPIC = 10
GENERIC_TAGS = ["fyp", "viral", "belajar", "samasamabelajar", "tips", "indonesia", "edukasi", "kilas"]
COMMON_WORDS = [
    "cara",
    "mudah",
    "cepat",
    "untuk",
    "pemula",
    "tips",
    "trik",
    "hari",
    "ini",
    "belajar",
    "bareng",
    "yuk",
    "coba",
    "lengkap",
    "praktis",
    "rahasia",
    "dasar",
    "seru",
    "banget",
    "wajib",
    "tahu",
    "part",
]
# Most viewers live on Java; the rest spread over the other provinces.
BIG_PROVINCES = {"Jawa Barat": 18, "Jawa Timur": 15, "Jawa Tengah": 13, "DKI Jakarta": 10, "Banten": 5}


def hashtag_names() -> list[str]:
    names = [word for slug in TOPICS for word in TOPIC_WORDS[slug].split()[:TAGS_PER_TOPIC]]
    names += GENERIC_TAGS
    assert len(set(names)) == len(names)
    return names


def memory_mb() -> tuple[float, float]:
    """(peak, current) resident set size of this process, in MB (Linux).

    The peak is the kernel's high-water mark of this process image (`VmHWM`): `getrusage`'s
    `ru_maxrss` would do in the parent, but a spawned child inherits the parent's peak through exec."""
    status = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    peak, current = (int(status[key].split()[0]) / 1024 for key in ("VmHWM", "VmRSS"))
    return max(peak, current), current


def bench(name: str, value: float, unit: str, note: str = "") -> None:
    print(f"BENCH {name} {value:.{2 if unit == 'x' else 1}f} {unit}{' ' + note if note else ''}", flush=True)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def weighted(rng: np.random.Generator, weights: NDArray[np.float64], size: int) -> IntArray:
    """Indexes drawn with these weights (far faster than `rng.choice(p=...)` called many times)."""
    cumulative = np.cumsum(weights)
    drawn = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    return np.minimum(drawn, len(weights) - 1).astype(np.int64)


@dataclass
class World:
    """The synthetic catalogue, as arrays indexed by video id - 1 (ids are in publication order)."""

    now: datetime
    creators: int
    viewers: int
    owner: IntArray  # user id
    topic: IntArray  # index into TOPICS, -1 for none
    tags: IntArray  # (videos, 3) hashtag indexes, -1 for none
    duration: NDArray[np.float64]
    quality: NDArray[np.float64]
    age_s: NDArray[np.float64]
    impressions: IntArray
    hashtags: list[str] = field(default_factory=hashtag_names)

    @property
    def videos(self) -> int:
        return len(self.owner)

    @property
    def first_viewer(self) -> int:
        return self.creators + 1

    def video_tags(self, video_id: int) -> tuple[str, ...]:
        """As `kilas.feed.catalog.video_tags` gives them: the topic, then `#hashtags` by name."""
        index = video_id - 1
        topic = int(self.topic[index])
        names = sorted(self.hashtags[tag] for tag in self.tags[index].tolist() if tag >= 0)
        return ((TOPICS[topic],) if topic >= 0 else ()) + tuple(f"#{name}" for name in names)


def make_world(videos: int, viewers: int, now: datetime, rng: np.random.Generator) -> World:
    creators = max(videos // VIDEOS_PER_CREATOR, 10)
    topic_weights = 1 / np.arange(1, len(TOPICS) + 1) ** 0.7
    # Most creators post now and then, the busiest about 200 videos a month (as many per creator as 10
    # average ones).
    creator_weights = np.minimum(rng.pareto(1.5, creators) + 1, 10)
    creator_topic = weighted(rng, topic_weights, creators)
    owner = weighted(rng, creator_weights, videos) + 1
    topic = np.where(
        rng.random(videos) < 0.75, creator_topic[owner - 1], weighted(rng, topic_weights, videos)
    )
    tag_topic = topic
    topic = np.where(rng.random(videos) < 0.05, -1, topic)
    tag_rank = weighted(rng, 1 / np.arange(1, TAGS_PER_TOPIC + 1), videos)
    first = np.where(rng.random(videos) < 0.75, tag_topic * TAGS_PER_TOPIC + tag_rank, -1)
    generic = len(TOPICS) * TAGS_PER_TOPIC + weighted(rng, 1 / np.arange(1, len(GENERIC_TAGS) + 1), videos)
    second = np.where(rng.random(videos) < 0.4, generic, -1)
    other_rank = (tag_rank + 1 + rng.integers(0, TAGS_PER_TOPIC - 1, videos)) % TAGS_PER_TOPIC
    third = np.where((rng.random(videos) < 0.25) & (first >= 0), tag_topic * TAGS_PER_TOPIC + other_rank, -1)
    ids = np.arange(1, videos + 1)
    age_s = (videos - ids) / videos * (CATALOG_DAYS * DAY_S - 3600) + rng.uniform(30, 90, videos)
    quality = rng.beta(2, 3, videos)
    reach = (rng.pareto(1.1, videos) + 1) * 40 * np.minimum(1, (age_s / 3600 + 0.2) / 48) * (0.5 + quality)
    return World(
        now=now,
        creators=creators,
        viewers=viewers,
        owner=owner,
        topic=topic.astype(np.int64),
        tags=np.stack([first, second, third], axis=1).astype(np.int64),
        duration=np.round(np.clip(rng.lognormal(np.log(35), 0.6, videos), 5, 180), 1).astype(np.float64),
        quality=quality,
        age_s=age_s,
        impressions=np.minimum(reach, 2_000_000).astype(np.int64),
    )


async def insert_rows(engine: AsyncEngine, model: type, rows: Iterable[dict[str, Any]]) -> int:
    """Insert in batches, a transaction each; returns the count."""
    count = 0
    batch: list[dict[str, Any]] = []

    async def flush() -> None:
        async with engine.begin() as connection:
            await connection.execute(insert(model), batch)

    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            await flush()
            count += len(batch)
            batch = []
    if batch:
        await flush()
        count += len(batch)
    return count


def user_rows(world: World, rng: np.random.Generator) -> Iterator[dict[str, Any]]:
    province_weights = np.array([BIG_PROVINCES.get(p, 1.2) for p in PROVINCES])
    provinces = weighted(rng, province_weights, world.viewers).tolist()
    no_province = (rng.random(world.viewers) < 0.1).tolist()
    minor = (rng.random(world.viewers) < 0.08).tolist()
    birth_years = rng.integers(1970, 2006, world.viewers).tolist()
    for n in range(world.creators + world.viewers):
        creator = n < world.creators
        viewer = n - world.creators
        yield {
            "id": n + 1,
            "username": f"kreator{n}" if creator else f"penonton{viewer}",
            "email": f"u{n}@bench.kilas.id",
            "password_hash": "!",
            "display_name": f"Kreator {n}" if creator else f"Penonton {viewer}",
            "birth_date": date(1990, 1, 1)
            if creator
            else date(2011 if minor[viewer] else birth_years[viewer], 1 + n % 12, 1 + n % 28),
            "account_type": AccountType.creator if creator else AccountType.personal,
            "province": None if creator or no_province[viewer] else PROVINCES[provinces[viewer]],
            "created_at": world.now - timedelta(days=400),
        }


def captions(rng: np.random.Generator, per_topic: int = 2_000) -> dict[int, list[str]]:
    """Caption variants per topic index (-1: any topic's words)."""
    out: dict[int, list[str]] = {}
    for index in [*range(len(TOPICS)), -1]:
        words = TOPIC_WORDS[TOPICS[index]].split() if index >= 0 else COMMON_WORDS
        out[index] = [
            " ".join(
                [*rng.choice(words, rng.integers(2, 5)), *rng.choice(COMMON_WORDS, rng.integers(2, 5))]
            ).capitalize()
            for _ in range(per_topic)
        ]
    return out


def video_rows(world: World, rng: np.random.Generator) -> Iterator[dict[str, Any]]:
    variants = captions(rng)
    for start in range(0, world.videos, BATCH):
        end = min(start + BATCH, world.videos)
        size = end - start
        quality = world.quality[start:end]
        impressions = world.impressions[start:end]
        duration = world.duration[start:end]
        plays = (impressions * rng.uniform(0.6, 0.95, size)).astype(np.int64)
        watched = np.clip(quality * 0.9 + rng.normal(0.1, 0.08, size), 0.02, 1.3)
        finished = np.clip(watched, 0, 1)
        likes = (plays * quality * 0.08 * rng.uniform(0.5, 1.5, size)).astype(np.int64)
        views = (plays * 0.9).astype(np.int64)
        columns = {
            "impressions_count": impressions,
            "plays_count": plays,
            "watch_ms_total": (plays * duration * 1000 * watched).astype(np.int64),
            "completions_count": (plays * finished * 0.8).astype(np.int64),
            "skips_count": (plays * (1 - finished) * 0.5).astype(np.int64),
            "replays_count": (plays * np.clip(watched - 0.8, 0, 0.5)).astype(np.int64),
            "likes_count": likes,
            "comments_count": likes // 10,
            "shares_count": likes // 15,
            "views_count": views,
            "unique_viewers_count": (views * 0.85).astype(np.int64),
        }
        lists = {name: values.tolist() for name, values in columns.items()}
        adults = (rng.random(size) < 0.005).tolist()
        variant = rng.integers(0, 2_000, size).tolist()
        for offset in range(size):
            index = start + offset
            video_id = index + 1
            topic = int(world.topic[index])
            published = world.now - timedelta(seconds=float(world.age_s[index]))
            hashtags = " ".join(f"#{world.hashtags[t]}" for t in world.tags[index].tolist() if t >= 0)
            prefix = f"videos/feed{video_id:07d}"
            yield {
                "id": video_id,
                "owner_id": int(world.owner[index]),
                "caption": f"{variants[topic][variant[offset]]} {hashtags}".strip(),
                "topic": TOPICS[topic] if topic >= 0 else None,
                "adults_only": adults[offset],
                "visibility": Visibility.public,
                "status": VideoStatus.ready,
                "media_prefix": prefix,
                "source_key": f"{prefix}/original.mp4",
                "poster_key": f"{prefix}/poster.jpg",
                "duration_s": float(duration[offset]),
                "width": 1080,
                "height": 1920,
                **{name: values[offset] for name, values in lists.items()},
                "processing_attempts": 1,
                "created_at": published,
                "updated_at": published,
                "published_at": published,
            }


def video_hashtag_rows(world: World) -> Iterator[dict[str, Any]]:
    for index, row in enumerate(world.tags.tolist()):
        for tag in sorted({t for t in row if t >= 0}):
            yield {"video_id": index + 1, "hashtag_id": tag + 1}


def follow_rows(world: World, rng: np.random.Generator) -> Iterator[dict[str, Any]]:
    per_creator = np.bincount(world.owner - 1, minlength=world.creators).astype(np.float64)
    counts = np.clip(rng.geometric(1 / 10, world.viewers), 1, 200)
    followers = np.repeat(np.arange(world.first_viewer, world.first_viewer + world.viewers), counts)
    followees = weighted(rng, per_creator + 1, int(counts.sum())) + 1
    pairs = np.unique(followers * (world.creators + 1) + followees)
    followed_at = world.now - timedelta(days=7)
    for follower, followee in zip(
        (pairs // (world.creators + 1)).tolist(), (pairs % (world.creators + 1)).tolist(), strict=True
    ):
        yield {"follower_id": follower, "followee_id": followee, "created_at": followed_at}


class Draws:
    """Videos a viewer watches: the day's hits, recent videos of their favourite topics, or any."""

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        self.world, self.rng = world, rng
        recent = np.flatnonzero(world.age_s < 2 * DAY_S)
        hot = recent[np.argsort(-world.impressions[recent])][:HOT]
        self.hot_ids = hot + 1
        self.hot_weights = world.impressions[hot].astype(np.float64) + 1
        week = world.age_s < 7 * DAY_S
        self.topic_ids = [np.flatnonzero(week & (world.topic == t)) + 1 for t in range(len(TOPICS))]
        topic_weights = 1 / np.arange(1, len(TOPICS) + 1) ** 0.7
        self.favourites = weighted(rng, topic_weights, world.viewers * 3).reshape(world.viewers, 3)

    def videos(self, viewer_indexes: IntArray, hot: float, topical: float) -> IntArray:
        """One video per entry of `viewer_indexes` (a viewer index may repeat)."""
        size = len(viewer_indexes)
        kind = self.rng.random(size)
        out = self.rng.integers(1, self.world.videos + 1, size)
        is_hot = kind < hot
        out[is_hot] = self.hot_ids[weighted(self.rng, self.hot_weights, int(is_hot.sum()))]
        is_topical = (kind >= hot) & (kind < hot + topical)
        topics = self.favourites[viewer_indexes, self.rng.integers(0, 3, size)]
        for topic, ids in enumerate(self.topic_ids):
            chosen = is_topical & (topics == topic)
            if len(ids) and chosen.any():
                out[chosen] = ids[self.rng.integers(0, len(ids), int(chosen.sum()))]
        return out


@dataclass
class Events:
    """Today's events, oldest first."""

    user_index: IntArray
    video_id: IntArray
    kind: list[EventType]
    age_s: NDArray[np.float64]

    def by_viewer(self) -> dict[int, list[tuple[int, EventType]]]:
        found: dict[int, list[tuple[int, EventType]]] = defaultdict(list)
        for viewer, video, kind in zip(
            self.user_index.tolist(), self.video_id.tolist(), self.kind, strict=True
        ):
            found[viewer].append((video, kind))
        return found


def make_events(world: World, draws: Draws, rng: np.random.Generator) -> Events:
    active = rng.choice(world.viewers, int(world.viewers * ACTIVE_SHARE), replace=False)
    counts = rng.poisson(EVENTS_PER_VIEWER / ACTIVE_SHARE, len(active))
    user_index = np.repeat(active, counts)
    video_id = draws.videos(user_index, hot=0.55, topical=0.3)
    finishing = 0.2 + 0.7 * world.quality[video_id - 1]
    roll = rng.random(len(video_id))
    kinds = np.where(roll < finishing * 0.8, 0, np.where(roll < finishing, 1, 2))
    video_age = world.age_s[video_id - 1]
    age_s = np.minimum(rng.uniform(60, 23 * 3600, len(video_id)), video_age * 0.99)
    order = np.argsort(-age_s)
    names = [EventType.complete, EventType.replay, EventType.skip]
    return Events(user_index[order], video_id[order], [names[k] for k in kinds[order].tolist()], age_s[order])


def event_rows(world: World, events: Events, rng: np.random.Generator) -> Iterator[dict[str, Any]]:
    skip_ms = rng.integers(400, 2_500, len(events.video_id)).tolist()
    for n, (viewer, video_id, kind, age) in enumerate(
        zip(
            events.user_index.tolist(),
            events.video_id.tolist(),
            events.kind,
            events.age_s.tolist(),
            strict=True,
        )
    ):
        user_id = world.first_viewer + viewer
        occurred = world.now - timedelta(seconds=age)
        yield {
            "event_id": f"bench-{n}",
            "type": kind,
            "video_id": video_id,
            "creator_id": int(world.owner[video_id - 1]),
            "viewer_key": f"u:{user_id}",
            "user_id": user_id,
            "source": TrafficSource.foryou,
            "play_id": f"p{n}",
            "watched_ms": skip_ms[n] if kind == EventType.skip else int(world.duration[video_id - 1] * 1000),
            "position_ms": None,
            "occurred_at": occurred,
            "received_at": occurred + timedelta(seconds=2),
            "counted_view": kind != EventType.skip,
            "flag": None,
        }


HISTORY = 12  # learned swipes before today
SEEN_LOW, SEEN_HIGH = 150, 450


def profile_rows(
    world: World, draws: Draws, events: Events, rng: np.random.Generator
) -> Iterator[dict[str, Any]]:
    """Each viewer's profile, made as the event processor would: `Profile.learn` per swipe, then
    what they were shown (the seen-set) and a few choices."""
    now_ts = world.now.timestamp()
    today = events.by_viewer()
    ratios = np.array([0.1, 0.3, 1.0, 1.0, 1.6])
    for start in range(0, world.viewers, PROFILE_BATCH):
        end = min(start + PROFILE_BATCH, world.viewers)
        size = end - start
        indexes = np.arange(start, end)
        history = draws.videos(np.repeat(indexes, HISTORY), hot=0.3, topical=0.6).reshape(size, HISTORY)
        watch = ratios[rng.integers(0, len(ratios), (size, HISTORY))]
        liked = rng.random((size, HISTORY)) < 0.1
        seen_counts = rng.integers(SEEN_LOW, SEEN_HIGH, size)
        served = draws.videos(np.repeat(indexes, seen_counts), hot=0.4, topical=0.4)
        seen_ends = np.cumsum(seen_counts)
        choices = rng.random((size, 2))
        for offset in range(size):
            viewer = start + offset
            profile = Profile()
            favourites = draws.favourites[viewer]
            if choices[offset, 0] < 0.2:
                profile.choose_interests([TOPICS[t] for t in dict.fromkeys(favourites.tolist())])
            swipes = [
                (int(video), float(ratio), bool(like))
                for video, ratio, like in zip(history[offset], watch[offset], liked[offset], strict=True)
            ]
            swipes += [
                (video, {EventType.complete: 1.0, EventType.replay: 1.6}.get(kind, 0.1), False)
                for video, kind in today.get(viewer, [])
            ]
            for video, ratio, like in swipes:
                tags = world.video_tags(video)
                profile.learn(Signal(video, int(world.owner[video - 1]), tags, ratio, liked=like))
            if choices[offset, 1] < 0.03:
                video = swipes[0][0]
                profile.hide(creator_id=int(world.owner[video - 1]), tags=world.video_tags(video), now=now_ts)
            profile.mark_served(served[seen_ends[offset] - seen_counts[offset] : seen_ends[offset]].tolist())
            yield {
                "user_id": world.first_viewer + viewer,
                "interests": profile.to_json(now_ts),
                "seen": profile.seen.to_bytes(),
                "updated_at": world.now,
            }


def sample_rows(world: World, count: int, rng: np.random.Generator) -> Iterator[dict[str, Any]]:
    """Ranking samples (the features a video had for a viewer, what they did), labelled by the prior
    model so the trained one has something to find."""
    completion = rng.beta(2, 3, count)
    topic_affinity = rng.uniform(-0.3, 1, count)
    features = np.stack(
        [
            topic_affinity,
            rng.uniform(-0.2, 1, count) * (rng.random(count) < 0.3),
            completion,
            rng.beta(1, 20, count),
            np.log1p((rng.pareto(1.1, count) + 1) * 40),
            np.log1p(rng.uniform(0, CATALOG_DAYS * 24, count)),
            rng.uniform(0, 1, count) * (rng.random(count) < 0.2),
            rng.uniform(0, 1, count) * (rng.random(count) < 0.2),
            (rng.random(count) < 0.1).astype(np.float64),
            rng.uniform(0, 1, count) * (rng.random(count) < 0.3),
            (rng.random(count) < 0.1).astype(np.float64),
            rng.beta(4, 4, count),
            np.maximum(topic_affinity, 0) * completion,
        ],
        axis=1,
    )
    outcomes = rng.random((count, len(TARGETS))) < RankingModel().predict(features)
    outcomes[:, TARGETS.index("comment")] = False  # not learned from events (kilas.feed.learning)
    labels = (outcomes * (1 << np.arange(len(TARGETS)))).sum(axis=1).tolist()
    for n, row in enumerate(np.round(features, 5).tolist()):
        yield {
            "features": orjson.dumps(row).decode(),
            "labels": labels[n],
            "created_at": world.now - timedelta(seconds=float(count - n)),
        }


async def seed(url: str, *, videos: int, viewers: int, label: str) -> World:
    rng = np.random.default_rng(7)
    world = make_world(videos, viewers, utcnow(), rng)
    engine = create_engine(url)
    if url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def big_cache(connection: Any, _record: Any) -> None:  # only this seeding engine's connections
            connection.execute("PRAGMA cache_size=-262144")

    started = time.perf_counter()

    async def step(name: str, model: type, rows: Iterable[dict[str, Any]]) -> None:
        begun = time.perf_counter()
        count = await insert_rows(engine, model, rows)
        print(f"# {label}: {count:,} {name} in {time.perf_counter() - begun:.1f} s", flush=True)

    try:
        await step("users", User, user_rows(world, rng))
        await step(
            "hashtags",
            Hashtag,
            ({"id": n + 1, "name": name, "display": name} for n, name in enumerate(world.hashtags)),
        )
        await step("videos", Video, video_rows(world, rng))
        await step("video hashtags", VideoHashtag, video_hashtag_rows(world))
        await step("follows", Follow, follow_rows(world, rng))
        draws = Draws(world, rng)
        events = make_events(world, draws, rng)
        await step("engagement events", EngagementEvent, event_rows(world, events, rng))
        await step("ranking samples", FeedSample, sample_rows(world, min(MAX_SAMPLES, len(events.kind)), rng))
        await step("feed profiles", FeedProfile, profile_rows(world, draws, events, rng))
        if url.startswith("postgresql"):
            async with engine.connect() as connection:
                await (await connection.execution_options(isolation_level="AUTOCOMMIT")).execute(
                    text("ANALYZE")
                )
    finally:
        await engine.dispose()
    bench(f"feed_latency.{label}.seed", time.perf_counter() - started, "s")
    return world


async def database_mb(connection: AsyncConnection, url: str) -> float:
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        return sum(part.stat().st_size for part in path.parent.glob(path.name + "*")) / 2**20  # -wal too
    return float(await connection.scalar(text("SELECT pg_database_size(current_database())")) or 0) / 2**20


# Per-step timing (`--steps`): the functions a page or a round calls, looked up by their modules at call
# time, so wrapping the module attribute times every call.
PAGE_STEPS = [
    (service, "load_profile"),
    (service, "gather_candidates"),
    (sources, "read_pools"),
    (sources, "_just_published"),
    (sources, "_following"),
    (sources, "next_series_parts"),
    (sources, "most_watched"),
    (sources, "load_candidates"),
    (sources, "seen_among"),
    (service, "followed_ids"),
    (service, "current_model"),
    (service, "choose_page"),
]
SERVICE_STEPS = ("load_profile", "gather_candidates", "followed_ids", "current_model", "choose_page")
ROUND_STEPS = [
    (rebuild, name)
    for name in (
        "_catalog",
        "_hashtags",
        "_topic_pools",
        "_trending_pools",
        "most_watched",
        "_co_engagement",
        "_similar",
        "_explore",
        "_train",
        "_store_model",
        "_write_pools",
    )
]


def _timed(function: Callable[..., Any], record: list[float]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(function):

        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                record.append((time.perf_counter() - started) * 1000)

        return timed_async

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            record.append((time.perf_counter() - started) * 1000)

    return timed


@contextmanager
def timing(
    targets: list[tuple[ModuleType, str]], steps: dict[str, list[float]], enabled: bool
) -> Iterator[None]:
    if not enabled:
        yield
        return
    # A step renamed or gone since is left out rather than failing the run.
    originals = [(module, name, getattr(module, name)) for module, name in targets if hasattr(module, name)]
    for module, name, function in originals:
        setattr(module, name, _timed(function, steps.setdefault(name, [])))
    try:
        yield
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def in_process(function: Callable[..., T], *args: Any) -> T:
    """Run `function(*args)` in a fresh Python process (its memory figures are its own)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def run_rebuild(url: str, label: str, steps: bool) -> None:
    async def go() -> None:
        engine = create_engine(url)
        timings: dict[str, list[float]] = {}
        try:
            started = time.perf_counter()
            with timing(ROUND_STEPS, timings, steps):
                result = await rebuild.rebuild_now(make_sessionmaker(engine))
            elapsed = time.perf_counter() - started
        finally:
            await engine.dispose()
        bench(f"feed_latency.{label}.rebuild", elapsed, "s", f"({result.summary()})")
        for name, values in timings.items():
            bench(f"feed_latency.{label}.rebuild.step.{name.lstrip('_')}", sum(values) / 1000, "s")
        peak, current = memory_mb()
        bench(f"feed_latency.{label}.rebuild.peak_rss", peak, "MB")
        bench(f"feed_latency.{label}.rebuild.rss", current, "MB")

    asyncio.run(go())


async def newest_listable(db: AsyncSession, viewer: User | None) -> list[Video]:
    """The baseline: one page of the 10 newest videos the viewer may list, whole rows (renditions too),
    in the order of the listing index (`ix_videos_feed`)."""
    query = select(Video).where(*listable_by(viewer)).order_by(Video.published_at.desc()).limit(PAGE)
    return list(await db.scalars(query))


async def following_page(db: AsyncSession, viewer: User | None) -> object:
    """The Following feed's first page, for comparison."""
    assert viewer is not None
    return await following(db=db, viewer=viewer, cursor=None, limit=PAGE)


@dataclass
class Latencies:
    foryou: list[float] = field(default_factory=list)
    foryou_signed_in: list[float] = field(default_factory=list)
    foryou_anonymous: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    following: list[float] = field(default_factory=list)
    page_sizes: list[int] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)


def run_serving(url: str, label: str, viewers: list[int | None], steps: bool) -> None:
    async def go() -> None:
        engine = create_engine(url)
        sessionmaker = make_sessionmaker(engine)
        found = Latencies()

        async def timed_call(
            user_id: int | None, call: Callable[[AsyncSession, User | None], Awaitable[T]]
        ) -> tuple[float, T]:
            async with sessionmaker() as db:
                viewer = await db.get(User, user_id) if user_id is not None else None
                started = time.perf_counter()
                result = await call(db, viewer)
                return (time.perf_counter() - started) * 1000, result

        async def visit(number: int, user_id: int | None, record: bool) -> None:
            key = f"u:{user_id}" if user_id is not None else f"d:bench{number}"
            elapsed, page = await timed_call(
                user_id,
                lambda db, viewer: service.for_you(
                    db=db, viewer=viewer, viewer_key=key, cursor=None, limit=PAGE
                ),
            )
            baseline, _ = await timed_call(user_id, newest_listable)
            if not record:
                return
            found.foryou.append(elapsed)
            (found.foryou_signed_in if user_id is not None else found.foryou_anonymous).append(elapsed)
            found.baseline.append(baseline)
            found.page_sizes.append(len(page.videos))
            found.reasons.update(reason.code for reason in page.reasons.values())
            if user_id is not None:
                follows, _ = await timed_call(user_id, following_page)
                found.following.append(follows)

        timings: dict[str, list[float]] = {}
        try:
            for number, user_id in enumerate(viewers[:WARMUP]):
                await visit(number, user_id, record=False)
            load_before = os.getloadavg()[0]
            deadline = time.monotonic() + SERVE_SECONDS
            with timing(PAGE_STEPS, timings, steps):
                for number, user_id in enumerate(viewers[WARMUP:], start=WARMUP):
                    if time.monotonic() > deadline:
                        print(
                            f"# {label}: stopped after {SERVE_SECONDS} s, {len(found.foryou)} of "
                            f"{len(viewers) - WARMUP} pages measured",
                            flush=True,
                        )
                        break
                    await visit(number, user_id, record=True)
            # Other work on the machine shows in every figure: the ratios hold better.
            print(
                f"# {label}: load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
                f"({os.cpu_count()} cores)",
                flush=True,
            )
            async with engine.connect() as connection:
                size = await database_mb(connection, url)
        finally:
            await engine.dispose()
        report(label, found, timings, size)

    asyncio.run(go())


def report(label: str, found: Latencies, timings: dict[str, list[float]], database_size: float) -> None:
    name = f"feed_latency.{label}"
    for kind, values in [
        ("foryou", found.foryou),
        ("foryou_signed_in", found.foryou_signed_in),
        ("foryou_anonymous", found.foryou_anonymous),
        ("baseline", found.baseline),
        ("following", found.following),
    ]:
        if values:
            bench(f"{name}.{kind}.p50", statistics.median(values), "ms")
            bench(f"{name}.{kind}.p99", percentile(values, 0.99), "ms")
    p50, p99 = statistics.median(found.foryou), percentile(found.foryou, 0.99)
    bench(f"{name}.foryou.ratio_p50", p50 / statistics.median(found.baseline), "x")
    bench(f"{name}.foryou.ratio_p99", p99 / percentile(found.baseline, 0.99), "x")
    bench(f"{name}.foryou.target_p99", TARGET_P99_MS, "ms", f"met={'yes' if p99 < TARGET_P99_MS else 'no'}")
    bench(f"{name}.foryou.page_fill", statistics.mean(found.page_sizes), "videos", f"of {PAGE}")
    total = sum(found.reasons.values()) or 1
    mix = ", ".join(f"{code} {count / total:.0%}" for code, count in found.reasons.most_common())
    print(f"# {label}: why the videos served were there: {mix}", flush=True)
    peak, current = memory_mb()
    bench(f"{name}.serve.peak_rss", peak, "MB")
    bench(f"{name}.serve.rss", current, "MB")
    bench(f"{name}.database_size", database_size, "MB")
    if timings:
        service_total = sum(sum(timings.get(step, [])) for step in SERVICE_STEPS)
        timings["final_select_and_rest"] = [sum(found.foryou) - service_total]
        for step, values in timings.items():
            calls = len(values)
            per_page = sum(values) / len(found.foryou)
            note = f"p99 {percentile(values, 0.99):.2f} ms per call, {calls} calls" if calls > 1 else ""
            bench(
                f"{name}.step.{step.lstrip('_')}", per_page, "ms", f"(mean per page; {note})" if note else ""
            )


def draw_viewers(world: World, requests: int, anonymous: int) -> list[int | None]:
    """Signed-in viewers drawn at random and visitors, shuffled; the first `WARMUP` only warm up."""
    rng = np.random.default_rng(11)
    signed_in = (rng.choice(world.viewers, WARMUP + requests, replace=False) + world.first_viewer).tolist()
    chosen: list[int | None] = [*signed_in[WARMUP:], *([None] * anonymous)]
    order = rng.permutation(len(chosen)).tolist()
    return [*signed_in[:WARMUP], *(chosen[i] for i in order)]


def measure(label: str, url: str, arguments: argparse.Namespace) -> None:
    world = asyncio.run(seed(url, videos=arguments.videos, viewers=arguments.viewers, label=label))
    peak, _ = memory_mb()
    bench(f"feed_latency.{label}.seed.peak_rss", peak, "MB")
    viewers = draw_viewers(world, arguments.requests, arguments.anonymous)
    del world
    in_process(run_rebuild, url, label, arguments.steps)
    in_process(run_serving, url, label, viewers, arguments.steps)


def run(
    videos: int = 1_000_000,
    viewers: int = 100_000,
    requests: int = 500,
    anonymous: int = 100,
    postgres: str | None = None,
    steps: bool = False,
    sqlite: bool = True,
) -> None:
    arguments = argparse.Namespace(
        videos=videos, viewers=viewers, requests=requests, anonymous=anonymous, steps=steps
    )
    print(f"BENCH feed_latency.videos {videos} videos", flush=True)
    print(f"BENCH feed_latency.viewers {viewers} viewers", flush=True)
    if sqlite:
        with tempfile.TemporaryDirectory(prefix="kilas-bench-feed-latency-") as folder:
            settings = Settings(data_dir=Path(folder), _env_file=None)  # type: ignore[call-arg]
            asyncio.run(migrate_async(settings))
            measure("sqlite", settings.resolved_database_url, arguments)
    if postgres:
        import asyncpg

        name = f"kilas_bench_feed_{secrets.token_hex(4)}"
        parts = urlsplit(postgres)
        admin_url = urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))
        url = urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{name}", "", ""))

        async def admin(statement: str) -> None:
            connection = await asyncpg.connect(admin_url)
            try:
                await connection.execute(statement)
            finally:
                await connection.close()

        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
        try:
            with tempfile.TemporaryDirectory(prefix="kilas-bench-feed-latency-") as folder:
                settings = Settings(data_dir=Path(folder), database_url=url, _env_file=None)  # type: ignore[call-arg]
                asyncio.run(migrate_async(settings))
                measure("postgresql", url, arguments)
        finally:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=1_000_000)
    parser.add_argument("--viewers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500, help="signed-in viewers asking for a page")
    parser.add_argument("--anonymous", type=int, default=100, help="visitors asking for a page")
    parser.add_argument(
        "--postgres", default=None, help="an admin URL; a scratch database is made and dropped"
    )
    parser.add_argument("--steps", action="store_true", help="time each step of a page and of the job")
    parser.add_argument("--skip-sqlite", action="store_true", help="only PostgreSQL (with --postgres)")
    arguments = parser.parse_args()
    run(
        arguments.videos,
        arguments.viewers,
        arguments.requests,
        arguments.anonymous,
        arguments.postgres,
        arguments.steps,
        not arguments.skip_sqlite,
    )
