from pydantic import BaseModel

from kilas.accounts.schemas import UserOut
from kilas.videos.schemas import VideoOut


class HashtagOut(BaseModel):
    name: str
    display: str
    videos_count: int
    url: str


class SearchOut(BaseModel):
    query: str
    type: str
    videos: list[VideoOut]
    users: list[UserOut]
    hashtags: list[HashtagOut]
    next_cursor: str | None


class SuggestionOut(BaseModel):
    kind: str
    text: str
    url: str


class SuggestionsOut(BaseModel):
    suggestions: list[SuggestionOut]


class TopicOut(BaseModel):
    slug: str
    label: str
    learning: bool
    url: str


class TopicSuggestionOut(BaseModel):
    topic: TopicOut | None
    topics: list[TopicOut]
