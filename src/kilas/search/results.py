"""One search, shaped for a tab of the search page or the API (`type`: top, videos, users, hashtags)."""

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.errors import InvalidInput
from kilas.search import service
from kilas.search.service import HashtagHit
from kilas.videos.models import Video

SearchType = Literal["top", "videos", "users", "hashtags"]
SEARCH_TYPES: tuple[SearchType, ...] = ("top", "videos", "users", "hashtags")


@dataclass
class SearchResults:
    query: str
    type: SearchType
    videos: list[Video] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    hashtags: list[HashtagHit] = field(default_factory=list)
    next_cursor: str | None = None


def check_type(value: str) -> SearchType:
    for kind in SEARCH_TYPES:
        if kind == value:
            return kind
    raise InvalidInput("Choose what to search: top, videos, users or hashtags.", field="type")


def check_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit() or int(cursor) > 1000:
        raise InvalidInput("The page cursor is not valid.", field="cursor")
    return int(cursor)


async def run_search(
    *, db: AsyncSession, viewer: User | None, q: str, kind: SearchType, cursor: str | None, limit: int
) -> SearchResults:
    q = service.check_query(q)
    results = SearchResults(q, kind)
    offset = check_cursor(cursor)
    if kind in ("top", "videos"):
        found = await service.search_videos(db=db, viewer=viewer, q=q, offset=offset, limit=limit)
        results.videos = found.videos
        results.next_cursor = str(found.next_offset) if found.next_offset is not None else None
    if kind in ("top", "users"):
        results.users = await service.search_users(
            db=db, viewer=viewer, q=q, limit=3 if kind == "top" else limit
        )
    if kind in ("top", "hashtags"):
        results.hashtags = await service.search_hashtags(
            db=db, viewer=viewer, q=q, limit=4 if kind == "top" else limit
        )
    return results
