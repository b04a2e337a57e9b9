"""Produce web-playable renditions, a poster image and an animated preview with ffmpeg."""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from kilas.media.probe import DEMUXERS, MediaInfo

RENDITION_SHORT_EDGES = (720, 480, 360)

# Video bitrate caps (kbit/s) by rendition short edge; CRF decides below the cap.
_MAX_VIDEO_KBPS = {720: 2800, 480: 1400, 360: 900}
_MAX_VIDEO_KBPS_BELOW_360 = 600
_AUDIO_KBPS = 128
_KEYFRAME_INTERVAL_S = 2
_MAX_FRAME_RATE = 60
_MEMORY_LIMIT_BYTES = 4 * 1024**3
_STDERR_TAIL_LINES = 15

POSTER_MAX_SHORT_EDGE = 720
PREVIEW_SHORT_EDGE = 240
PREVIEW_SECONDS = 3.0
PREVIEW_FPS = 10


class TranscodeFailed(Exception):
    """ffmpeg could not produce the requested output."""


@dataclass(frozen=True)
class RenditionSpec:
    short_edge: int  # label, e.g. 720
    width: int
    height: int
    remux: bool  # the source can be copied as-is (stream copy + faststart)


def ffmpeg_path(override: str | None = None) -> str:
    """The ffmpeg binary: an explicit setting, or the one bundled with imageio-ffmpeg."""
    return override or imageio_ffmpeg.get_ffmpeg_exe()


def plan_renditions(info: MediaInfo) -> list[RenditionSpec]:
    """Renditions to produce for a source, lowest first, never upscaled."""
    source_short_edge = min(info.width, info.height)
    edges = sorted(edge for edge in RENDITION_SHORT_EDGES if edge <= source_short_edge)
    if not edges:
        width, height = _even_down(info.width), _even_down(info.height)
        return [_spec(info, min(width, height), width, height)]
    return [_spec(info, edge, *_fit_short_edge(info.width, info.height, edge)) for edge in edges]


def _spec(info: MediaInfo, short_edge: int, width: int, height: int) -> RenditionSpec:
    same_size = (width, height) == (info.width, info.height)
    remux = same_size and is_web_compatible(info, short_edge)
    return RenditionSpec(short_edge=short_edge, width=width, height=height, remux=remux)


def is_web_compatible(info: MediaInfo, short_edge: int) -> bool:
    """True when browsers can play the source as-is at a sensible bitrate."""
    return (
        info.container == "mp4"
        and info.video_codec == "h264"
        and info.pixel_format == "yuv420p"
        and info.audio_codec in (None, "aac")
        and info.rotation == 0
        and info.width % 2 == 0
        and info.height % 2 == 0
        and info.frame_rate <= _MAX_FRAME_RATE
        # A copied source must not cost viewers much more data than an encode would.
        and _overall_kbps(info) <= 2 * _max_video_kbps(short_edge) + _AUDIO_KBPS
    )


def _overall_kbps(info: MediaInfo) -> float:
    if info.duration_s <= 0:
        return float("inf")
    return info.size_bytes * 8 / info.duration_s / 1000


def _max_video_kbps(short_edge: int) -> int:
    return _MAX_VIDEO_KBPS.get(short_edge, _MAX_VIDEO_KBPS_BELOW_360)


def _even_down(value: int) -> int:
    return max(2, value - value % 2)


def _fit_short_edge(width: int, height: int, short_edge: int) -> tuple[int, int]:
    """Scale so the short side equals `short_edge`, keeping aspect; both sides even."""
    scale = short_edge / min(width, height)
    scaled = (_even_nearest(width * scale), _even_nearest(height * scale))
    if width <= height:
        return _even_down(short_edge), scaled[1]
    return scaled[0], _even_down(short_edge)


def _even_nearest(value: float) -> int:
    return max(2, round(value / 2) * 2)


def transcode_rendition(
    src: Path,
    dst: Path,
    *,
    info: MediaInfo,
    spec: RenditionSpec,
    ffmpeg: str,
    preset: str = "veryfast",
    timeout_s: float = 900,
    threads: int = 2,
) -> None:
    """Write an H.264/AAC faststart MP4 for `spec` to `dst` (atomically)."""
    codec_args = _remux_args() if spec.remux else _encode_args(info, spec, preset, threads)
    with _atomic_output(dst) as tmp:
        run_ffmpeg(
            [
                ffmpeg,
                *_input_args(src, info, threads=threads),
                *_stream_selection_args(info),
                *codec_args,
                *options({"-movflags": "+faststart", "-f": "mp4"}),
                _file_url(tmp),
            ],
            timeout_s=timeout_s,
        )


def _remux_args() -> list[str]:
    return ["-c", "copy"]


def _encode_args(info: MediaInfo, spec: RenditionSpec, preset: str, threads: int) -> list[str]:
    frame_rate = min(info.frame_rate, _MAX_FRAME_RATE) if info.frame_rate > 0 else 30
    gop = max(1, round(frame_rate * _KEYFRAME_INTERVAL_S))
    max_kbps = _max_video_kbps(spec.short_edge)
    video = options(
        {
            "-vf": f"scale={spec.width}:{spec.height}:flags=bicubic,setsar=1,format=yuv420p",
            "-fpsmax": str(_MAX_FRAME_RATE),
            "-c:v": "libx264",
            "-preset": preset,
            "-profile:v": "high",
            "-pix_fmt": "yuv420p",
            "-crf": "23",
            "-maxrate": f"{max_kbps}k",
            "-bufsize": f"{2 * max_kbps}k",
            "-g": str(gop),
            "-sc_threshold": "0",
            "-force_key_frames": f"expr:gte(t,n_forced*{_KEYFRAME_INTERVAL_S})",
            "-threads": str(threads),
        }
    )
    return video + _audio_args(info)


