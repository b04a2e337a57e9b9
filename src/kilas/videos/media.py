"""Serving stored media. Every request is authorised like the video page itself.

Files on this machine are sent by Starlette's FileResponse (it answers HTTP range requests: seeking, and
the browser's preloading). Files in object storage are not proxied: once authorised, the browser is
redirected to a short-lived presigned URL, or to the CDN for public files."""

import asyncio
import re

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse, RedirectResponse

from kilas.deps import DbSession, OptionalUser, Storage
from kilas.enums import Visibility
from kilas.errors import NotFound
from kilas.storage import Storage as StorageProtocol
from kilas.videos.service import access_media_file

router = APIRouter(include_in_schema=False)
AVATAR_FOLDER = re.compile(r"^\d+-[0-9a-f]{16}$")
MEDIA_TYPES = {"mp4": "video/mp4", "jpg": "image/jpeg", "webp": "image/webp"}
# The redirect carries a URL that is either a bearer token (presigned) or only right for this viewer
# at this moment (visibility can change): no cache, shared or private, may keep it.
REDIRECT_CACHE = "private, no-store"


@router.api_route("/media/v/{video_id}/{filename}", methods=["GET", "HEAD"])
async def video_file(
    video_id: int, filename: str, db: DbSession, viewer: OptionalUser, storage: Storage
) -> Response:
    video, key = await access_media_file(db=db, video_id=video_id, filename=filename, viewer=viewer)
    public = video.visibility == Visibility.public
    path = storage.local_path(key)
    if path is None:
        return await _redirect(storage, key, public=public)
    # Files never change under a key; visibility can, so only public files may sit in shared caches.
    cache = "public, max-age=3600" if public else "private, max-age=600"
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[filename.rsplit(".", 1)[1]],
        headers={"Cache-Control": cache, "Cross-Origin-Resource-Policy": "same-site"},
    )


@router.get("/media/avatars/{folder}/avatar.jpg")
async def avatar_file(folder: str, storage: Storage) -> Response:
    if not AVATAR_FOLDER.fullmatch(folder):
        raise NotFound()
    key = f"avatars/{folder}/avatar.jpg"
    path = storage.local_path(key)
    if path is None:
        return await _redirect(storage, key, public=True)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=86400"})


async def _redirect(storage: StorageProtocol, key: str, *, public: bool) -> Response:
    # Signing is local work, but the first one may have to fetch credentials (an instance role).
    url = await asyncio.to_thread(storage.public_url, key, public=public)
    if url is None:  # stored on this machine, but the file is missing
        raise NotFound()
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": REDIRECT_CACHE})
