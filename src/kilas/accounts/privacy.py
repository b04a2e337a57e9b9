"""A person's rights over their data (Indonesia's personal-data protection law, UU PDP): take a copy of
everything Kilas holds about them, and leave, with their videos, comments and personal data erased."""

import asyncio
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import ApiToken, User, WebSession
from kilas.accounts.passwords import verify_password
from kilas.db import on_commit
from kilas.errors import NotAuthenticated
from kilas.social.models import Block, Comment, CommentLike, Follow, VideoLike
from kilas.storage import Storage
from kilas.videos.models import Video


async def export_user_data(*, db: AsyncSession, user: User) -> dict[str, Any]:
    videos = list(await db.scalars(select(Video).where(Video.owner_id == user.id).order_by(Video.id)))
    comments = list(
        await db.scalars(select(Comment).where(Comment.author_id == user.id).order_by(Comment.id))
    )
    following = list(
        await db.scalars(
            select(User.username)
            .join(Follow, Follow.followee_id == User.id)
            .where(Follow.follower_id == user.id)
        )
    )
    followers = list(
        await db.scalars(
            select(User.username)
            .join(Follow, Follow.follower_id == User.id)
            .where(Follow.followee_id == user.id)
        )
    )
    liked = list(await db.scalars(select(VideoLike.video_id).where(VideoLike.user_id == user.id)))
    blocked = list(
        await db.scalars(
            select(User.username).join(Block, Block.blocked_id == User.id).where(Block.blocker_id == user.id)
        )
    )
    return {
        "account": {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "bio": user.bio,
            "birth_date": user.birth_date.isoformat(),
            "account_type": user.account_type.value,
            "is_private": user.is_private,
            "locale": user.locale,
            "gender": user.gender,
            "province": user.province,
            "created_at": user.created_at.isoformat(),
            "avatar_url": f"/media/{user.avatar_key}" if user.avatar_key else None,
        },
        "videos": [
            {
                "id": v.id,
                "caption": v.caption,
                "visibility": v.visibility.value,
                "status": v.status.value,
                "created_at": v.created_at.isoformat(),
                "url": f"/v/{v.id}",
                "files": [f"/media/v/{v.id}/{r.short_edge}.mp4" for r in v.renditions],
            }
            for v in videos
        ],
        "comments": [
            {"id": c.id, "video_id": c.video_id, "body": c.body, "created_at": c.created_at.isoformat()}
            for c in comments
        ],
        "following": following,
        "followers": followers,
        "liked_video_ids": liked,
        "blocked": blocked,
    }


async def delete_account(*, db: AsyncSession, storage: Storage, user: User, password: str) -> None:
    """Erase the account. Counters the person contributed to elsewhere are taken back first; the
    rows then go by cascade, and the stored files once the deletion has committed."""
    if not verify_password(user.password_hash, password):
        raise NotAuthenticated("Wrong password.", code="bad_credentials")
    await _take_back_counters(db, user.id)
    prefixes = list(await db.scalars(select(Video.media_prefix).where(Video.owner_id == user.id)))
    if user.avatar_key:
        prefixes.append(user.avatar_key.rsplit("/", 1)[0])
    for model in (WebSession, ApiToken):
        await db.execute(model.__table__.delete().where(model.user_id == user.id))  # type: ignore[attr-defined]
    await db.delete(user)
    await db.flush()

    async def remove_files() -> None:
        for prefix in prefixes:
            await asyncio.to_thread(storage.delete_prefix, prefix)

    on_commit(db, remove_files)


async def _take_back_counters(db: AsyncSession, user_id: int) -> None:
    followees = select(Follow.followee_id).where(Follow.follower_id == user_id)
    await db.execute(
        update(User).where(User.id.in_(followees)).values(followers_count=User.followers_count - 1)
    )
    followers = select(Follow.follower_id).where(Follow.followee_id == user_id)
    await db.execute(
        update(User).where(User.id.in_(followers)).values(following_count=User.following_count - 1)
    )
    liked_videos = select(VideoLike.video_id).where(VideoLike.user_id == user_id)
    await db.execute(
        update(Video).where(Video.id.in_(liked_videos)).values(likes_count=Video.likes_count - 1)
    )
    liked_owners = (
        select(Video.owner_id, func.count().label("n"))
        .join(VideoLike, VideoLike.video_id == Video.id)
        .where(VideoLike.user_id == user_id, Video.owner_id != user_id)
        .group_by(Video.owner_id)
    )
    for owner_id, count in (await db.execute(liked_owners)).all():
        await db.execute(
            update(User)
            .where(User.id == owner_id)
            .values(likes_received_count=User.likes_received_count - count)
        )
    # Comments on other people's videos: their counts drop by the comment and its replies.
    own_comments = select(Comment.video_id, Comment.parent_id, Comment.replies_count).where(
        Comment.author_id == user_id
    )
    rows = (await db.execute(own_comments.add_columns(Comment.id))).all()
    own_top_level = {comment_id for _, parent_id, _, comment_id in rows if parent_id is None}
    for video_id, parent_id, replies, _ in rows:
        if parent_id in own_top_level:  # goes with its parent, already counted there
            continue
        removed = 1 if parent_id is not None else 1 + replies
        await db.execute(
            update(Video).where(Video.id == video_id).values(comments_count=Video.comments_count - removed)
        )
        if parent_id is not None:
            await db.execute(
                update(Comment).where(Comment.id == parent_id).values(replies_count=Comment.replies_count - 1)
            )
    liked_comments = select(CommentLike.comment_id).where(CommentLike.user_id == user_id)
    await db.execute(
        update(Comment).where(Comment.id.in_(liked_comments)).values(likes_count=Comment.likes_count - 1)
    )
