"""probe_video and sniff_container on real generated clips and hostile uploads."""

from __future__ import annotations

import random
import select
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kilas.media.probe import (
    REJECTION_MESSAGES,
    MediaInfo,
    MediaRejected,
    probe_video,
    sniff_container,
)
from kilas.media.transcode import (
    RenditionSpec,
    TranscodeFailed,
    ffmpeg_path,
    make_poster,
    transcode_rendition,
)
from tests.clips import clip

MAX_DURATION_S = 60.0


def probe(name: str, *, max_duration_s: float = MAX_DURATION_S, **limits: Any) -> MediaInfo:
    return probe_video(clip(name), max_duration_s=max_duration_s, **limits)


@pytest.mark.parametrize(
    ("name", "container", "size", "coded_size", "rotation", "video_codec", "audio_codec", "duration"),
    [
        ("vertical", "mp4", (360, 640), (360, 640), 0, "h264", "aac", 3.0),
        ("horizontal", "mp4", (640, 360), (640, 360), 0, "h264", "aac", 3.0),
        ("h264_compatible", "mp4", (360, 640), (360, 640), 0, "h264", "aac", 3.0),
        ("vp9_webm", "matroska", (360, 640), (360, 640), 0, "vp9", "opus", 3.0),
        ("webm_no_duration", "matroska", (360, 640), (360, 640), 0, "vp9", "opus", 3.0),
        ("no_audio", "mp4", (360, 640), (360, 640), 0, "h264", None, 3.0),
        ("rotated", "mp4", (360, 640), (640, 360), 90, "h264", "aac", 3.0),
        ("mov", "mp4", (360, 640), (360, 640), 0, "h264", "aac", 3.0),
        ("tiny", "mp4", (160, 284), (160, 284), 0, "h264", "aac", 2.0),
        ("long", "mp4", (180, 320), (180, 320), 0, "h264", "aac", 12.0),
    ],
)
def test_probe_reports_display_geometry_and_codecs(
    name: str,
    container: str,
    size: tuple[int, int],
    coded_size: tuple[int, int],
    rotation: int,
    video_codec: str,
    audio_codec: str | None,
    duration: float,
) -> None:
    info = probe(name)

    assert info.container == container
    assert (info.width, info.height) == size
    assert (info.coded_width, info.coded_height) == coded_size
    assert info.rotation == rotation
    assert info.video_codec == video_codec
    assert info.audio_codec == audio_codec
    assert info.pixel_format == "yuv420p"
    assert info.duration_s == pytest.approx(duration, abs=0.1)
    assert info.frame_rate > 0
    assert info.size_bytes == clip(name).stat().st_size


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("empty", "empty"),
        ("text_as_mp4", "not_a_video"),
        ("hls_playlist", "not_a_video"),
        ("ffconcat", "not_a_video"),
        ("image_png", "not_a_video"),
        ("audio_only", "no_video_stream"),
        ("truncated_mp4", "damaged"),
        ("truncated_mp4_moov_at_end", "damaged"),
        ("truncated_webm", "damaged"),
    ],
)
def test_bad_uploads_are_rejected_with_a_stable_code(name: str, code: str) -> None:
    with pytest.raises(MediaRejected) as rejected:
        probe(name)

    assert rejected.value.code == code
    assert rejected.value.message == REJECTION_MESSAGES[code]


def test_too_long_is_rejected_from_the_header() -> None:
    with pytest.raises(MediaRejected) as rejected:
        probe("long", max_duration_s=5)
    assert rejected.value.code == "too_long"


def test_too_long_is_rejected_from_the_packets_when_the_header_has_no_duration() -> None:
    with pytest.raises(MediaRejected) as rejected:
        probe("webm_no_duration", max_duration_s=1.5)
    assert rejected.value.code == "too_long"


def test_dimension_limits() -> None:
    with pytest.raises(MediaRejected) as too_small:
        probe("tiny", min_dimension=200)
    with pytest.raises(MediaRejected) as too_big:
        probe("vertical", max_dimension=600)

    assert too_small.value.code == "too_small_dimensions"
    assert too_big.value.code == "too_big_dimensions"


def test_file_size_limit() -> None:
    with pytest.raises(MediaRejected) as rejected:
        probe("vertical", max_bytes=1000)
    assert rejected.value.code == "too_large"


def test_every_rejection_code_has_a_friendly_message() -> None:
    for code, message in REJECTION_MESSAGES.items():
        assert MediaRejected(code).message == message
        assert message.endswith(".")
    assert MediaRejected("something_new").message == REJECTION_MESSAGES["damaged"]


