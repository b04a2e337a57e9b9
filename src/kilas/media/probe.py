"""Verify that an uploaded file is a playable video by probing its contents.

The file name and extension are never trusted. The container is identified from
its first bytes, then opened with an explicit demuxer and a `file`-only protocol
whitelist, so playlist, concat or network demuxers can never be reached.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import av.container
import av.stream
import av.video.frame
import av.video.stream

REJECTION_MESSAGES: dict[str, str] = {
    "empty": "The file is empty.",
    "not_a_video": ("This file is not a video we can play. Upload an MP4, MOV, 3GP or WebM video."),
    "no_video_stream": "This file has no video in it.",
    "too_long": "The video is too long.",
    "too_big_dimensions": "The video's picture is too large.",
    "too_small_dimensions": "The video's picture is too small.",
    "damaged": "The video file is damaged or incomplete. Try exporting it again.",
    "too_large": "The file is too large.",
}

# Demuxer names for each container family that sniff_container can return.
DEMUXERS: dict[str, str] = {"mp4": "mov", "matroska": "matroska"}

_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# Top-level ISO-BMFF / QuickTime boxes that may legitimately appear before the
# `ftyp` or `moov` box (old QuickTime files start with `wide` + `mdat`).
_ISO_BMFF_TOP_LEVEL = frozenset(
    {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pdin", b"meta"}
)
_MAX_BOXES_TO_SNIFF = 16

# A file is "incomplete" when its packets stop this far short of the declared duration.
_MISSING_TAIL_TOLERANCE_S = 0.5
_MISSING_TAIL_TOLERANCE_RATIO = 0.05


class MediaRejected(Exception):
    """An upload that is not an acceptable video. `code` is stable and machine-readable."""

    code: str
    detail: str

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        """A short sentence suitable for showing to the person who uploaded the file."""
        return REJECTION_MESSAGES.get(self.code, REJECTION_MESSAGES["damaged"])


@dataclass(frozen=True)
class MediaInfo:
    container: str  # "mp4" (mov/mp4/3gp family) or "matroska" (mkv/webm family)
    duration_s: float
    width: int  # display width, after applying rotation metadata
    height: int  # display height
    coded_width: int
    coded_height: int
    rotation: int  # clockwise degrees to display upright: 0, 90, 180 or 270
    video_codec: str
    pixel_format: str | None
    frame_rate: float
    audio_codec: str | None  # None when there is no audio stream
    size_bytes: int
    audio_sample_rate: int | None = None


def sniff_container(path: Path) -> str:
    """Identify the container family from the file's first bytes."""
    size = path.stat().st_size
    if size == 0:
        raise MediaRejected("empty")
    with path.open("rb") as f:
        if f.read(4) == _EBML_MAGIC:
            return "matroska"
        if _is_iso_bmff(f, size):
            return "mp4"
    raise MediaRejected("not_a_video", "unrecognised file signature")


