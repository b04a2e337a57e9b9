"""Video answers: a creator answers a comment on one of their videos with a new video. The answer
shows the question; the question's video lists the answers ("the way questions become lessons")."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.errors import Conflict, NotFound, PermissionDenied
from kilas.learning.models import VideoAnswer
from kilas.social.models import Comment
from kilas.videos.models import Video
from kilas.videos.service import can_view, listable_by


async def answer_comment(*, db: AsyncSession, actor: User, video: Video, comment_id: int) -> VideoAnswer:
    """Mark `video` (the actor's) as the answer to a comment left on another of the actor's videos."""
    if video.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this video.")
    comment = await db.get(Comment, comment_id)
    question_video = await db.get(Video, comment.video_id) if comment is not None else None
    if comment is None or question_video is None:
        raise NotFound("We couldn't find that comment.", code="comment_not_found")
    if question_video.owner_id != actor.id:
        raise PermissionDenied("You can answer comments on your own videos.")
    if question_video.id == video.id:
        raise Conflict("A video can't answer a comment on itself.", code="answer_same_video")
    answer = await db.get(VideoAnswer, video.id)
    if answer is None:
        answer = VideoAnswer(video_id=video.id, comment_id=comment.id)
        db.add(answer)
    else:
        answer.comment_id = comment.id
    await db.flush()
    return answer


async def remove_answer(*, db: AsyncSession, actor: User, video: Video) -> None:
    if video.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this video.")
    answer = await db.get(VideoAnswer, video.id)
    if answer is not None:
        await db.delete(answer)
        await db.flush()


@dataclass(frozen=True)
class Question:
    comment: Comment
    author: User
    video: Video | None  # the video the question was asked on, when the viewer may watch it


async def question_of(*, db: AsyncSession, video: Video, viewer: User | None) -> Question | None:
    """The comment a video answers (shown on the answer)."""
    answer = await db.get(VideoAnswer, video.id)
    if answer is None:
        return None
    comment = await db.get(Comment, answer.comment_id)
    if comment is None:
        return None
    author = await db.get(User, comment.author_id)
    asked_on = await db.get(Video, comment.video_id)
    assert author is not None
    return Question(comment, author, asked_on if asked_on and await can_view(db, asked_on, viewer) else None)


@dataclass(frozen=True)
class Answer:
    comment_id: int
    question: str
    asker: str
    video: Video


async def answers_on(*, db: AsyncSession, video: Video, viewer: User | None, limit: int = 20) -> list[Answer]:
    """Video answers to the comments on `video` that the viewer may list."""
    rows = (
        await db.execute(
            select(Comment.id, Comment.body, User.username, Video)
            .join(VideoAnswer, VideoAnswer.comment_id == Comment.id)
            .join(Video, Video.id == VideoAnswer.video_id)
            .join(User, User.id == Comment.author_id)
            .where(Comment.video_id == video.id, *listable_by(viewer))
            .order_by(VideoAnswer.created_at.desc())
            .limit(limit)
        )
    ).all()
    return [Answer(row[0], row[1], row[2], row[3]) for row in rows]


async def answers_to_comment(*, db: AsyncSession, comment_id: int, viewer: User | None) -> list[Video]:
    comment = await db.get(Comment, comment_id)
    if comment is None:
        raise NotFound("We couldn't find that comment.", code="comment_not_found")
    asked_on = await db.get(Video, comment.video_id)
    if asked_on is None or not await can_view(db, asked_on, viewer):
        raise NotFound("We couldn't find that comment.", code="comment_not_found")
    return list(
        await db.scalars(
            select(Video)
            .join(VideoAnswer, VideoAnswer.video_id == Video.id)
            .where(VideoAnswer.comment_id == comment_id, *listable_by(viewer))
            .order_by(Video.id.desc())
        )
    )
