"""Resumable uploads (the tus 1.0 core protocol with the creation, termination and expiration
extensions). Mobile connections drop: the client asks for the offset and sends the rest.

Bytes go to `<upload dir>/<id>.part`; the row holds the committed offset. A chunk is appended at the
committed offset and the offset advanced with a compare-and-set, so two racing requests for the same
upload cannot both advance it.
"""

import asyncio
import base64
import binascii
import os
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import utcnow
from kilas.enums import Visibility
from kilas.errors import Conflict, InvalidInput, NotFound, TooLarge
from kilas.jobs import JobContext, JobQueue, job
from kilas.storage import Storage
from kilas.videos.models import Upload, Video
from kilas.videos.service import check_caption, check_visibility, create_video

UPLOAD_LIFETIME = timedelta(hours=24)
MAX_METADATA_LENGTH = 8192


def parse_metadata(header: str | None) -> dict[str, str]:
    """`Upload-Metadata: key base64value, key2 base64value2` → dict."""
    if not header:
        return {}
    if len(header) > MAX_METADATA_LENGTH:
        raise InvalidInput("The upload details are too long.")
    metadata: dict[str, str] = {}
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts[0]:
            continue
        try:
            metadata[parts[0]] = base64.b64decode(parts[1], validate=True).decode() if len(parts) > 1 else ""
        except (binascii.Error, UnicodeDecodeError) as error:
            raise InvalidInput("The upload details could not be read.") from error
    return metadata


def part_path(upload_dir: Path, upload_id: str) -> Path:
    return upload_dir / f"{upload_id}.part"


async def create_upload(
    *, db: AsyncSession, upload_dir: Path, owner: User, length: int, metadata: dict[str, str], max_bytes: int
) -> Upload:
    if length <= 0:
        raise InvalidInput("The file is empty.", code="upload_empty")
    if length > max_bytes:
        raise TooLarge("The file is too large. The maximum is {mb} MB.", mb=max_bytes // (1024 * 1024))
    upload = Upload(
        id=secrets.token_hex(16),
        owner_id=owner.id,
        length=length,
        caption=check_caption(metadata.get("caption", "")),
        visibility=check_visibility(metadata.get("visibility", Visibility.public.value)),
        expires_at=utcnow() + UPLOAD_LIFETIME,
    )
    db.add(upload)
    await db.flush()
    upload_dir.mkdir(parents=True, exist_ok=True)
    part_path(upload_dir, upload.id).touch()
    return upload


async def get_upload(*, db: AsyncSession, upload_id: str, owner: User) -> Upload:
    upload = await db.get(Upload, upload_id) if len(upload_id) <= 40 else None
    if upload is None or upload.owner_id != owner.id or upload.expires_at < utcnow():
        raise NotFound(
            "This upload has expired or does not exist. Please start again.", code="upload_not_found"
        )
    return upload


async def append_chunk(
    *,
    db: AsyncSession,
    storage: Storage,
    jobs: JobQueue,
    upload_dir: Path,
    upload: Upload,
    owner: User,
    offset: int,
    chunks: AsyncIterator[bytes],
    max_seconds: float,
) -> Video | None:
    """Append the request body at `offset`. Returns the video when this chunk completed the file."""
    if upload.video_id is not None:
        raise Conflict("This upload is already finished.", code="upload_finished")
    if offset != upload.offset:
        raise Conflict(
            "The upload offset does not match. Resume from the server's offset.", code="offset_mismatch"
        )
    path = part_path(upload_dir, upload.id)
    if not path.exists():  # kept on another web node's disk, or cleaned up: the client starts again
        raise NotFound(
            "This upload has expired or does not exist. Please start again.", code="upload_not_found"
        )
    written = await _write_at(path, offset, chunks, limit=upload.length - offset)
    new_offset = offset + written
    result = await db.execute(
        update(Upload).where(Upload.id == upload.id, Upload.offset == offset).values(offset=new_offset)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise Conflict("Another request is uploading this file.", code="offset_mismatch")
    upload.offset = new_offset
    if new_offset < upload.length:
        return None
    video = await create_video(
        db=db,
        storage=storage,
        jobs=jobs,
        owner=owner,
        source=path,
        caption=upload.caption,
        visibility=upload.visibility,
        max_seconds=max_seconds,
    )
    upload.video_id = video.id
    return video


async def _write_at(path: Path, offset: int, chunks: AsyncIterator[bytes], *, limit: int) -> int:
    """Write the stream at `offset`, at most `limit` bytes. The caller's stream ends quietly when the
    client goes away, so bytes that arrived before a dropped connection are kept and counted."""
    written = 0
    handle = await asyncio.to_thread(open, path, "r+b")
    try:
        handle.seek(offset)
        handle.truncate()
        try:
            async for chunk in chunks:
                if written + len(chunk) > limit:
                    raise TooLarge("The file is larger than announced.", code="upload_overflow")
                await asyncio.to_thread(handle.write, chunk)
                written += len(chunk)
        except TooLarge:
            handle.truncate(offset)
            raise
        await asyncio.to_thread(handle.flush)
        await asyncio.to_thread(os.fsync, handle.fileno())
    finally:
        handle.close()
    return written


async def cancel_upload(*, db: AsyncSession, upload_dir: Path, upload: Upload) -> None:
    await db.delete(upload)
    await db.flush()
    part_path(upload_dir, upload.id).unlink(missing_ok=True)


@job("clean_expired_uploads", every_minutes=30)
async def clean_expired_uploads(ctx: JobContext) -> None:
    async with ctx.sessionmaker() as db:
        expired = list(await db.scalars(select(Upload).where(Upload.expires_at < utcnow())))
        for upload in expired:
            part_path(ctx.settings.upload_dir, upload.id).unlink(missing_ok=True)
            await db.delete(upload)
        await db.commit()
