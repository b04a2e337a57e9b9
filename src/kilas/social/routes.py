from fastapi import APIRouter

from kilas.accounts.service import get_user_by_username
from kilas.deps import CurrentUser, DbSession, Limiter, OptionalUser, Settings
from kilas.errors import NotFound
from kilas.social import service
from kilas.social.schemas import CommentIn, CommentListOut, CommentOut, FollowOut, LikeOut
from kilas.videos.service import access_video

router = APIRouter(tags=["social"])


@router.post("/videos/{video_id}/like")
async def like_video(
    video_id: int, user: CurrentUser, db: DbSession, limiter: Limiter, settings: Settings
) -> LikeOut:
    limiter.hit(settings.write_rate, "write", str(user.id))
    video = await access_video(db=db, video_id=video_id, viewer=user)
    await service.like_video(db=db, actor=user, video=video)
    await db.refresh(video, ["likes_count"])
    return LikeOut(liked=True, likes_count=video.likes_count)


@router.delete("/videos/{video_id}/like")
async def unlike_video(video_id: int, user: CurrentUser, db: DbSession) -> LikeOut:
    video = await access_video(db=db, video_id=video_id, viewer=user)
    await service.unlike_video(db=db, actor=user, video=video)
    await db.refresh(video, ["likes_count"])
    return LikeOut(liked=False, likes_count=video.likes_count)


@router.get("/videos/{video_id}/comments")
async def list_comments(
    video_id: int,
    db: DbSession,
    viewer: OptionalUser,
    parent_id: int | None = None,
    cursor: int | None = None,
) -> CommentListOut:
    """Top-level comments newest first, or with `parent_id` that comment's replies oldest first."""
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    limit = 30
    rows = await service.list_comments(
        db=db, video=video, viewer=viewer, parent_id=parent_id, before_id=cursor, limit=limit
    )
    comments = [CommentOut.build(comment, author, liked=liked) for comment, author, liked in rows]
    next_cursor = str(comments[-1].id) if len(comments) == limit else None
    return CommentListOut(comments=comments, next_cursor=next_cursor)


@router.post("/videos/{video_id}/comments", status_code=201)
async def add_comment(
    video_id: int, body: CommentIn, user: CurrentUser, db: DbSession, limiter: Limiter, settings: Settings
) -> CommentOut:
    limiter.hit(settings.write_rate, "write", str(user.id))
    video = await access_video(db=db, video_id=video_id, viewer=user)
    comment = await service.add_comment(
        db=db, actor=user, video=video, body=body.body, parent_id=body.parent_id
    )
    return CommentOut.build(comment, user)


async def _video_comment(db: DbSession, video_id: int, comment_id: int, viewer: OptionalUser):
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    comment = await service.get_comment(db, comment_id)
    if comment.video_id != video.id:
        raise NotFound("That comment no longer exists.", code="comment_not_found")
    return video, comment


@router.delete("/videos/{video_id}/comments/{comment_id}", status_code=204)
async def delete_comment(video_id: int, comment_id: int, user: CurrentUser, db: DbSession) -> None:
    video, comment = await _video_comment(db, video_id, comment_id, user)
    await service.delete_comment(db=db, actor=user, comment=comment, video=video)


@router.post("/videos/{video_id}/comments/{comment_id}/like")
async def like_comment(video_id: int, comment_id: int, user: CurrentUser, db: DbSession) -> LikeOut:
    _, comment = await _video_comment(db, video_id, comment_id, user)
    await service.like_comment(db=db, actor=user, comment=comment)
    await db.refresh(comment, ["likes_count"])
    return LikeOut(liked=True, likes_count=comment.likes_count)


@router.delete("/videos/{video_id}/comments/{comment_id}/like")
async def unlike_comment(video_id: int, comment_id: int, user: CurrentUser, db: DbSession) -> LikeOut:
    _, comment = await _video_comment(db, video_id, comment_id, user)
    await service.unlike_comment(db=db, actor=user, comment=comment)
    await db.refresh(comment, ["likes_count"])
    return LikeOut(liked=False, likes_count=comment.likes_count)


@router.post("/users/{username}/follow")
async def follow(
    username: str, user: CurrentUser, db: DbSession, limiter: Limiter, settings: Settings
) -> FollowOut:
    limiter.hit(settings.write_rate, "write", str(user.id))
    target = await get_user_by_username(db=db, username=username)
    await service.follow(db=db, actor=user, target=target)
    await db.refresh(target, ["followers_count"])
    return FollowOut(following=True, followers_count=target.followers_count)


@router.delete("/users/{username}/follow")
async def unfollow(username: str, user: CurrentUser, db: DbSession) -> FollowOut:
    target = await get_user_by_username(db=db, username=username)
    await service.unfollow(db=db, actor=user, target=target)
    await db.refresh(target, ["followers_count"])
    return FollowOut(following=False, followers_count=target.followers_count)


@router.post("/users/{username}/block", status_code=204)
async def block(username: str, user: CurrentUser, db: DbSession) -> None:
    target = await get_user_by_username(db=db, username=username)
    await service.block(db=db, actor=user, target=target)


@router.delete("/users/{username}/block", status_code=204)
async def unblock(username: str, user: CurrentUser, db: DbSession) -> None:
    target = await get_user_by_username(db=db, username=username)
    await service.unblock(db=db, actor=user, target=target)
