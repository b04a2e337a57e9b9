from datetime import datetime

from pydantic import BaseModel, Field

from kilas.accounts.models import User
from kilas.accounts.schemas import UserOut
from kilas.social.models import Comment


class CommentIn(BaseModel):
    body: str = Field(max_length=5000)
    parent_id: int | None = None


class CommentOut(BaseModel):
    id: int
    body: str
    parent_id: int | None
    likes_count: int
    replies_count: int
    liked_by_me: bool
    created_at: datetime
    author: UserOut

    @classmethod
    def build(cls, comment: Comment, author: User, *, liked: bool = False) -> "CommentOut":
        return cls(
            id=comment.id,
            body=comment.body,
            parent_id=comment.parent_id,
            likes_count=comment.likes_count,
            replies_count=comment.replies_count,
            liked_by_me=liked,
            created_at=comment.created_at,
            author=UserOut.build(author),
        )


class CommentListOut(BaseModel):
    comments: list[CommentOut]
    next_cursor: str | None


class LikeOut(BaseModel):
    liked: bool
    likes_count: int


class FollowOut(BaseModel):
    following: bool
    followers_count: int
