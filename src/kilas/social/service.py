"""Follows, blocks, likes and comments. Counters are updated in SQL (`x = x + 1`) so concurrent
writers never lose an update, and every write is idempotent (liking twice is one like)."""

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import insert_ignore
from kilas.errors import InvalidInput, NotFound, PermissionDenied
from kilas.social.models import Block, Comment, CommentLike, Follow, VideoLike
from kilas.videos.models import Video

MAX_COMMENT_LENGTH = 1000


async def is_following(db: AsyncSession, follower_id: int, followee_id: int) -> bool:
    return bool(
        await db.scalar(
            select(exists().where(Follow.follower_id == follower_id, Follow.followee_id == followee_id))
        )
    )


async def followed_ids(db: AsyncSession, follower_id: int, among: set[int]) -> set[int]:
    if not among:
        return set()
    rows = await db.scalars(
        select(Follow.followee_id).where(Follow.follower_id == follower_id, Follow.followee_id.in_(among))
    )
    return set(rows)


async def is_blocked_between(db: AsyncSession, a: int, b: int) -> bool:
    """True when either user blocked the other."""
    return bool(
        await db.scalar(
            select(
                exists().where(
                    or_(
                        and_(Block.blocker_id == a, Block.blocked_id == b),
                        and_(Block.blocker_id == b, Block.blocked_id == a),
                    )
                )
            )
        )
    )


def blocked_user_ids_subquery(user_id: int):
    """Ids of everyone `user_id` blocked or was blocked by, for `NOT IN` filters."""
    return (
        select(Block.blocked_id)
        .where(Block.blocker_id == user_id)
        .union(select(Block.blocker_id).where(Block.blocked_id == user_id))
    )


async def follow(*, db: AsyncSession, actor: User, target: User) -> bool:
    if actor.id == target.id:
        raise InvalidInput("You can't follow yourself.", code="follow_self")
    if await is_blocked_between(db, actor.id, target.id):
        raise PermissionDenied("You can't follow this account.", code="blocked")
    created = await insert_ignore(db, Follow, follower_id=actor.id, followee_id=target.id)
    if created:
        await db.execute(
            update(User).where(User.id == target.id).values(followers_count=User.followers_count + 1)
        )
        await db.execute(
            update(User).where(User.id == actor.id).values(following_count=User.following_count + 1)
        )
    return created


