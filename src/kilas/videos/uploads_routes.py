"""HTTP face of resumable uploads: the tus 1.0 protocol (https://tus.io/protocols/resumable-upload)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from starlette.requests import ClientDisconnect

from kilas.deps import CurrentUser, DbSession, Jobs, Limiter, Settings, Storage
from kilas.errors import DomainError, InvalidInput, UploadRejected
from kilas.videos import uploads
from kilas.web.responses import error_json

router = APIRouter(tags=["uploads"])
TUS_VERSION = "1.0.0"
TUS_HEADERS = {"Tus-Resumable": TUS_VERSION}


class TusVersionMismatch(DomainError):
    status = 412
    code = "tus_version"
    message = "This upload client is not supported."


def _check_version(tus_resumable: str | None) -> None:
    if tus_resumable != TUS_VERSION:
        raise TusVersionMismatch()


@router.options("/uploads", include_in_schema=False)
async def tus_options(settings: Settings) -> Response:
    return Response(
        status_code=204,
        headers={
            **TUS_HEADERS,
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": "creation,termination,expiration",
            "Tus-Max-Size": str(settings.max_upload_bytes),
        },
    )


@router.post("/uploads", status_code=201)
async def create_upload(
    user: CurrentUser,
    db: DbSession,
    settings: Settings,
    limiter: Limiter,
    upload_length: Annotated[int, Header(ge=0)],
    tus_resumable: Annotated[str | None, Header()] = None,
    upload_metadata: Annotated[str | None, Header(max_length=uploads.MAX_METADATA_LENGTH)] = None,
) -> Response:
    """Start a resumable upload. Metadata keys: `filename`, `caption`, `visibility`."""
    _check_version(tus_resumable)
    limiter.hit(settings.upload_rate, "upload", str(user.id))
    upload = await uploads.create_upload(
        db=db,
        upload_dir=settings.upload_dir,
        owner=user,
        length=upload_length,
        metadata=uploads.parse_metadata(upload_metadata),
        max_bytes=settings.max_upload_bytes,
    )
    return Response(
        status_code=201,
        headers={
            **TUS_HEADERS,
            "Location": f"/api/v1/uploads/{upload.id}",
            "Upload-Offset": "0",
            "Upload-Expires": upload.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        },
    )


@router.head("/uploads/{upload_id}")
async def upload_offset(upload_id: str, user: CurrentUser, db: DbSession) -> Response:
    upload = await uploads.get_upload(db=db, upload_id=upload_id, owner=user)
    headers = {
        **TUS_HEADERS,
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
    }
    if upload.video_id:
        headers["Kilas-Video-Id"] = str(upload.video_id)
    return Response(status_code=200, headers=headers)


@router.patch("/uploads/{upload_id}")
async def upload_chunk(
    upload_id: str,
    request: Request,
    user: CurrentUser,
    db: DbSession,
    storage: Storage,
    jobs: Jobs,
    settings: Settings,
    upload_offset: Annotated[int, Header(ge=0)],
    content_type: Annotated[str, Header()] = "",
    tus_resumable: Annotated[str | None, Header()] = None,
) -> Response:
    _check_version(tus_resumable)
    if content_type != "application/offset+octet-stream":
        raise InvalidInput("Send the file bytes as application/offset+octet-stream.", code="bad_content_type")
    upload = await uploads.get_upload(db=db, upload_id=upload_id, owner=user)
    try:
        video = await uploads.append_chunk(
            db=db,
            storage=storage,
            jobs=jobs,
            upload_dir=settings.upload_dir,
            upload=upload,
            owner=user,
            offset=upload_offset,
            chunks=_body(request),
            max_seconds=settings.max_video_seconds,
        )
    except UploadRejected as rejected:
        # The finished file is not a video we accept: nothing of it stays (committed on return).
        await uploads.cancel_upload(db=db, upload_dir=settings.upload_dir, upload=upload)
        response = error_json(rejected)
        response.headers.update(TUS_HEADERS)
        return response
    headers = {**TUS_HEADERS, "Upload-Offset": str(upload.offset)}
    if video is not None:
        headers["Kilas-Video-Id"] = str(video.id)
    return Response(status_code=204, headers=headers)


@router.delete("/uploads/{upload_id}", status_code=204)
async def cancel_upload(
    upload_id: str,
    user: CurrentUser,
    db: DbSession,
    settings: Settings,
    tus_resumable: Annotated[str | None, Header()] = None,
) -> Response:
    _check_version(tus_resumable)
    upload = await uploads.get_upload(db=db, upload_id=upload_id, owner=user)
    await uploads.cancel_upload(db=db, upload_dir=settings.upload_dir, upload=upload)
    return Response(status_code=204, headers=TUS_HEADERS)


async def _body(request: Request) -> AsyncIterator[bytes]:
    """The request body; ends quietly if the client drops, so what arrived is kept for resuming."""
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        return
