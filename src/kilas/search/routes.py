from fastapi import APIRouter, Query

from kilas.accounts.schemas import UserOut
from kilas.deps import CurrentUser, DbSession, OptionalUser, Storage
from kilas.learning.schemas import TopicIn
from kilas.search import discover, service
from kilas.search.results import check_type, run_search
from kilas.search.schemas import (
    HashtagOut,
    SearchOut,
    SuggestionOut,
    SuggestionsOut,
    TopicOut,
    TopicSuggestionOut,
)
from kilas.search.topics import TOPICS, suggest_topic, topic_out
from kilas.videos.presenters import present_page, present_video, present_videos
from kilas.videos.schemas import VideoListOut, VideoOut
from kilas.videos.service import access_own_video

router = APIRouter(tags=["search"])


@router.get("/search")
async def search(
    db: DbSession,
    viewer: OptionalUser,
    storage: Storage,
    q: str = Query("", max_length=500),
    type: str = Query("top", max_length=16),
    cursor: str | None = Query(None, max_length=10),
    limit: int = Query(20, ge=1, le=50),
) -> SearchOut:
    """Search videos (captions, hashtags, creators, subtitles), people and hashtags. Bahasa Indonesia
    aware: affixes are stemmed, stopwords ignored, small typos forgiven. `type`: top, videos, users,
    hashtags. Page with `cursor` (the `next_cursor` of the previous page)."""
    results = await run_search(db=db, viewer=viewer, q=q, kind=check_type(type), cursor=cursor, limit=limit)
    return SearchOut(
        query=results.query,
        type=results.type,
        videos=await present_videos(db, results.videos, viewer, storage),
        users=[UserOut.build(user) for user in results.users],
        hashtags=[HashtagOut(url=f"/tag/{h.name}", **h.__dict__) for h in results.hashtags],
        next_cursor=results.next_cursor,
    )


@router.get("/search/suggest")
async def suggest(db: DbSession, viewer: OptionalUser, q: str = Query("", max_length=500)) -> SuggestionsOut:
    """Autocomplete while typing (words, hashtags, people and topics)."""
    found = await service.suggest(db=db, viewer=viewer, q=q)
    return SuggestionsOut(suggestions=[SuggestionOut(**s.__dict__) for s in found])


@router.get("/topics")
async def topics() -> list[TopicOut]:
    return [topic_out(topic) for topic in TOPICS]


@router.get("/topics/suggest")
async def topic_suggestion(caption: str = Query("", max_length=2200)) -> TopicSuggestionOut:
    """The topic that best fits a caption (None when nothing fits), to preselect at upload."""
    best = suggest_topic(caption)
    return TopicSuggestionOut(topic=topic_out(best) if best else None, topics=[topic_out(t) for t in TOPICS])


@router.get("/topics/{slug}/videos")
async def topic_videos(
    slug: str,
    db: DbSession,
    viewer: OptionalUser,
    storage: Storage,
    cursor: str | None = Query(None, max_length=4000),
    limit: int = Query(10, ge=1, le=30),
) -> VideoListOut:
    page = await discover.topic_feed(db=db, viewer=viewer, slugs=[slug], cursor=cursor, limit=limit)
    return await present_page(db, page, viewer, storage)


@router.get("/feed/belajar")
async def belajar_feed(
    db: DbSession,
    viewer: OptionalUser,
    storage: Storage,
    cursor: str | None = Query(None, max_length=4000),
    limit: int = Query(10, ge=1, le=30),
) -> VideoListOut:
    """Belajar: engaging, fresh videos of the learning topics."""
    page = await discover.belajar_feed(db=db, viewer=viewer, cursor=cursor, limit=limit)
    return await present_page(db, page, viewer, storage)


@router.put("/videos/{video_id}/topic")
async def set_topic(video_id: int, body: TopicIn, db: DbSession, user: CurrentUser) -> VideoOut:
    """Choose the video's topic (a slug of `GET /api/v1/topics`; null clears it)."""
    video = await access_own_video(db=db, video_id=video_id, actor=user)
    await discover.set_topic(db=db, video=video, actor=user, topic=body.topic)
    return await present_video(db, video, user)