async def unfollow(*, db: AsyncSession, actor: User, target: User) -> bool:
    result = await db.execute(
        delete(Follow).where(Follow.follower_id == actor.id, Follow.followee_id == target.id)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        await db.execute(
            update(User).where(User.id == target.id).values(followers_count=User.followers_count - 1)
        )
        await db.execute(
            update(User).where(User.id == actor.id).values(following_count=User.following_count - 1)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def block(*, db: AsyncSession, actor: User, target: User) -> None:
    if actor.id == target.id:
        raise InvalidInput("You can't block yourself.", code="block_self")
    await insert_ignore(db, Block, blocker_id=actor.id, blocked_id=target.id)
    await unfollow(db=db, actor=actor, target=target)
    await unfollow(db=db, actor=target, target=actor)


async def unblock(*, db: AsyncSession, actor: User, target: User) -> None:
    await db.execute(delete(Block).where(Block.blocker_id == actor.id, Block.blocked_id == target.id))


async def like_video(*, db: AsyncSession, actor: User, video: Video) -> bool:
    created = await insert_ignore(db, VideoLike, user_id=actor.id, video_id=video.id)
    if created:
        await db.execute(update(Video).where(Video.id == video.id).values(likes_count=Video.likes_count + 1))
        await db.execute(
            update(User)
            .where(User.id == video.owner_id)
            .values(likes_received_count=User.likes_received_count + 1)
        )
    return created


async def unlike_video(*, db: AsyncSession, actor: User, video: Video) -> bool:
    result = await db.execute(
        delete(VideoLike).where(VideoLike.user_id == actor.id, VideoLike.video_id == video.id)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        await db.execute(update(Video).where(Video.id == video.id).values(likes_count=Video.likes_count - 1))
        await db.execute(
            update(User)
            .where(User.id == video.owner_id)
            .values(likes_received_count=User.likes_received_count - 1)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def liked_video_ids(db: AsyncSession, user_id: int, among: set[int]) -> set[int]:
    if not among:
        return set()
    rows = await db.scalars(
        select(VideoLike.video_id).where(VideoLike.user_id == user_id, VideoLike.video_id.in_(among))
    )
    return set(rows)


def clean_comment(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput("Write something first.", field="body")
    if len(body) > MAX_COMMENT_LENGTH:
        raise InvalidInput("Comments can be at most 1000 characters.", field="body")
    return body


async def add_comment(
    *, db: AsyncSession, actor: User, video: Video, body: str, parent_id: int | None = None
) -> Comment:
    """Comment on a video the actor may see (checked by the caller). Replies nest one level only."""
    body = clean_comment(body)
    if await is_blocked_between(db, actor.id, video.owner_id):
        raise PermissionDenied("You can't comment on this video.", code="blocked")
    if parent_id is not None:
        parent = await db.get(Comment, parent_id)
        if parent is None or parent.video_id != video.id:
            raise NotFound("That comment no longer exists.", code="comment_not_found")
        if parent.parent_id is not None:
            parent_id = parent.parent_id
        await db.execute(
            update(Comment).where(Comment.id == parent_id).values(replies_count=Comment.replies_count + 1)
        )
    comment = Comment(video_id=video.id, author_id=actor.id, parent_id=parent_id, body=body)
    db.add(comment)
    await db.execute(
        update(Video).where(Video.id == video.id).values(comments_count=Video.comments_count + 1)
    )
    await db.flush()
    return comment


async def delete_comment(*, db: AsyncSession, actor: User, comment: Comment, video: Video) -> None:
    if actor.id not in (comment.author_id, video.owner_id):
        raise PermissionDenied("You can only delete your own comments.", code="forbidden")
    removed = 1 + comment.replies_count
    if comment.parent_id is not None:
        await db.execute(
            update(Comment)
            .where(Comment.id == comment.parent_id)
            .values(replies_count=Comment.replies_count - 1)
        )
    await db.delete(comment)
    await db.execute(
        update(Video).where(Video.id == video.id).values(comments_count=Video.comments_count - removed)
    )
    await db.flush()


async def get_comment(db: AsyncSession, comment_id: int) -> Comment:
    comment = await db.get(Comment, comment_id)
    if comment is None:
        raise NotFound("That comment no longer exists.", code="comment_not_found")
    return comment


async def list_comments(
    *,
    db: AsyncSession,
    video: Video,
    viewer: User | None,
    parent_id: int | None = None,
    before_id: int | None = None,
    limit: int = 30,
) -> list[tuple[Comment, User, bool]]:
    """Top-level comments (newest first) or one comment's replies (oldest first), with author and
    whether the viewer liked each. Comments from blocked users are left out."""
    query = select(Comment, User).join(User, User.id == Comment.author_id).where(Comment.video_id == video.id)
    if parent_id is None:
        query = query.where(Comment.parent_id.is_(None)).order_by(Comment.id.desc())
        if before_id:
            query = query.where(Comment.id < before_id)
    else:
        query = query.where(Comment.parent_id == parent_id).order_by(Comment.id)
        if before_id:
            query = query.where(Comment.id > before_id)
    if viewer is not None:
        query = query.where(Comment.author_id.not_in(blocked_user_ids_subquery(viewer.id)))
    rows = (await db.execute(query.limit(limit))).all()
    liked: set[int] = set()
    if viewer is not None and rows:
        liked = set(
            await db.scalars(
                select(CommentLike.comment_id).where(
                    CommentLike.user_id == viewer.id, CommentLike.comment_id.in_([c.id for c, _ in rows])
                )
            )
        )
    return [(comment, author, comment.id in liked) for comment, author in rows]


async def like_comment(*, db: AsyncSession, actor: User, comment: Comment) -> bool:
    created = await insert_ignore(db, CommentLike, user_id=actor.id, comment_id=comment.id)
    if created:
        await db.execute(
            update(Comment).where(Comment.id == comment.id).values(likes_count=Comment.likes_count + 1)
        )
    return created


async def unlike_comment(*, db: AsyncSession, actor: User, comment: Comment) -> bool:
    result = await db.execute(
        delete(CommentLike).where(CommentLike.user_id == actor.id, CommentLike.comment_id == comment.id)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        await db.execute(
            update(Comment).where(Comment.id == comment.id).values(likes_count=Comment.likes_count - 1)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def forget_video_likes(*, db: AsyncSession, video: Video) -> None:
    """Take a deleted video's likes off its creator's total."""
    likes = (
        select(func.count()).select_from(VideoLike).where(VideoLike.video_id == video.id).scalar_subquery()
    )
    await db.execute(
        update(User)
        .where(User.id == video.owner_id)
        .values(likes_received_count=User.likes_received_count - likes)
    )
