"""Each signed-in viewer's learned interests and seen-set (kilas.feed.engine.profile.Profile), kept in
`feed_profiles`: read by every For You page, written by the event processor as the viewer watches,
and by the viewer's own choices (interests at sign-up, "Tidak tertarik", "Segarkan").

Writers lock the row on PostgreSQL (`FOR UPDATE`); SQLite has one writer at a time.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import dialect_insert, utcnow
from kilas.errors import InvalidInput
from kilas.feed.catalog import tags_of
from kilas.feed.engine.profile import Profile
from kilas.feed.models import FeedProfile
from kilas.search.topics import BY_SLUG
from kilas.videos.service import access_video


async def load_profiles(
    db: AsyncSession, user_ids: Iterable[int], *, for_update: bool = False
) -> dict[int, Profile]:
    """Every asked viewer's profile (a new, empty one for a viewer who has none yet)."""
    ids = set(user_ids)
    if not ids:
        return {}
    query = select(FeedProfile.user_id, FeedProfile.interests, FeedProfile.seen).where(
        FeedProfile.user_id.in_(ids)
    )
    if for_update:
        query = query.with_for_update()
    found = {row.user_id: Profile.from_json(row.interests, row.seen) for row in await db.execute(query)}
    return {user_id: found.get(user_id) or Profile() for user_id in ids}


async def load_profile(db: AsyncSession, user_id: int, *, for_update: bool = False) -> Profile:
    return (await load_profiles(db, [user_id], for_update=for_update))[user_id]


async def save_profiles(
    db: AsyncSession, profiles: dict[int, Profile], *, now: datetime | None = None
) -> None:
    if not profiles:
        return
    now = now or utcnow()
    insert = dialect_insert(db)
    values = [
        {
            "user_id": user_id,
            "interests": profile.to_json(now.timestamp()),
            "seen": profile.seen.to_bytes(),
            "updated_at": now,
        }
        for user_id, profile in profiles.items()
    ]
    statement = insert(FeedProfile)
    statement = statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={
            "interests": statement.excluded.interests,
            "seen": statement.excluded.seen,
            "updated_at": statement.excluded.updated_at,
        },
    )
    await db.execute(statement, values)


def check_interests(slugs: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(slug.strip().lower() for slug in slugs if slug.strip()))
    if any(slug not in BY_SLUG for slug in chosen):
        raise InvalidInput("Please choose topics from the list.", field="interests")
    return chosen


async def choose_interests(*, db: AsyncSession, user: User, slugs: Iterable[str]) -> None:
    """Topics picked at sign-up: a head start that the viewer's swipes soon outweigh."""
    chosen = check_interests(slugs)
    if not chosen:
        return
    profile = await load_profile(db, user.id, for_update=True)
    profile.choose_interests(chosen)
    await save_profiles(db, {user.id: profile})


async def not_interested(*, db: AsyncSession, viewer: User, video_id: int) -> tuple[User, str | None]:
    """'Tidak tertarik': the video's creator and main topic stay out of the viewer's For You for a
    while, and the video itself never comes back. Returns the creator and the topic hidden."""
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    if video.owner_id == viewer.id:
        raise InvalidInput("That video isn't in your feed anymore.", field="video_id")
    tags = (await tags_of(db, [video.id])).get(video.id, ())
    profile = await load_profile(db, viewer.id, for_update=True)
    now = utcnow()
    profile.hide(creator_id=video.owner_id, tags=tags, now=now.timestamp())
    profile.seen.add(video.id)
    await save_profiles(db, {viewer.id: profile}, now=now)
    creator = await db.get(User, video.owner_id)
    assert creator is not None
    return creator, video.topic


async def refresh(*, db: AsyncSession, viewer: User) -> None:
    """'Segarkan': forget the learned interests and hides; what was seen stays seen."""
    profile = await load_profile(db, viewer.id, for_update=True)
    profile.reset()
    await save_profiles(db, {viewer.id: profile})
