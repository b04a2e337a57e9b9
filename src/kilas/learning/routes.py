from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import Response

from kilas.deps import CurrentUser, DbSession, OptionalUser, Storage
from kilas.errors import NotFound
from kilas.learning import answers, collections, series, subtitles
from kilas.learning.presenters import (
    present_collection,
    present_place,
    present_series,
    present_subtitle,
)
from kilas.learning.schemas import (
    AnswerIn,
    CollectionIn,
    CollectionItemIn,
    CollectionOut,
    CollectionUpdateIn,
    CollectionVideosOut,
    NewPartOut,
    NewPartsOut,
    QuestionOut,
    SeriesIn,
    SeriesOrderIn,
    SeriesOut,
    SeriesPartIn,
    SeriesPlaceOut,
    SeriesUpdateIn,
    SubtitleOut,
)
from kilas.search.related import related_videos
from kilas.videos.presenters import present_videos
from kilas.videos.schemas import VideoListOut
from kilas.videos.service import access_own_video, access_video

router = APIRouter(tags=["learning"])


# Series


@router.post("/series", status_code=201)
async def create_series(body: SeriesIn, db: DbSession, user: CurrentUser) -> SeriesOut:
    created = await series.create_series(db=db, actor=user, title=body.title, description=body.description)
    return await present_series(db, created, user)


@router.get("/series/{series_id}")
async def get_series(series_id: int, db: DbSession, viewer: OptionalUser, storage: Storage) -> SeriesOut:
    found = await series.access_series(db=db, series_id=series_id, viewer=viewer)
    return await present_series(db, found, viewer, storage)


@router.patch("/series/{series_id}")
async def update_series(series_id: int, body: SeriesUpdateIn, db: DbSession, user: CurrentUser) -> SeriesOut:
    found = await series.access_own_series(db=db, series_id=series_id, actor=user)
    await series.update_series(db=db, series=found, **body.model_dump(exclude_unset=True))
    return await present_series(db, found, user)


@router.delete("/series/{series_id}", status_code=204)
async def delete_series(series_id: int, db: DbSession, user: CurrentUser) -> None:
    found = await series.access_own_series(db=db, series_id=series_id, actor=user)
    await series.delete_series(db=db, series=found)


@router.post("/series/{series_id}/parts", status_code=201)
async def add_part(series_id: int, body: SeriesPartIn, db: DbSession, user: CurrentUser) -> SeriesOut:
    found = await series.access_own_series(db=db, series_id=series_id, actor=user)
    video = await access_own_video(db=db, video_id=body.video_id, actor=user)
    await series.add_part(db=db, actor=user, series=found, video=video, position=body.position)
    return await present_series(db, found, user)


@router.delete("/series/{series_id}/parts/{video_id}", status_code=204)
async def remove_part(series_id: int, video_id: int, db: DbSession, user: CurrentUser) -> None:
    found = await series.access_own_series(db=db, series_id=series_id, actor=user)
    await series.remove_part(db=db, actor=user, series=found, video_id=video_id)


@router.put("/series/{series_id}/order")
async def reorder(series_id: int, body: SeriesOrderIn, db: DbSession, user: CurrentUser) -> SeriesOut:
    found = await series.access_own_series(db=db, series_id=series_id, actor=user)
    await series.reorder_parts(db=db, actor=user, series=found, video_ids=body.video_ids)
    return await present_series(db, found, user)


@router.post("/series/{series_id}/follow")
async def follow_series(series_id: int, db: DbSession, user: CurrentUser) -> SeriesOut:
    found = await series.access_series(db=db, series_id=series_id, viewer=user)
    await series.follow_series(db=db, actor=user, series=found)
    return await present_series(db, found, user)


@router.delete("/series/{series_id}/follow")
async def unfollow_series(series_id: int, db: DbSession, user: CurrentUser) -> SeriesOut:
    found = await series.access_series(db=db, series_id=series_id, viewer=user)
    await series.unfollow_series(db=db, actor=user, series=found)
    return await present_series(db, found, user)