def _iso_bmff_box_types(f: BinaryIO, size: int) -> Iterator[bytes]:
    """Yield top-level box types, stopping at the end of the file or a malformed header."""
    offset = 0
    for _ in range(_MAX_BOXES_TO_SNIFF):
        if offset + 8 > size:
            return
        f.seek(offset)
        header = f.read(16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if box_size == 1:
            if len(header) < 16:
                return
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:
            box_size = size - offset
        if box_size < 8:
            return
        yield box_type
        offset += box_size


def _is_iso_bmff(f: BinaryIO, size: int) -> bool:
    for box_type in _iso_bmff_box_types(f, size):
        if box_type not in _ISO_BMFF_TOP_LEVEL:
            return False
        if box_type in (b"ftyp", b"moov"):
            return True
    return False


def probe_video(
    path: Path,
    *,
    max_duration_s: float,
    max_dimension: int = 4096,
    min_dimension: int = 64,
    max_bytes: int | None = None,
) -> MediaInfo:
    """Return facts about the video at `path`, or raise MediaRejected."""
    size = path.stat().st_size
    if size == 0:
        raise MediaRejected("empty")
    if max_bytes is not None and size > max_bytes:
        raise MediaRejected("too_large", f"{size} bytes")
    container_kind = sniff_container(path)
    limits = _Limits(max_duration_s, max_dimension, min_dimension)
    try:
        return _probe(path, container_kind, size, limits)
    except MediaRejected:
        raise
    except Exception as exc:  # any decoder failure means a bad upload
        raise MediaRejected("damaged", f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class _Limits:
    max_duration_s: float
    max_dimension: int
    min_dimension: int


@dataclass
class _Scan:
    """What a full demux pass over the file found."""

    video_packets: int = 0
    corrupt_packets: int = 0
    end_s: float = 0.0
    first_keyframe_pts: int | None = None
    last_keyframe_pts: int | None = None
    first_frame: av.video.frame.VideoFrame | None = None


def _probe(path: Path, container_kind: str, size: int, limits: _Limits) -> MediaInfo:
    with av.open(
        str(path),
        mode="r",
        format=DEMUXERS[container_kind],
        options={"protocol_whitelist": "file"},
    ) as container:
        stream = _main_video_stream(container)
        declared_duration = _declared_duration(container, stream)
        if declared_duration is not None and declared_duration > limits.max_duration_s:
            raise MediaRejected("too_long", f"{declared_duration:.1f} s")
        coded_width, coded_height = _coded_size(stream)
        _check_dimensions(coded_width, coded_height, limits)

        scan = _scan_packets(container, stream, limits.max_duration_s)
        duration = declared_duration if declared_duration else scan.end_s
        _check_complete(scan, stream, duration)
        _decode_last_keyframe(container, stream, scan)

        first_frame = scan.first_frame
        assert first_frame is not None  # _check_complete guarantees it
        rotation = _rotation(first_frame, stream)
        swap = rotation in (90, 270)
        audio = container.streams.audio[0] if container.streams.audio else None
        return MediaInfo(
            container=container_kind,
            duration_s=round(duration, 3),
            width=coded_height if swap else coded_width,
            height=coded_width if swap else coded_height,
            coded_width=coded_width,
            coded_height=coded_height,
            rotation=rotation,
            video_codec=stream.codec_context.name,
            pixel_format=first_frame.format.name,
            frame_rate=_frame_rate(stream, scan, duration),
            audio_codec=audio.codec_context.name if audio else None,
            size_bytes=size,
            audio_sample_rate=audio.codec_context.sample_rate if audio else None,
        )


def _main_video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream:
    for stream in container.streams.video:
        # Cover art in audio files shows up as a one-frame "video" stream.
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    raise MediaRejected("no_video_stream")


def _declared_duration(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> float | None:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _coded_size(stream: av.video.stream.VideoStream) -> tuple[int, int]:
    width, height = stream.codec_context.width, stream.codec_context.height
    if width <= 0 or height <= 0:
        raise MediaRejected("damaged", "video stream has no picture size")
    return width, height


def _check_dimensions(width: int, height: int, limits: _Limits) -> None:
    if max(width, height) > limits.max_dimension:
        raise MediaRejected("too_big_dimensions", f"{width}x{height}")
    if min(width, height) < limits.min_dimension:
        raise MediaRejected("too_small_dimensions", f"{width}x{height}")


def _scan_packets(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    max_duration_s: float,
) -> _Scan:
    """Demux every packet (cheap, no decoding) and decode only the first video frame."""
    scan = _Scan()
    start_s = (container.start_time or 0) / av.time_base
    for packet in container.demux():
        if packet.size == 0:
            continue
        if packet.is_corrupt:
            scan.corrupt_packets += 1
        timestamp = packet.pts if packet.pts is not None else packet.dts
        if timestamp is not None and packet.time_base is not None:
            end_s = float((timestamp + (packet.duration or 0)) * packet.time_base) - start_s
            scan.end_s = max(scan.end_s, end_s)
            # A header can understate the duration; the packets cannot.
            if scan.end_s > max_duration_s + 1.0:
                raise MediaRejected("too_long", f"packets beyond {scan.end_s:.1f} s")
        if packet.stream.index != stream.index:
            continue
        scan.video_packets += 1
        if packet.is_keyframe and timestamp is not None:
            if scan.first_keyframe_pts is None:
                scan.first_keyframe_pts = timestamp
            scan.last_keyframe_pts = timestamp
        if scan.first_frame is None:
            scan.first_frame = next(iter(stream.decode(packet)), None)
    if scan.first_frame is None:
        scan.first_frame = next(iter(stream.decode(None)), None)
    return scan


def _check_complete(scan: _Scan, stream: av.video.stream.VideoStream, duration: float) -> None:
    if scan.first_frame is None:
        raise MediaRejected("damaged", "no video frame could be decoded")
    if scan.corrupt_packets:
        raise MediaRejected("damaged", f"{scan.corrupt_packets} truncated packets")
    expected_packets = stream.frames
    if expected_packets > 0 and scan.video_packets < expected_packets * 0.98 - 1:
        raise MediaRejected("damaged", f"{scan.video_packets} of {expected_packets} video packets present")
    tolerance = max(_MISSING_TAIL_TOLERANCE_S, duration * _MISSING_TAIL_TOLERANCE_RATIO)
    if scan.end_s < duration - tolerance:
        raise MediaRejected("damaged", f"data ends at {scan.end_s:.2f} s of {duration:.2f} s")


def _decode_last_keyframe(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    scan: _Scan,
) -> None:
    """Decode one frame from the last keyframe, so a damaged tail is caught now."""
    if scan.last_keyframe_pts is None or scan.last_keyframe_pts == scan.first_keyframe_pts:
        return
    container.seek(scan.last_keyframe_pts, stream=stream, backward=True, any_frame=False)
    stream.codec_context.flush_buffers()
    for packet in container.demux(stream):
        for _frame in stream.decode(packet):
            return
    raise MediaRejected("damaged", "the last keyframe could not be decoded")


def _rotation(frame: av.video.frame.VideoFrame, stream: av.video.stream.VideoStream) -> int:
    # The display matrix stores a counter-clockwise angle; phones and the legacy
    # `rotate` tag use the clockwise angle needed to show the picture upright.
    counter_clockwise = frame.rotation
    if counter_clockwise:
        clockwise = -counter_clockwise
    else:
        try:
            clockwise = int(float(stream.metadata.get("rotate", "0")))
        except ValueError:
            clockwise = 0
    return (round(clockwise / 90) * 90) % 360


def _frame_rate(stream: av.video.stream.VideoStream, scan: _Scan, duration: float) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if rate:
        return float(rate)
    if duration > 0:
        return scan.video_packets / duration
    return 0.0
