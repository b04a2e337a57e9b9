"""Time from upload to playable for a 30 s 1080x1920 phone clip, through the real app and job queue.

Playable means the first (lowest) rendition is published. The baseline, measured on the same uploads,
is the time until every rendition, the poster and the preview exist: what a viewer would wait if the
pipeline published only when it had finished.

    python -m bench.upload_to_playable [--runs 3]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from kilas.app import create_app
from kilas.media.generate import generate_clip
from kilas.media.transcode import ffmpeg_path
from kilas.migrate import migrate_async
from kilas.settings import Settings

CLIP_CACHE = Path(__file__).resolve().parents[1] / "test-output" / "bench"
PASSWORD = "bench-password-1"


def source_clip() -> Path:
    path = CLIP_CACHE / "phone-1080x1920-30s.mp4"
    if not path.exists():
        CLIP_CACHE.mkdir(parents=True, exist_ok=True)
        generate_clip(
            path.with_suffix(".tmp.mp4"),
            ffmpeg=ffmpeg_path(),
            width=1080,
            height=1920,
            duration_s=30,
            fps=30,
            pattern="testsrc2",
            text="Kilas",
            preset="veryfast",
            crf=20,
        )
        path.with_suffix(".tmp.mp4").rename(path)
    return path


async def one_upload(client: httpx.AsyncClient, headers: dict[str, str], clip: Path) -> tuple[float, float]:
    started = time.perf_counter()
    with clip.open("rb") as handle:
        response = await client.post(
            "/api/v1/videos",
            headers=headers,
            files={"file": ("hp.mp4", handle, "video/mp4")},
            data={"caption": "Bench #Kilas"},
            timeout=120,
        )
    response.raise_for_status()
    video_id = response.json()["id"]
    playable = None
    while True:
        video = (await client.get(f"/api/v1/videos/{video_id}", headers=headers)).json()
        now = time.perf_counter() - started
        if video["status"] == "failed":
            raise RuntimeError(video["failure_reason"])
        if playable is None and video["status"] == "ready":
            playable = now
        if video["status"] == "ready" and len(video["renditions"]) == 3 and video["preview_url"]:
            return playable or now, now
        await asyncio.sleep(0.1)


async def run(runs: int) -> None:
    clip = source_clip()
    with tempfile.TemporaryDirectory(prefix="kilas-bench-") as folder:
        settings = Settings(data_dir=Path(folder), jobs_mode="huey", job_workers=1, _env_file=None)  # type: ignore[call-arg]
        await migrate_async(settings)
        app = create_app(settings)
        app.state.jobs.start_consumer(settings.job_workers)
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench"
            ) as client:
                await client.post(
                    "/api/v1/auth/signup",
                    json={
                        "username": "bench",
                        "email": "bench@contoh.id",
                        "password": PASSWORD,
                        "birth_date": "1990-01-01",
                    },
                )
                token = (
                    await client.post("/api/v1/auth/token", json={"login": "bench", "password": PASSWORD})
                ).json()
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                results = [await one_upload(client, headers, clip) for _ in range(runs)]
        finally:
            app.state.jobs.stop_consumer()
            await app.state.engine.dispose()
    playable = statistics.median(r[0] for r in results)
    complete = statistics.median(r[1] for r in results)
    print(f"BENCH upload_to_playable.1080x1920_30s {playable:.2f} s", flush=True)
    print(f"BENCH upload_to_all_renditions.1080x1920_30s {complete:.2f} s", flush=True)
    print(f"BENCH upload_to_playable.ratio {playable / complete:.3f} x", flush=True)
    print(f"BENCH upload_to_playable.realtime_factor {playable / 30:.3f} x", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    asyncio.run(run(parser.parse_args().runs))