@router.get("/videos/{video_id}/series")
async def video_series(video_id: int, db: DbSession, viewer: OptionalUser) -> SeriesPlaceOut:
    """Where the video sits in its series ("Part N of M"), with the previous and next parts."""
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    place = await series.place_of(db=db, video=video, viewer=viewer)
    if place is None:
        raise NotFound("This video is not part of a series.", code="series_not_found")
    return present_place(place)


@router.get("/me/series-updates")
async def series_updates(db: DbSession, user: CurrentUser, storage: Storage) -> NewPartsOut:
    """New parts of the series you follow, newest first."""
    found = await series.new_parts(db=db, viewer=user)
    shown = {v.id: v for v in await present_videos(db, [item.video for item in found], user, storage)}
    return NewPartsOut(
        unread=await series.unread_new_parts(db=db, viewer=user),
        updates=[
            NewPartOut(
                id=item.id,
                series_id=item.series.id,
                series_title=item.series.title,
                unread=item.unread,
                video=shown[item.video.id],
            )
            for item in found
        ],
    )


@router.post("/me/series-updates/read", status_code=204)
async def mark_series_updates_read(db: DbSession, user: CurrentUser) -> None:
    await series.mark_new_parts_read(db=db, viewer=user)


# Collections


@router.get("/me/collections")
async def my_collections(db: DbSession, user: CurrentUser) -> list[CollectionOut]:
    return [present_collection(c) for c in await collections.list_collections(db=db, owner=user)]


@router.post("/collections", status_code=201)
async def create_collection(body: CollectionIn, db: DbSession, user: CurrentUser) -> CollectionOut:
    created = await collections.create_collection(db=db, actor=user, name=body.name, is_public=body.is_public)
    return present_collection(created)


@router.get("/collections/{collection_id}")
async def get_collection(
    collection_id: int, db: DbSession, user: CurrentUser, storage: Storage
) -> CollectionVideosOut:
    found = await collections.access_own_collection(db=db, collection_id=collection_id, actor=user)
    videos = await collections.collection_videos(db=db, collection=found, viewer=user)
    return CollectionVideosOut(
        **present_collection(found).model_dump(), videos=await present_videos(db, videos, user, storage)
    )


@router.get("/collections/shared/{token}")
async def shared_collection(
    token: str, db: DbSession, viewer: OptionalUser, storage: Storage
) -> CollectionVideosOut:
    found = await collections.access_shared_collection(db=db, token=token, viewer=viewer)
    videos = await collections.collection_videos(db=db, collection=found, viewer=viewer)
    return CollectionVideosOut(
        **present_collection(found).model_dump(), videos=await present_videos(db, videos, viewer, storage)
    )


@router.patch("/collections/{collection_id}")
async def update_collection(
    collection_id: int, body: CollectionUpdateIn, db: DbSession, user: CurrentUser
) -> CollectionOut:
    found = await collections.access_own_collection(db=db, collection_id=collection_id, actor=user)
    await collections.update_collection(db=db, collection=found, **body.model_dump(exclude_unset=True))
    return present_collection(found)


@router.delete("/collections/{collection_id}", status_code=204)
async def delete_collection(collection_id: int, db: DbSession, user: CurrentUser) -> None:
    found = await collections.access_own_collection(db=db, collection_id=collection_id, actor=user)
    await collections.delete_collection(db=db, collection=found)


@router.post("/collections/{collection_id}/videos", status_code=201)
async def save_video(
    collection_id: int, body: CollectionItemIn, db: DbSession, user: CurrentUser
) -> CollectionOut:
    found = await collections.access_own_collection(db=db, collection_id=collection_id, actor=user)
    video = await access_video(db=db, video_id=body.video_id, viewer=user)
    await collections.save_video(db=db, actor=user, collection=found, video=video)
    return present_collection(found)


@router.delete("/collections/{collection_id}/videos/{video_id}", status_code=204)
async def unsave_video(collection_id: int, video_id: int, db: DbSession, user: CurrentUser) -> None:
    found = await collections.access_own_collection(db=db, collection_id=collection_id, actor=user)
    await collections.unsave_video(db=db, actor=user, collection=found, video_id=video_id)


# Subtitles


