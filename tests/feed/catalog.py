"""A small platform for For You tests: creators on a few topics, each with ready public videos.

Rows are inserted directly (no media): the feed ranks and lists videos, it never plays them here.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.service import create_api_token, signup
from kilas.db import utcnow
from kilas.enums import AccountType, VideoStatus, Visibility
from kilas.videos.models import Video
from tests.conftest import PASSWORD, Account
from tests.events.helpers import event, watch

TOPICS = ("memasak", "olahraga", "teknologi", "hiburan")


@dataclass
class Catalog:
    creators: dict[str, list[Account]] = field(default_factory=dict)  # topic -> creators
    topic_of: dict[int, str] = field(default_factory=dict)  # video id -> topic
    owner_of: dict[int, str] = field(default_factory=dict)  # video id -> creator username


async def creator(db: AsyncSession, username: str) -> tuple[Account, int]:
    """A creator account made in the database (sign-up through the API is rate limited)."""
    user = await signup(
        db=db,
        username=username,
        email=f"{username}@contoh.id",
        password=PASSWORD,
        birth_date=date(1995, 3, 3),
        account_type=AccountType.creator,
    )
    return Account(username, await create_api_token(db=db, user=user)), user.id


async def make_catalog(
    db: AsyncSession, *, creators_per_topic: int = 3, videos_per_creator: int = 5
) -> Catalog:
    catalog = Catalog()
    now = utcnow()
    users: dict[str, int] = {}
    for topic in TOPICS:
        catalog.creators[topic] = []
        for n in range(creators_per_topic):
            account, users[account_name] = await creator(db, account_name := f"{topic}{n}")
            catalog.creators[topic].append(account)
    videos = []
    for topic, accounts in catalog.creators.items():
        for account in accounts:
            for n in range(videos_per_creator):
                published = now - timedelta(days=1 + n, minutes=len(videos))
                video = Video(
                    owner_id=users[account.username],
                    caption=f"Video {topic} nomor {n} dari {account.username}",
                    topic=topic,
                    visibility=Visibility.public,
                    status=VideoStatus.ready,
                    media_prefix=f"videos/{secrets.token_hex(8)}",
                    source_key="unused/original.mp4",
                    duration_s=20.0,
                    created_at=published,
                    published_at=published,
                )
                db.add(video)
                videos.append((video, topic, account.username))
    await db.commit()
    for video, topic, username in videos:
        catalog.topic_of[video.id] = topic
        catalog.owner_of[video.id] = username
    return catalog


async def page(client: httpx.AsyncClient, viewer: Account, cursor: str | None = None) -> dict:
    params = {"limit": 10} | ({"cursor": cursor} if cursor else {})
    response = await client.get("/api/v1/feed/foryou", params=params, headers=viewer.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def finish(client: httpx.AsyncClient, viewer: Account, video_id: int) -> None:
    await watch(client, viewer.headers, video_id, watched_ms=20_000, complete=True)


async def skip(client: httpx.AsyncClient, viewer: Account, video_id: int) -> None:
    response = await client.post(
        "/api/v1/events",
        headers=viewer.headers,
        json={"events": [event("impression", video_id), event("skip", video_id)]},
    )
    assert response.status_code == 200, response.text
