"""Shared test media, generated once and cached under test-output/clips.

Each clip's file name carries a hash of its recipe, so changing a recipe makes a
fresh file instead of reusing a stale one. Generation is guarded by a file lock
so parallel pytest-xdist workers never race or see half-written files.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from kilas.media.generate import generate_clip
from kilas.media.transcode import ffmpeg_path, options, run_ffmpeg

CLIP_DIR = Path(__file__).resolve().parents[1] / "test-output" / "clips"
# Bump when generate.py changes what existing recipes produce, or a clip derived
# from another one (truncated, webm_no_duration) must follow a change to its source.
RECIPES_VERSION = 1

# Ports nothing listens on; tests bind their own listener to prove no connection is made.
HOSTILE_HTTP_URL = "http://127.0.0.1:9/x.ts"
HOSTILE_CONCAT_URL = "http://127.0.0.1:9/a.mp4"


@dataclass(frozen=True)
class _Recipe:
    extension: str
    build: Callable[[Path], None]


def _video(**params: object) -> Callable[[Path], None]:
    def build(dst: Path) -> None:
        generate_clip(dst, ffmpeg=ffmpeg_path(), **params)  # type: ignore[arg-type]

    return build


def _truncated(source: str, keep_fraction: float) -> Callable[[Path], None]:
    def build(dst: Path) -> None:
        data = clip(source).read_bytes()
        dst.write_bytes(data[: int(len(data) * keep_fraction)])

    return build


def _webm_without_duration(dst: Path) -> None:
    # Browser recorders (MediaRecorder) write WebM like this: no duration in the header.
    run_ffmpeg(
        [
            ffmpeg_path(),
            *("-nostdin", "-hide_banner", "-loglevel", "error", "-y"),
            *options({"-i": str(clip("vp9_webm")), "-c": "copy", "-f": "webm", "-live": "1"}),
            str(dst),
        ],
        timeout_s=60,
    )


def _text(content: str) -> Callable[[Path], None]:
    def build(dst: Path) -> None:
        dst.write_text(content, encoding="utf-8")

    return build


def _png(dst: Path) -> None:
    Image.new("RGB", (320, 240), (200, 40, 90)).save(dst, format="PNG")


def _audio_only(dst: Path) -> None:
    run_ffmpeg(
        [
            ffmpeg_path(),
            *("-nostdin", "-hide_banner", "-loglevel", "error", "-y"),
            *options({"-f": "lavfi", "-i": "sine=frequency=330:sample_rate=44100:duration=2"}),
            *options({"-c:a": "aac", "-f": "mp4"}),
            str(dst),
        ],
        timeout_s=60,
    )


_HLS_PLAYLIST = f"""#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:10
#EXTINF:10.0,
{HOSTILE_HTTP_URL}
#EXTINF:10.0,
file:///etc/passwd
#EXT-X-ENDLIST
"""

_FFCONCAT = f"""ffconcat version 1.0
file '{HOSTILE_CONCAT_URL}'
file '/etc/passwd'
"""

_RECIPES: dict[str, _Recipe] = {
    # Which clips take the remux path is part of their contract (see
    # test_generated_clips_plan_as_documented): the low CRFs below keep "vertical",
    # "horizontal", "no_audio" and "mov" well above the remux bitrate cap, while
    # "h264_compatible", "tiny" and "long" are well below it and remux.
    "vertical": _Recipe("mp4", _video(width=360, height=640, crf=18)),
    "horizontal": _Recipe("mp4", _video(width=640, height=360, hue=240, crf=16)),
    "h264_compatible": _Recipe("mp4", _video(width=360, height=640, preset="veryfast", hue=120)),
    "vp9_webm": _Recipe("webm", _video(container="webm", video_codec="libvpx-vp9", pattern="gradients")),
    "no_audio": _Recipe("mp4", _video(audio=False, hue=200, crf=16)),
    "webm_no_duration": _Recipe("webm", _webm_without_duration),
    "rotated": _Recipe("mp4", _video(width=640, height=360, rotate=90)),
    "mov": _Recipe("mov", _video(container="mov", hue=60, crf=16)),
    "tiny": _Recipe("mp4", _video(width=160, height=284, duration_s=2.0)),
    "long": _Recipe("mp4", _video(width=180, height=320, duration_s=12.0, fps=15)),
    "hd_30s": _Recipe("mp4", _video(width=1080, height=1920, duration_s=30.0, fps=30)),
    "moov_at_end": _Recipe("mp4", _video(faststart=False, hue=300, preset="veryfast")),
    # Hostile or broken uploads, all disguised as .mp4.
    "text_as_mp4": _Recipe("mp4", _text("This is not a video, just some text.\n" * 20)),
    "hls_playlist": _Recipe("mp4", _text(_HLS_PLAYLIST)),
    "ffconcat": _Recipe("mp4", _text(_FFCONCAT)),
    "truncated_mp4": _Recipe("mp4", _truncated("h264_compatible", 0.5)),
    "truncated_mp4_moov_at_end": _Recipe("mp4", _truncated("moov_at_end", 0.4)),
    "truncated_webm": _Recipe("webm", _truncated("vp9_webm", 0.5)),
    "empty": _Recipe("mp4", _text("")),
    "image_png": _Recipe("mp4", _png),
    "audio_only": _Recipe("m4a", _audio_only),
}

CLIP_NAMES = tuple(_RECIPES)


def clip(name: str) -> Path:
    """Path to the named test clip, generating it on first use."""
    recipe = _RECIPES[name]
    path = CLIP_DIR / f"{name}-{_recipe_hash(recipe)}.{recipe.extension}"
    if path.exists():
        return path
    CLIP_DIR.mkdir(parents=True, exist_ok=True)
    with _locked(CLIP_DIR / f".{name}.lock"):
        if not path.exists():
            _build_atomically(recipe, path)
    return path


def _recipe_hash(recipe: _Recipe) -> str:
    closure = recipe.build.__closure__ or ()
    parameters = [_describe(cell.cell_contents) for cell in closure]
    key = repr((RECIPES_VERSION, recipe.extension, recipe.build.__qualname__, parameters))
    return hashlib.sha256(key.encode()).hexdigest()[:10]


def _describe(value: object) -> object:
    return sorted(value.items()) if isinstance(value, dict) else value


def _build_atomically(recipe: _Recipe, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        recipe.build(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on `path`; closing the file releases it."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
