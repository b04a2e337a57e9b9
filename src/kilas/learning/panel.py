"""What the page of one video shows beside the player: its series (Part N of M, previous and next),
subtitles, saving to collections, the question it answers and the answers it received, Lihat juga."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.learning import answers, collections, series, subtitles
from kilas.learning.presenters import present_collection, present_place, present_subtitle
from kilas.search.related import related_videos
from kilas.search.topics import TOPICS, suggest_topic, topic_label, topic_out
from kilas.social.models import Comment
from kilas.videos.models import Video
from kilas.videos.presenters import present_videos


async def video_panel(*, db: AsyncSession, video: Video, viewer: User | None) -> dict[str, Any]:
    place = await series.place_of(db=db, video=video, viewer=viewer)
    shown_subtitles = [present_subtitle(s) for s in await subtitles.list_subtitles(db=db, video=video)]
    question = await answers.question_of(db=db, video=video, viewer=viewer)
    panel: dict[str, Any] = {
        "video_id": video.id,
        "place": present_place(place) if place else None,
        "subtitles": shown_subtitles,
        "subtitle_tracks": [s.model_dump(mode="json") for s in shown_subtitles],
        "question": question,
        "answers": await answers.answers_on(db=db, video=video, viewer=viewer, limit=5),
        "related": await present_videos(
            db, await related_videos(db=db, video=video, viewer=viewer, limit=8), viewer
        ),
        "topic": topic_out(next(t for t in TOPICS if t.slug == video.topic)) if video.topic else None,
        "topic_label": topic_label(video.topic),
        "collections": [],
        "saved_in": set(),
        "owner": None,
    }
    if viewer is not None:
        panel["collections"] = [
            present_collection(c) for c in await collections.list_collections(db=db, owner=viewer)
        ]
        panel["saved_in"] = await collections.collections_with_video(db=db, actor=viewer, video_id=video.id)
    if viewer is not None and viewer.id == video.owner_id:
        suggested = suggest_topic(video.caption)
        recent_comments = (
            await db.execute(
                select(Comment.id, Comment.body)
                .join(Video, Video.id == Comment.video_id)
                .where(Video.owner_id == viewer.id, Video.id != video.id, Comment.author_id != viewer.id)
                .order_by(Comment.id.desc())
                .limit(20)
            )
        ).all()
        panel["owner"] = {
            "series": await series.list_own_series(db=db, owner=viewer),
            "topics": [topic_out(t) for t in TOPICS],
            "suggested_topic": suggested.slug if suggested else None,
            "comments": [{"id": row.id, "body": row.body} for row in recent_comments],
        }
    return panel