@router.get("/videos/{video_id}/subtitles")
async def list_subtitles(video_id: int, db: DbSession, viewer: OptionalUser) -> list[SubtitleOut]:
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    return [present_subtitle(s) for s in await subtitles.list_subtitles(db=db, video=video)]


@router.put("/videos/{video_id}/subtitles/{language}")
async def put_subtitles(
    video_id: int, language: str, file: UploadFile, db: DbSession, user: CurrentUser
) -> SubtitleOut:
    """Upload WebVTT or SRT subtitles (UTF-8, up to 256 KB) for one language, replacing earlier ones."""
    video = await access_own_video(db=db, video_id=video_id, actor=user)
    data = await file.read(subtitles.MAX_SUBTITLE_BYTES + 1)
    subtitle = await subtitles.set_subtitles(db=db, actor=user, video=video, language=language[:8], data=data)
    return present_subtitle(subtitle)


@router.get("/videos/{video_id}/subtitles/{language}.vtt", response_class=Response)
async def get_subtitles_file(video_id: int, language: str, db: DbSession, viewer: OptionalUser) -> Response:
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    subtitle = await subtitles.get_subtitle(db=db, video=video, language=language)
    return Response(
        subtitle.vtt,
        media_type="text/vtt; charset=utf-8",
        headers={"Cache-Control": "private, max-age=60", "X-Content-Type-Options": "nosniff"},
    )


@router.delete("/videos/{video_id}/subtitles/{language}", status_code=204)
async def delete_subtitles(video_id: int, language: str, db: DbSession, user: CurrentUser) -> None:
    video = await access_own_video(db=db, video_id=video_id, actor=user)
    await subtitles.delete_subtitles(db=db, actor=user, video=video, language=language)


# Video answers


@router.put("/videos/{video_id}/answer")
async def answer_comment(video_id: int, body: AnswerIn, db: DbSession, user: CurrentUser) -> QuestionOut:
    """Make this video the answer to a comment on another of your videos."""
    video = await access_own_video(db=db, video_id=video_id, actor=user)
    await answers.answer_comment(db=db, actor=user, video=video, comment_id=body.comment_id)
    question = await answers.question_of(db=db, video=video, viewer=user)
    assert question is not None
    return _question_out(question)


@router.get("/videos/{video_id}/answer")
async def video_question(video_id: int, db: DbSession, viewer: OptionalUser) -> QuestionOut:
    """The comment this video answers."""
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    question = await answers.question_of(db=db, video=video, viewer=viewer)
    if question is None:
        raise NotFound("This video doesn't answer a comment.", code="answer_not_found")
    return _question_out(question)


@router.delete("/videos/{video_id}/answer", status_code=204)
async def remove_answer(video_id: int, db: DbSession, user: CurrentUser) -> None:
    video = await access_own_video(db=db, video_id=video_id, actor=user)
    await answers.remove_answer(db=db, actor=user, video=video)


@router.get("/comments/{comment_id}/answers")
async def comment_answers(
    comment_id: int, db: DbSession, viewer: OptionalUser, storage: Storage
) -> VideoListOut:
    """The videos that answer this comment."""
    videos = await answers.answers_to_comment(db=db, comment_id=comment_id, viewer=viewer)
    return VideoListOut(videos=await present_videos(db, videos, viewer, storage), next_cursor=None)


def _question_out(question: answers.Question) -> QuestionOut:
    return QuestionOut(
        comment_id=question.comment.id,
        body=question.comment.body,
        author_username=question.author.username,
        video_url=f"/v/{question.video.id}" if question.video else None,
    )


# Related


@router.get("/videos/{video_id}/related")
async def related(
    video_id: int,
    db: DbSession,
    viewer: OptionalUser,
    storage: Storage,
    limit: int = Query(12, ge=1, le=30),
) -> VideoListOut:
    """Lihat juga: the next part of the series, then videos sharing text, hashtags, topic or creator."""
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    found = await related_videos(db=db, video=video, viewer=viewer, limit=limit)
    return VideoListOut(videos=await present_videos(db, found, viewer, storage), next_cursor=None)
