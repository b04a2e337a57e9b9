"""Serving stored media. Every request is authorised like the video page itself; MP4 answers HTTP
range requests (seeking, and the browser's preloading) through Starlette's FileResponse."""

import re

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

from kilas.deps import DbSession, OptionalUser, Storage
from kilas.enums import Visibility
from kilas.errors import NotFound
from kilas.videos.service import access_media_file

router = APIRouter(include_in_schema=False)
AVATAR_FOLDER = re.compile(r"^\d+-[0-9a-f]{16}$")
MEDIA_TYPES = {"mp4": "video/mp4", "jpg": "image/jpeg", "webp": "image/webp"}


@router.api_route("/media/v/{video_id}/{filename}", methods=["GET", "HEAD"])
async def video_file(
    video_id: int, filename: str, db: DbSession, viewer: OptionalUser, storage: Storage
) -> Response:
    video, key = await access_media_file(db=db, video_id=video_id, filename=filename, viewer=viewer)
    path = storage.local_path(key)
    if path is None:
        raise NotFound()
    # Files never change under a key; visibility can, so only public files may sit in shared caches.
    cache = "public, max-age=3600" if video.visibility == Visibility.public else "private, max-age=600"
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[filename.rsplit(".", 1)[1]],
        headers={"Cache-Control": cache, "Cross-Origin-Resource-Policy": "same-site"},
    )


@router.get("/media/avatars/{folder}/avatar.jpg")
async def avatar_file(folder: str, storage: Storage) -> Response:
    if not AVATAR_FOLDER.match(folder):
        raise NotFound()
    path = storage.local_path(f"avatars/{folder}/avatar.jpg")
    if path is None:
        raise NotFound()
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=86400"})
