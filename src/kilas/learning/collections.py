"""Saved collections: named lists of videos, private to their owner by default. A public collection
can be opened by anyone who has its link (`/koleksi/<token>`, unguessable); it lists only the videos
the visitor may list, so saving a video never widens who can see it."""

import secrets

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import insert_ignore, utcnow
from kilas.errors import InvalidInput, NotFound, PermissionDenied
from kilas.learning.models import Collection, CollectionItem
from kilas.videos.models import Video
from kilas.videos.service import listable_by

MAX_NAME_LENGTH = 60
MAX_COLLECTIONS = 100
MAX_ITEMS = 1000
COLLECTION_NOT_FOUND = "We couldn't find that collection. It may be private or deleted."


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Give the collection a name.", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("Collection names can be at most 60 characters.", field="name")
    return name


async def create_collection(
    *, db: AsyncSession, actor: User, name: str, is_public: bool = False
) -> Collection:
    name = check_name(name)
    count = await db.scalar(
        select(func.count()).select_from(Collection).where(Collection.owner_id == actor.id)
    )
    if (count or 0) >= MAX_COLLECTIONS:
        raise InvalidInput("You can have at most 100 collections.", field="name")
    collection = Collection(
        owner_id=actor.id,
        name=name,
        is_public=is_public,
        share_token=secrets.token_urlsafe(16)[:22],
        items_count=0,
    )
    db.add(collection)
    await db.flush()
    return collection


async def access_own_collection(*, db: AsyncSession, collection_id: int, actor: User) -> Collection:
    collection = await db.get(Collection, collection_id)
    if collection is None or collection.owner_id != actor.id:
        raise NotFound(COLLECTION_NOT_FOUND, code="collection_not_found")
    return collection


async def access_shared_collection(*, db: AsyncSession, token: str, viewer: User | None) -> Collection:
    """A collection by its share link: public ones for everyone, private ones for their owner only."""
    collection = await db.scalar(select(Collection).where(Collection.share_token == token[:32]))
    if collection is None or not (
        collection.is_public or (viewer is not None and viewer.id == collection.owner_id)
    ):
        raise NotFound(COLLECTION_NOT_FOUND, code="collection_not_found")
    return collection


async def update_collection(
    *, db: AsyncSession, collection: Collection, name: str | None = None, is_public: bool | None = None
) -> Collection:
    if name is not None:
        collection.name = check_name(name)
    if is_public is not None:
        collection.is_public = is_public
    await db.flush()
    return collection


async def delete_collection(*, db: AsyncSession, collection: Collection) -> None:
    await db.delete(collection)
    await db.flush()


async def list_collections(*, db: AsyncSession, owner: User) -> list[Collection]:
    return list(
        await db.scalars(
            select(Collection).where(Collection.owner_id == owner.id).order_by(Collection.created_at)
        )
    )


async def save_video(*, db: AsyncSession, actor: User, collection: Collection, video: Video) -> bool:
    """Add a video the actor may watch (checked by the caller with `access_video`). True when added."""
    if collection.owner_id != actor.id:
        raise PermissionDenied()
    if collection.items_count >= MAX_ITEMS:
        raise InvalidInput("A collection can hold at most 1000 videos.", field="video_id")
    added = await insert_ignore(
        db, CollectionItem, collection_id=collection.id, video_id=video.id, added_at=utcnow()
    )
    if added:
        await db.execute(
            update(Collection)
            .where(Collection.id == collection.id)
            .values(items_count=Collection.items_count + 1)
        )
        await db.refresh(collection)
    return added


async def unsave_video(*, db: AsyncSession, actor: User, collection: Collection, video_id: int) -> bool:
    if collection.owner_id != actor.id:
        raise PermissionDenied()
    result = await db.execute(
        delete(CollectionItem).where(
            CollectionItem.collection_id == collection.id, CollectionItem.video_id == video_id
        )
    )
    removed = bool(result.rowcount)  # type: ignore[attr-defined]
    if removed:
        await db.execute(
            update(Collection)
            .where(Collection.id == collection.id, Collection.items_count > 0)
            .values(items_count=Collection.items_count - 1)
        )
        await db.refresh(collection)
    return removed


async def collection_videos(
    *, db: AsyncSession, collection: Collection, viewer: User | None, limit: int = 100
) -> list[Video]:
    """The saved videos the viewer may list (the owner also sees their own unlisted ones), newest first."""
    listable = and_(*listable_by(viewer))
    visible = or_(Video.owner_id == viewer.id, listable) if viewer is not None else listable
    return list(
        await db.scalars(
            select(Video)
            .join(CollectionItem, CollectionItem.video_id == Video.id)
            .where(CollectionItem.collection_id == collection.id, visible)
            .order_by(CollectionItem.added_at.desc(), Video.id.desc())
            .limit(limit)
        )
    )


async def collections_with_video(*, db: AsyncSession, actor: User, video_id: int) -> set[int]:
    return set(
        await db.scalars(
            select(CollectionItem.collection_id)
            .join(Collection, Collection.id == CollectionItem.collection_id)
            .where(Collection.owner_id == actor.id, CollectionItem.video_id == video_id)
        )
    )