def _box(box_type: bytes, payload: bytes = b"") -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + box_type + payload


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (_box(b"ftyp", b"isom\0\0\0\0isomavc1") + _box(b"mdat", b"x" * 32), "mp4"),
        (_box(b"wide") + _box(b"mdat", b"x" * 64) + _box(b"moov", b"x" * 16), "mp4"),
        (b"\x1a\x45\xdf\xa3" + b"\0" * 60, "matroska"),
    ],
)
def test_sniff_recognises_real_container_signatures(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    assert sniff_container(path) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:9/x.ts\n",
        b"ffconcat version 1.0\nfile '/etc/passwd'\n",
        b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
        b"\xff\xd8\xff\xe0" + b"\0" * 32,
        _box(b"free") + _box(b"mdat", b"x" * 16),  # ISO boxes, but neither ftyp nor moov
        _box(b"zzzz") + _box(b"ftyp", b"isom"),  # unknown first box
        b"\0\0\0\x04ftyp",  # impossible box size
        b"ftyp",
    ],
)
def test_sniff_rejects_everything_else(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "upload.mp4"
    path.write_bytes(content)
    with pytest.raises(MediaRejected) as rejected:
        sniff_container(path)
    assert rejected.value.code == "not_a_video"


def test_corrupted_files_never_raise_anything_but_media_rejected(tmp_path: Path) -> None:
    original = clip("h264_compatible").read_bytes()
    rng = random.Random(1234)
    for attempt in range(24):
        data = bytearray(original)
        if attempt % 3 == 0:
            data = data[: rng.randrange(16, len(data))]
        else:
            # Every other garble lands in the header region, where the moov box is.
            region = len(data) // 20 if attempt % 3 == 1 else len(data) - 512
            start = rng.randrange(0, region)
            data[start : start + 512] = rng.randbytes(512)
        path = tmp_path / f"corrupt-{attempt}.mp4"
        path.write_bytes(bytes(data))
        try:
            probe_video(path, max_duration_s=MAX_DURATION_S)
        except MediaRejected as rejected:
            assert rejected.code in REJECTION_MESSAGES


class Listener:
    """A TCP listener on 127.0.0.1 that records whether anyone connected."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=16)
        self.port: int = self.socket.getsockname()[1]

    def was_contacted(self) -> bool:
        readable, _, _ = select.select([self.socket], [], [], 0.2)
        return bool(readable)

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def _hostile_files(tmp_path: Path, port: int) -> list[Path]:
    url = f"http://127.0.0.1:{port}"
    contents = {
        "playlist.mp4": f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{url}/x.ts\n"
        "#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
        "concat.mp4": f"ffconcat version 1.0\nfile '{url}/a.mp4'\nfile '/etc/passwd'\n",
        "sdp.mp4": (
            f"v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video {port} RTP/AVP 96\n"
        ),
    }
    paths = []
    for name, content in contents.items():
        path = tmp_path / name
        path.write_text(content)
        paths.append(path)
    return paths


def test_listener_detects_a_connection(listener: Listener) -> None:
    # Proves the no-connection assertions below would notice a real request.
    subprocess.run(
        [
            ffmpeg_path(),
            *("-nostdin", "-loglevel", "quiet", "-rw_timeout", "300000"),
            *("-i", f"http://127.0.0.1:{listener.port}/x", "-f", "null", "-"),
        ],
        check=False,
        timeout=30,
    )
    assert listener.was_contacted()


def test_hostile_references_are_never_followed(tmp_path: Path, listener: Listener) -> None:
    ffmpeg = ffmpeg_path()
    for path in _hostile_files(tmp_path, listener.port):
        with pytest.raises(MediaRejected) as rejected:
            probe_video(path, max_duration_s=MAX_DURATION_S)
        assert rejected.value.code == "not_a_video"

        # Even if a caller skipped probing, ffmpeg is pinned to a demuxer and to local files.
        for container in ("mp4", "matroska"):
            info = _pretend_info(container, path.stat().st_size)
            with pytest.raises(TranscodeFailed):
                make_poster(path, tmp_path / "poster.jpg", info=info, ffmpeg=ffmpeg, timeout_s=20)
            with pytest.raises(TranscodeFailed):
                transcode_rendition(
                    path,
                    tmp_path / "out.mp4",
                    info=info,
                    ffmpeg=ffmpeg,
                    timeout_s=20,
                    spec=RenditionSpec(short_edge=360, width=360, height=640, remux=True),
                )

    assert not listener.was_contacted()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["concat.mp4", "playlist.mp4", "sdp.mp4"]


def _pretend_info(container: str, size_bytes: int) -> MediaInfo:
    return MediaInfo(
        container=container,
        duration_s=10.0,
        width=360,
        height=640,
        coded_width=360,
        coded_height=640,
        rotation=0,
        video_codec="h264",
        pixel_format="yuv420p",
        frame_rate=30.0,
        audio_codec="aac",
        size_bytes=size_bytes,
    )
