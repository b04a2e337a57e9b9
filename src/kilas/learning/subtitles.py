"""Subtitles: a creator uploads WebVTT or SRT; we keep a clean WebVTT of our own making.

The upload is parsed with a maintained parser (webvtt-py, srt), every cue is checked (times in
order and within the video, text not too long) and reduced to plain text: markup, styles, regions and
notes are dropped, so what a browser renders is only text we wrote out and escaped ourselves. The
plain text is indexed for search.
"""

import html
import re

import srt
import webvtt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.errors import InvalidInput, NotFound, PermissionDenied, TooLarge
from kilas.learning.models import Subtitle
from kilas.videos.models import Video

MAX_SUBTITLE_BYTES = 256 * 1024
MAX_CUES = 3000
MAX_CUE_CHARACTERS = 400
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
TAG = re.compile(r"<[^>]*>")
VTT_TIME = re.compile(r"^(?:(\d+):)?([0-5]\d):([0-5]\d)[.,](\d{3})$")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English", "jv": "Basa Jawa", "su": "Basa Sunda"}


class Cue:
    __slots__ = ("end_ms", "start_ms", "text")

    def __init__(self, start_ms: int, end_ms: int, text: str) -> None:
        self.start_ms, self.end_ms, self.text = start_ms, end_ms, text


def check_language(language: str) -> str:
    language = language.strip().lower()
    if not LANGUAGE.match(language):
        raise InvalidInput("Choose the language of the subtitles (for example id or en).", field="language")
    return language


def _vtt_ms(value: str) -> int:
    match = VTT_TIME.match(value.strip())
    if not match:
        raise ValueError(value)
    hours, minutes, seconds, millis = (int(part or 0) for part in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _clean_text(raw: str) -> str:
    text = html.unescape(TAG.sub("", raw))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _decode(data: bytes) -> str:
    if len(data) > MAX_SUBTITLE_BYTES:
        raise TooLarge("Subtitle files can be at most {kb} KB.", kb=MAX_SUBTITLE_BYTES // 1024)
    if not data.strip():
        raise InvalidInput("The subtitle file is empty.", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput("Save the subtitle file as UTF-8 text and try again.", field="file") from error


def parse_subtitles(data: bytes) -> list[Cue]:
    """Cues of a WebVTT or SRT file (detected from its content), or a clear 4xx."""
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InvalidInput(
            "This is not a subtitle file. Upload a WebVTT (.vtt) or SRT (.srt) file.", field="file"
        )
    cues: list[Cue] = []
    try:
        if text.lstrip().startswith("WEBVTT"):
            for caption in webvtt.from_string(text).captions:
                cues.append(Cue(_vtt_ms(caption.start), _vtt_ms(caption.end), _clean_text(caption.raw_text)))
        else:
            for item in srt.parse(text):
                start = int(item.start.total_seconds() * 1000)
                end = int(item.end.total_seconds() * 1000)
                cues.append(Cue(start, end, _clean_text(item.content)))
    except (
        webvtt.errors.MalformedFileError,
        webvtt.errors.MalformedCaptionError,
        srt.SRTParseError,
        ValueError,
    ) as error:
        raise InvalidInput(
            "This is not a subtitle file. Upload a WebVTT (.vtt) or SRT (.srt) file.", field="file"
        ) from error
    cues = [cue for cue in cues if cue.text]
    if not cues:
        raise InvalidInput("The subtitle file has no lines of text.", field="file")
    if len(cues) > MAX_CUES:
        raise InvalidInput("Subtitle files can have at most {num} lines.", field="file", num=MAX_CUES)
    return cues


def check_cues(cues: list[Cue], duration_s: float | None) -> list[Cue]:
    limit_ms = int(((duration_s or 0) + 5) * 1000) if duration_s else 24 * 3600 * 1000
    for number, cue in enumerate(cues, start=1):
        if cue.end_ms <= cue.start_ms:
            raise InvalidInput("Line {num} of the subtitles ends before it starts.", field="file", num=number)
        if cue.start_ms > limit_ms:
            raise InvalidInput(
                "Line {num} of the subtitles starts after the video ends.", field="file", num=number
            )
        if len(cue.text) > MAX_CUE_CHARACTERS:
            raise InvalidInput("Line {num} of the subtitles is too long.", field="file", num=number)
    return sorted(cues, key=lambda cue: (cue.start_ms, cue.end_ms))


def _timestamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "--&gt;")


def write_vtt(cues: list[Cue]) -> str:
    blocks = [f"{_timestamp(c.start_ms)} --> {_timestamp(c.end_ms)}\n{_escape(c.text)}" for c in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


async def set_subtitles(
    *, db: AsyncSession, actor: User, video: Video, language: str, data: bytes
) -> Subtitle:
    """Add or replace the subtitles of one language of the actor's video."""
    if video.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this video.")
    language = check_language(language)
    cues = check_cues(parse_subtitles(data), video.duration_s)
    vtt = write_vtt(cues)
    plain = " ".join(cue.text.replace("\n", " ") for cue in cues)
    subtitle = await db.scalar(
        select(Subtitle).where(Subtitle.video_id == video.id, Subtitle.language == language)
    )
    if subtitle is None:
        subtitle = Subtitle(
            video_id=video.id, language=language, vtt=vtt, plain_text=plain, cues_count=len(cues)
        )
        db.add(subtitle)
    else:
        subtitle.vtt, subtitle.plain_text, subtitle.cues_count = vtt, plain, len(cues)
    await db.flush()
    return subtitle


async def list_subtitles(*, db: AsyncSession, video: Video) -> list[Subtitle]:
    return list(
        await db.scalars(select(Subtitle).where(Subtitle.video_id == video.id).order_by(Subtitle.language))
    )


async def get_subtitle(*, db: AsyncSession, video: Video, language: str) -> Subtitle:
    subtitle = await db.scalar(
        select(Subtitle).where(Subtitle.video_id == video.id, Subtitle.language == language[:8].lower())
    )
    if subtitle is None:
        raise NotFound("This video has no subtitles in that language.", code="subtitles_not_found")
    return subtitle


async def delete_subtitles(*, db: AsyncSession, actor: User, video: Video, language: str) -> None:
    if video.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this video.")
    subtitle = await get_subtitle(db=db, video=video, language=language)
    await db.delete(subtitle)
    await db.flush()


def language_name(language: str) -> str:
    return LANGUAGE_NAMES.get(language, language)
