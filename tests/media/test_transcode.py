"""Rendition planning, transcoding, posters and previews on real generated clips."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import struct
import time
from pathlib import Path

import av
import pytest
from PIL import Image

from kilas.media.probe import MediaInfo, probe_video
from kilas.media.transcode import (
    RENDITION_SHORT_EDGES,
    RenditionSpec,
    TranscodeFailed,
    ffmpeg_path,
    make_poster,
    make_preview,
    plan_renditions,
    transcode_rendition,
)
from tests.clips import clip

pytestmark = pytest.mark.slow

FFMPEG = ffmpeg_path()
# Tests favour speed; production uses the default "veryfast".
TEST_PRESET = "ultrafast"


def media_info(**changes: object) -> MediaInfo:
    """A web-compatible 720x1280 source at a modest bitrate, adjusted by `changes`."""
    base = MediaInfo(
        container="mp4",
        duration_s=10.0,
        width=720,
        height=1280,
        coded_width=720,
        coded_height=1280,
        rotation=0,
        video_codec="h264",
        pixel_format="yuv420p",
        frame_rate=30.0,
        audio_codec="aac",
        size_bytes=2_000_000,
        audio_sample_rate=48000,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def sizes(specs: list[RenditionSpec]) -> list[tuple[int, int]]:
    return [(spec.width, spec.height) for spec in specs]


# --- plan_renditions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (1080, 1920, [(360, 640), (480, 854), (720, 1280)]),
        (1920, 1080, [(640, 360), (854, 480), (1280, 720)]),
        (2160, 3840, [(360, 640), (480, 854), (720, 1280)]),
        (720, 1280, [(360, 640), (480, 854), (720, 1280)]),
        (1080, 2400, [(360, 800), (480, 1066), (720, 1600)]),
        (500, 500, [(360, 360), (480, 480)]),
        (640, 360, [(640, 360)]),
        (360, 640, [(360, 640)]),
        (200, 356, [(200, 356)]),
        (201, 357, [(200, 356)]),
        (64, 64, [(64, 64)]),
    ],
)
def test_plan_sizes_never_upscale_and_come_lowest_first(
    width: int, height: int, expected: list[tuple[int, int]]
) -> None:
    info = media_info(width=width, height=height, coded_width=width, coded_height=height)
    specs = plan_renditions(info)

    assert sizes(specs) == expected
    short_edges = [min(spec.width, spec.height) for spec in specs]
    assert short_edges == sorted(short_edges)
    assert all(spec.width % 2 == 0 and spec.height % 2 == 0 for spec in specs)
    assert all(spec.width <= width and spec.height <= height for spec in specs)
    assert all(spec.short_edge in RENDITION_SHORT_EDGES or len(specs) == 1 for spec in specs)


def test_plan_uses_display_size_for_rotated_sources() -> None:
    info = media_info(coded_width=1280, coded_height=720, rotation=90)
    assert sizes(plan_renditions(info)) == [(360, 640), (480, 854), (720, 1280)]


def test_compatible_source_remuxes_only_at_its_own_size() -> None:
    specs = plan_renditions(media_info())
    assert [spec.remux for spec in specs] == [False, False, True]


@pytest.mark.parametrize(
    "changes",
    [
        {"container": "matroska"},
        {"video_codec": "hevc"},
        {"video_codec": "vp9"},
        {"pixel_format": "yuv420p10le"},
        {"pixel_format": "yuv444p"},
        {"audio_codec": "opus"},
        {"audio_codec": "mp3"},
        {"rotation": 90, "coded_width": 1280, "coded_height": 720},
        {"rotation": 180},
        {"frame_rate": 120.0},
        {"size_bytes": 50_000_000},  # 40 Mbit/s: copying it would waste viewers' data
    ],
)
def test_incompatible_sources_are_always_transcoded(changes: dict[str, object]) -> None:
    assert not any(spec.remux for spec in plan_renditions(media_info(**changes)))


def test_compatible_source_without_audio_remuxes() -> None:
    assert plan_renditions(media_info(audio_codec=None, audio_sample_rate=None))[-1].remux


def test_small_odd_sized_source_is_transcoded_at_even_size() -> None:
    info = media_info(width=201, height=357, coded_width=201, coded_height=357, size_bytes=200_000)
    assert plan_renditions(info) == [RenditionSpec(short_edge=200, width=200, height=356, remux=False)]


def test_small_compatible_source_remuxes() -> None:
    info = media_info(width=200, height=356, coded_width=200, coded_height=356, size_bytes=200_000)
    assert plan_renditions(info) == [RenditionSpec(short_edge=200, width=200, height=356, remux=True)]


@pytest.mark.parametrize(
    ("name", "remux"),
    [
        ("vertical", False),
        ("horizontal", False),
        ("h264_compatible", True),
        ("vp9_webm", False),
        ("no_audio", False),
        ("rotated", False),
        ("mov", False),
        ("tiny", True),
        ("long", True),
    ],
)
def test_generated_clips_plan_as_documented(name: str, remux: bool) -> None:
    # Other test suites rely on which shared clips take the remux path.
    assert [spec.remux for spec in plan_renditions(probe(name))] == [remux]


# --- transcoding -----------------------------------------------------------------------------


def probe(name_or_path: str | Path) -> MediaInfo:
    path = clip(name_or_path) if isinstance(name_or_path, str) else name_or_path
    return probe_video(path, max_duration_s=60)


def transcode(name: str, dst: Path, spec: RenditionSpec | None = None) -> tuple[MediaInfo, RenditionSpec]:
    info = probe(name)
    spec = spec or plan_renditions(info)[-1]
    transcode_rendition(clip(name), dst, info=info, spec=spec, ffmpeg=FFMPEG, preset=TEST_PRESET)
    return info, spec


def top_level_boxes(path: Path) -> list[bytes]:
    boxes = []
    with path.open("rb") as f:
        while header := f.read(8):
            size, box_type = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0]
                f.seek(size - 16, 1)
            else:
                f.seek(size - 8, 1)
            boxes.append(box_type)
    return boxes


def keyframe_times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.time_base is not None
        return sorted(
            float(packet.pts * stream.time_base)
            for packet in container.demux(stream)
            if packet.is_keyframe and packet.pts is not None
        )


def video_packet_digests(path: Path) -> list[str]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        packets = [packet for packet in container.demux(stream) if packet.size]
        return [hashlib.sha256(bytes(packet)).hexdigest() for packet in packets]


def assert_web_playable(path: Path, *, size: tuple[int, int], audio: bool) -> MediaInfo:
    out = probe(path)
    assert out.container == "mp4"
    assert out.video_codec == "h264"
    assert out.pixel_format == "yuv420p"
    assert out.audio_codec == ("aac" if audio else None)
    assert (out.width, out.height) == size
    assert out.rotation == 0
    boxes = top_level_boxes(path)
    assert boxes.index(b"moov") < boxes.index(b"mdat"), "not faststart"
    return out


def test_transcode_scales_to_the_planned_size(tmp_path: Path) -> None:
    dst = tmp_path / "horizontal-360.mp4"
    info = probe("horizontal")
    spec = plan_renditions(info)[-1]
    # ultrafast turns off the High-profile tools, so check the profile with the real preset.
    transcode_rendition(clip("horizontal"), dst, info=info, spec=spec, ffmpeg=FFMPEG)

    out = assert_web_playable(dst, size=(640, 360), audio=True)
    assert out.duration_s == pytest.approx(info.duration_s, abs=0.1)
    with av.open(str(dst)) as container:
        assert container.streams.video[0].codec_context.profile == "High"
        assert container.streams.audio[0].codec_context.channels == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["horizontal-360.mp4"]


def test_transcode_downscales_a_vertical_clip(tmp_path: Path) -> None:
    dst = tmp_path / "small.mp4"
    spec = RenditionSpec(short_edge=180, width=180, height=320, remux=False)
    transcode("vertical", dst, spec)
    assert_web_playable(dst, size=(180, 320), audio=True)


def test_rotated_source_comes_out_upright(tmp_path: Path) -> None:
    dst = tmp_path / "rotated.mp4"
    info, spec = transcode("rotated", dst)

    assert info.rotation == 90
    assert (spec.width, spec.height) == (360, 640)
    out = assert_web_playable(dst, size=(360, 640), audio=True)
    assert (out.coded_width, out.coded_height) == (360, 640)


@pytest.mark.parametrize(
    ("name", "audio"), [("vp9_webm", True), ("webm_no_duration", True), ("mov", True), ("no_audio", False)]
)
def test_other_sources_become_h264_mp4(tmp_path: Path, name: str, audio: bool) -> None:
    dst = tmp_path / f"{name}.mp4"
    transcode(name, dst)
    assert_web_playable(dst, size=(360, 640), audio=audio)


def test_keyframes_every_two_seconds(tmp_path: Path) -> None:
    dst = tmp_path / "long.mp4"
    info, _ = transcode("long", dst, RenditionSpec(short_edge=180, width=180, height=320, remux=False))

    times = keyframe_times(dst)
    assert times[0] == pytest.approx(0.0, abs=0.05)
    assert len(times) == pytest.approx(info.duration_s / 2, abs=1)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap == pytest.approx(2.0, abs=0.1) for gap in gaps), gaps


def test_remux_copies_streams_unchanged_and_fast(tmp_path: Path) -> None:
    src = clip("h264_compatible")
    info = probe("h264_compatible")
    spec = plan_renditions(info)[-1]
    assert spec.remux

    started = time.perf_counter()
    transcode_rendition(src, tmp_path / "copy.mp4", info=info, spec=spec, ffmpeg=FFMPEG)
    remux_s = time.perf_counter() - started
    started = time.perf_counter()
    encode_spec = dataclasses.replace(spec, remux=False)
    transcode_rendition(src, tmp_path / "encoded.mp4", info=info, spec=encode_spec, ffmpeg=FFMPEG)
    encode_s = time.perf_counter() - started

    assert_web_playable(tmp_path / "copy.mp4", size=(360, 640), audio=True)
    assert video_packet_digests(tmp_path / "copy.mp4") == video_packet_digests(src)
    assert video_packet_digests(tmp_path / "encoded.mp4") != video_packet_digests(src)
    assert remux_s < encode_s, (remux_s, encode_s)


def test_failure_raises_with_ffmpeg_output_and_leaves_nothing_behind(tmp_path: Path) -> None:
    info = probe("vertical")
    dst = tmp_path / "out" / "broken.mp4"
    spec = plan_renditions(info)[0]

    with pytest.raises(TranscodeFailed) as failed:
        transcode_rendition(clip("text_as_mp4"), dst, info=info, spec=spec, ffmpeg=FFMPEG)

    assert "ffmpeg exited" in str(failed.value)
    assert len(str(failed.value)) > len("ffmpeg exited with status 1: ")
    assert list(dst.parent.iterdir()) == []


def test_timeout_kills_ffmpeg_and_leaves_nothing_behind(tmp_path: Path) -> None:
    info = probe("long")
    dst = tmp_path / "slow.mp4"
    spec = RenditionSpec(short_edge=720, width=720, height=1280, remux=False)

    with pytest.raises(TranscodeFailed, match="timed out"):
        transcode_rendition(
            clip("long"), dst, info=info, spec=spec, ffmpeg=FFMPEG, preset="veryslow", timeout_s=0.3
        )
    assert list(tmp_path.iterdir()) == []


def test_missing_ffmpeg_binary_is_a_transcode_failure(tmp_path: Path) -> None:
    info = probe("vertical")
    with pytest.raises(TranscodeFailed, match="could not run ffmpeg"):
        transcode_rendition(
            clip("vertical"),
            tmp_path / "x.mp4",
            info=info,
            spec=plan_renditions(info)[0],
            ffmpeg=str(tmp_path / "no-such-ffmpeg"),
        )


def test_ffmpeg_path_prefers_the_configured_binary() -> None:
    assert ffmpeg_path("/opt/ffmpeg/bin/ffmpeg") == "/opt/ffmpeg/bin/ffmpeg"
    assert Path(ffmpeg_path(None)).is_file()
    assert ffmpeg_path("") == ffmpeg_path(None)


# --- poster and preview ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "max_short_edge", "size"),
    [
        ("rotated", 720, (360, 640)),
        ("horizontal", 720, (640, 360)),
        ("vertical", 180, (180, 320)),
        ("vp9_webm", 720, (360, 640)),
    ],
)
def test_poster_is_an_upright_jpeg(
    tmp_path: Path, name: str, max_short_edge: int, size: tuple[int, int]
) -> None:
    dst = tmp_path / "poster.jpg"
    make_poster(clip(name), dst, info=probe(name), ffmpeg=FFMPEG, max_short_edge=max_short_edge)

    with Image.open(dst) as image:
        assert image.format == "JPEG"
        assert image.size == size
        image.load()
        assert image.getextrema() != ((0, 0), (0, 0), (0, 0)), "blank frame"


@pytest.mark.parametrize(
    ("name", "size"), [("rotated", (240, 426)), ("horizontal", (426, 240)), ("tiny", (160, 284))]
)
def test_preview_is_a_looping_animated_webp(tmp_path: Path, name: str, size: tuple[int, int]) -> None:
    dst = tmp_path / "preview.webp"
    make_preview(clip(name), dst, info=probe(name), ffmpeg=FFMPEG)

    with Image.open(dst) as image:
        assert image.format == "WEBP"
        assert image.size == size
        assert getattr(image, "is_animated", False)
        assert getattr(image, "n_frames", 1) >= 15
        assert image.info.get("loop") == 0
