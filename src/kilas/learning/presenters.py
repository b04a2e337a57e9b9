"""API shapes of series, collections and subtitles."""

from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.learning import series as series_service
from kilas.learning.models import Collection, Series, Subtitle
from kilas.learning.schemas import CollectionOut, SeriesOut, SeriesPlaceOut, SubtitleOut
from kilas.learning.series import SeriesPlace
from kilas.learning.subtitles import language_name
from kilas.storage import Storage
from kilas.videos.presenters import present_videos
from kilas.web.i18n import gettext


async def present_series(
    db: AsyncSession, series: Series, viewer: User | None, storage: Storage | None = None
) -> SeriesOut:
    from kilas.learning.models import SeriesFollow

    owner = await db.get(User, series.owner_id)
    assert owner is not None
    parts = await series_service.parts(db=db, series=series, viewer=viewer)
    following = viewer is not None and await db.get(SeriesFollow, (viewer.id, series.id)) is not None
    return SeriesOut(
        id=series.id,
        url=f"/seri/{series.id}",
        title=series.title,
        description=series.description,
        owner_username=owner.username,
        followers_count=series.followers_count,
        followed_by_me=following,
        parts=await present_videos(db, parts, viewer, storage),
    )


def part_label(number: int, total: int) -> str:
    return gettext("Part {number} of {total}", number=number, total=total)


def present_place(place: SeriesPlace) -> SeriesPlaceOut:
    return SeriesPlaceOut(
        series_id=place.series.id,
        series_title=place.series.title,
        series_url=f"/seri/{place.series.id}",
        number=place.number,
        total=place.total,
        label=part_label(place.number, place.total),
        previous_url=f"/v/{place.previous.id}" if place.previous else None,
        next_url=f"/v/{place.next.id}" if place.next else None,
        following=place.following,
    )


def present_collection(collection: Collection) -> CollectionOut:
    return CollectionOut(
        id=collection.id,
        name=collection.name,
        is_public=collection.is_public,
        items_count=collection.items_count,
        share_url=f"/koleksi/{collection.share_token}" if collection.is_public else None,
        created_at=collection.created_at,
    )


def present_subtitle(subtitle: Subtitle) -> SubtitleOut:
    return SubtitleOut(
        language=subtitle.language,
        label=language_name(subtitle.language),
        cues_count=subtitle.cues_count,
        url=f"/api/v1/videos/{subtitle.video_id}/subtitles/{subtitle.language}.vtt",
        updated_at=subtitle.updated_at,
    )