def _audio_args(info: MediaInfo) -> list[str]:
    if info.audio_codec is None:
        return ["-an"]
    sample_rate = 44100 if info.audio_sample_rate == 44100 else 48000
    return options({"-c:a": "aac", "-b:a": f"{_AUDIO_KBPS}k", "-ac": "2", "-ar": str(sample_rate)})


def _stream_selection_args(info: MediaInfo) -> list[str]:
    # Dropping metadata also drops location tags phones embed in their recordings.
    args = ["-map", "0:v:0"]
    if info.audio_codec is not None:
        args += ["-map", "0:a:0"]
    return [*args, "-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn"]


def make_poster(
    src: Path,
    dst_jpg: Path,
    *,
    info: MediaInfo,
    ffmpeg: str,
    max_short_edge: int = POSTER_MAX_SHORT_EDGE,
    timeout_s: float = 60,
) -> None:
    """Write an upright JPEG of a frame about one second in."""
    at_s = min(1.0, info.duration_s / 3)
    width, height = _fit_short_edge_no_upscale(info, max_short_edge)
    with _atomic_output(dst_jpg) as tmp:
        run_ffmpeg(
            [
                ffmpeg,
                *_input_args(src, info, seek_s=at_s),
                *options(
                    {
                        "-map": "0:v:0",
                        "-frames:v": "1",
                        "-vf": f"scale={width}:{height}:flags=bicubic,setsar=1",
                        "-c:v": "mjpeg",
                        "-q:v": "3",
                        "-f": "image2",
                        "-update": "1",
                    }
                ),
                _file_url(tmp),
            ],
            timeout_s=timeout_s,
        )


def make_preview(
    src: Path,
    dst_webp: Path,
    *,
    info: MediaInfo,
    ffmpeg: str,
    timeout_s: float = 120,
) -> None:
    """Write a short looping animated WebP for hover and feed previews."""
    start_s = max(0.0, min(1.0, info.duration_s - PREVIEW_SECONDS))
    width, height = _fit_short_edge_no_upscale(info, PREVIEW_SHORT_EDGE)
    with _atomic_output(dst_webp) as tmp:
        run_ffmpeg(
            [
                ffmpeg,
                *_input_args(src, info, seek_s=start_s),
                "-an",
                *options(
                    {
                        "-t": str(PREVIEW_SECONDS),
                        "-map": "0:v:0",
                        "-vf": f"fps={PREVIEW_FPS},scale={width}:{height}:flags=bicubic,setsar=1",
                        "-c:v": "libwebp_anim",
                        "-loop": "0",
                        "-quality": "60",
                        "-compression_level": "3",
                        "-f": "webp",
                    }
                ),
                _file_url(tmp),
            ],
            timeout_s=timeout_s,
        )


def _fit_short_edge_no_upscale(info: MediaInfo, short_edge: int) -> tuple[int, int]:
    if min(info.width, info.height) <= short_edge:
        return _even_down(info.width), _even_down(info.height)
    return _fit_short_edge(info.width, info.height, short_edge)


def _input_args(
    src: Path, info: MediaInfo, *, seek_s: float | None = None, threads: int | None = None
) -> list[str]:
    # The explicit demuxer and protocol whitelist keep ffmpeg from ever following
    # playlist, concat or network references, whatever the file contains.
    args = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    if threads is not None:
        args += ["-threads", str(threads)]
    if seek_s:
        args += ["-ss", f"{seek_s:.3f}"]
    pinned = {"-protocol_whitelist": "file,pipe", "-f": DEMUXERS[info.container], "-i": _file_url(src)}
    return args + options(pinned)


def options(flags: dict[str, str]) -> list[str]:
    """Flatten {"-flag": "value"} into ffmpeg arguments, keeping their order."""
    return [item for pair in flags.items() for item in pair]


def _file_url(path: Path) -> str:
    # An explicit scheme stops ffmpeg reading "name:..." as a protocol prefix.
    return "file:" + str(path.resolve())


@contextmanager
def _atomic_output(dst: Path) -> Iterator[Path]:
    """Yield a temporary path next to `dst`; move it into place only on success."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if tmp.stat().st_size == 0:
            raise TranscodeFailed(f"ffmpeg wrote nothing for {dst.name}")
        # mkstemp creates 0600 files; media is served, so make it world-readable.
        tmp.chmod(0o644)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT_BYTES, _MEMORY_LIMIT_BYTES))


def run_ffmpeg(command: list[str], *, timeout_s: float) -> None:
    """Run ffmpeg with a memory cap; kill it on timeout; raise TranscodeFailed on failure."""
    try:
        completed = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout_s,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TranscodeFailed(f"ffmpeg timed out after {timeout_s:g} s") from exc
    except OSError as exc:
        raise TranscodeFailed(f"could not run ffmpeg: {exc}") from exc
    if completed.returncode != 0:
        raise TranscodeFailed(f"ffmpeg exited with status {completed.returncode}: {_tail(completed.stderr)}")


def _tail(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", errors="replace").strip().splitlines()
    return "\n".join(lines[-_STDERR_TAIL_LINES:]) or "(no error output)"
