"""The media pipeline as a job: idempotent, recovered after a crash, queued durably."""

import httpx
from sqlalchemy import select, update

from kilas.enums import VideoStatus
from kilas.jobs import HueyQueue, JobContext
from kilas.settings import Settings
from kilas.videos.models import Rendition, Video
from kilas.videos.tasks import process_video, requeue_unfinished
from tests.conftest import Factory, stored_keys


def context(app: object) -> JobContext:
    return app.state.jobs.context  # type: ignore[attr-defined,no-any-return]


async def test_processing_twice_changes_nothing(
    client: httpx.AsyncClient, factory: Factory, app: object, db
) -> None:  # type: ignore[no-untyped-def]
    owner = await factory.account("kreator")
    video = await factory.video(owner, clip_name="horizontal")
    before = list(await db.scalars(select(Rendition.key).where(Rendition.video_id == video["id"])))
    await process_video(context(app), video_id=video["id"])
    after = list(await db.scalars(select(Rendition.key).where(Rendition.video_id == video["id"])))
    assert before == after and len(after) == 1
    assert (await db.get(Video, video["id"])).processing_attempts == 1


async def test_a_job_lost_mid_transcode_is_picked_up_again(
    client: httpx.AsyncClient, factory: Factory, app: object, db
) -> None:  # type: ignore[no-untyped-def]
    owner = await factory.account("kreator")
    video = await factory.video(owner)
    # As if the worker died after the first steps: renditions gone, status back to processing.
    await db.execute(Rendition.__table__.delete().where(Rendition.video_id == video["id"]))
    await db.execute(
        update(Video).where(Video.id == video["id"]).values(status=VideoStatus.processing, poster_key=None)
    )
    await db.commit()
    assert await requeue_unfinished(context(app), stale_seconds=0) == 1
    again = (await client.get(f"/api/v1/videos/{video['id']}", headers=owner.headers)).json()
    assert again["status"] == "ready" and again["renditions"] and again["poster_url"]


async def test_a_video_deleted_while_processing_leaves_no_files(
    client: httpx.AsyncClient,
    factory: Factory,
    app: object,
    settings: Settings,
    db,  # type: ignore[no-untyped-def]
) -> None:
    owner = await factory.account("kreator")
    video = await factory.video(owner)
    row = await db.get(Video, video["id"])
    prefix = row.media_prefix
    await client.delete(f"/api/v1/videos/{video['id']}", headers=owner.headers)
    await process_video(context(app), video_id=video["id"])  # a late retry finds nothing to do
    assert stored_keys(app, prefix) == []


async def test_queued_jobs_survive_a_restart(settings: Settings) -> None:
    """Huey on SQLite (embedded) or Redis (distributed): what was queued is there for the next process."""
    first = HueyQueue(settings)
    await first.enqueue("process_video", video_id=41)
    await first.enqueue("process_video", video_id=42)
    restarted = HueyQueue(settings)  # a new process opening the same queue
    assert restarted.huey.pending_count() == 2
