"""Make real video clips from ffmpeg's synthetic sources, for tests and demo content."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from kilas.media.transcode import options, run_ffmpeg

PATTERNS = ("testsrc2", "smptebars", "mandelbrot", "gradients", "cellauto", "life")
CONTAINERS = {"mp4": "mp4", "mov": "mov", "webm": "webm", "mkv": "matroska", "3gp": "3gp"}
VIDEO_CODECS = ("libx264", "libvpx-vp9", "mpeg4")

_PREFERRED_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
_FONT_ROOT = Path("/usr/share/fonts")
# Paths are embedded in a filter graph; anything outside this set would need escaping.
_FILTER_SAFE_PATH = re.compile(r"^[A-Za-z0-9/._-]+$")
_GENERATE_TIMEOUT_S = 600
_CELL_PATTERNS = ("cellauto", "life")
_CELL_PIXELS = 6
_QUIET = ("-nostdin", "-hide_banner", "-loglevel", "error", "-y")


def generate_clip(
    dst: Path,
    *,
    ffmpeg: str,
    width: int = 360,
    height: int = 640,
    duration_s: float = 3.0,
    fps: int = 24,
    video_codec: str = "libx264",
    container: str = "mp4",
    audio: bool = True,
    rotate: int = 0,
    pattern: str = "testsrc2",
    hue: float = 0.0,
    text: str | None = None,
    preset: str = "ultrafast",
    faststart: bool = True,
    crf: int | None = None,
) -> Path:
    """Encode a synthetic clip to `dst` and return `dst`.

    `width` x `height` is the coded size; `rotate` (clockwise degrees, as phones
    record it) is stored as display metadata, so a 640x360 clip with rotate=90
    displays as 360x640. `crf` overrides the codec's default quality.
    """
    _validate(container, video_codec, pattern, rotate)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kilas-clip-") as work:
        work_dir = Path(work)
        encoded = work_dir / f"encoded.{container}" if rotate else dst
        command = [
            ffmpeg,
            *_QUIET,
            *options({"-f": "lavfi", "-i": _source(pattern, width, height, fps)}),
        ]
        if audio:
            command += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
        command += ["-t", f"{duration_s:g}", "-map", "0:v"]
        if audio:
            command += ["-map", "1:a", *_audio_codec_args(container)]
        command += [
            *options({"-vf": _video_filters(pattern, width, height, hue, text, work_dir)}),
            *_video_codec_args(video_codec, preset, crf),
            *_muxer_args(container, faststart),
            str(encoded),
        ]
        run_ffmpeg(command, timeout_s=_GENERATE_TIMEOUT_S)
        if rotate:
            _copy_with_rotation(
                encoded, dst, ffmpeg=ffmpeg, rotate=rotate, container=container, faststart=faststart
            )
    return dst


def _validate(container: str, video_codec: str, pattern: str, rotate: int) -> None:
    if container not in CONTAINERS:
        raise ValueError(f"unsupported container {container!r}")
    if video_codec not in VIDEO_CODECS:
        raise ValueError(f"unsupported video codec {video_codec!r}")
    if pattern not in PATTERNS:
        raise ValueError(f"unknown pattern {pattern!r}")
    if rotate % 90 != 0:
        raise ValueError("rotate must be a multiple of 90 degrees")


def _source(pattern: str, width: int, height: int, fps: int) -> str:
    if pattern in _CELL_PATTERNS:
        width, height = max(8, width // _CELL_PIXELS), max(8, height // _CELL_PIXELS)
    size = f"size={width}x{height}:rate={fps}"
    extra = {
        "gradients": ":speed=0.03:n=4",
        "cellauto": ":rule=110:random_fill_ratio=0.4",
        "life": ":mold=10:ratio=0.3:life_color=#FFD23F:death_color=#3A2E8C:mold_color=#EE4266",
    }.get(pattern, "")
    return f"{pattern}={size}{extra}"


def _video_filters(
    pattern: str, width: int, height: int, hue: float, text: str | None, work_dir: Path
) -> str:
    filters = []
    if pattern in _CELL_PATTERNS:
        # Cells rendered one pixel each are noise to the encoder; chunky cells look and compress better.
        filters.append(f"scale={width}:{height}:flags=neighbor")
    if pattern == "cellauto":
        # cellauto is black and white; tint it so that `hue` has colour to shift.
        filters.append("format=rgb24,colorchannelmixer=rr=1:gg=0.55:bb=0.25")
    if hue:
        filters.append(f"hue=h={hue:g}")
    font = find_font() if text else None
    if text and font is not None:
        # Reading the text from a file avoids filter-graph escaping of user text.
        text_file = work_dir / "text.txt"
        text_file.write_text(text, encoding="utf-8")
        filters.append(
            f"drawtext=fontfile={font}:textfile={text_file}:expansion=none"
            f":fontsize={_font_size(width, height, text)}"
            ":fontcolor=white:borderw=4:bordercolor=black@0.8"
            ":x=(w-text_w)/2:y=(h-text_h)/2"
        )
    filters.append("format=yuv420p")
    return ",".join(filters)


def _font_size(width: int, height: int, text: str) -> int:
    longest_line = max((len(line) for line in text.splitlines()), default=1)
    # DejaVu glyphs average about 0.6 em wide; keep a margin on both sides.
    fits_width = int(width * 0.9 / (0.6 * max(1, longest_line)))
    return max(10, min(height // 14, fits_width))


def find_font() -> Path | None:
    """A TrueType font usable by drawtext, or None when the system has none."""
    candidates = [*_PREFERRED_FONTS]
    if _FONT_ROOT.is_dir():
        candidates += sorted(_FONT_ROOT.rglob("*.ttf"))
    for font in candidates:
        if font.is_file() and _FILTER_SAFE_PATH.match(str(font)):
            return font
    return None


def _video_codec_args(video_codec: str, preset: str, crf: int | None) -> list[str]:
    if video_codec == "libx264":
        quality = 23 if crf is None else crf
        return ["-c:v", "libx264", "-preset", preset, "-crf", str(quality), "-pix_fmt", "yuv420p"]
    if video_codec == "libvpx-vp9":
        quality = 38 if crf is None else crf
        vp9 = {"-c:v": "libvpx-vp9", "-deadline": "realtime", "-cpu-used": "8", "-row-mt": "1"}
        return options({**vp9, "-b:v": "0", "-crf": str(quality)})
    return ["-c:v", "mpeg4", "-q:v", "5"]


def _audio_codec_args(container: str) -> list[str]:
    if container == "webm":
        return ["-c:a", "libopus", "-b:a", "64k"]
    return ["-c:a", "aac", "-b:a", "96k"]


def _muxer_args(container: str, faststart: bool) -> list[str]:
    args = ["-f", CONTAINERS[container]]
    if faststart and container in ("mp4", "mov", "3gp"):
        args += ["-movflags", "+faststart"]
    return args


def _copy_with_rotation(
    src: Path, dst: Path, *, ffmpeg: str, rotate: int, container: str, faststart: bool
) -> None:
    # -display_rotation is counter-clockwise; phones record the clockwise angle.
    run_ffmpeg(
        [
            ffmpeg,
            *_QUIET,
            *options({"-display_rotation": str(-rotate), "-i": str(src), "-map": "0", "-c": "copy"}),
            *_muxer_args(container, faststart),
            str(dst),
        ],
        timeout_s=_GENERATE_TIMEOUT_S,
    )
