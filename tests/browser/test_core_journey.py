"""A new person signs up, uploads, watches, likes, comments and follows, in a real Chromium."""

import time
from pathlib import Path

import httpx
import pytest

from tests.clips import clip
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


def api_creator_with_video(base_url: str) -> str:
    """Another creator, made through the public API, with one ready video."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        http.post(
            "/api/v1/auth/signup",
            json={
                "username": "bu_ratna",
                "email": "ratna@contoh.id",
                "password": PASSWORD,
                "birth_date": "1980-04-21",
                "display_name": "Bu Ratna",
            },
        ).raise_for_status()
        token = http.post("/api/v1/auth/token", json={"login": "bu_ratna", "password": PASSWORD}).json()[
            "access_token"
        ]
        headers = {"Authorization": f"Bearer {token}"}
        with clip("vertical").open("rb") as handle:
            video = http.post(
                "/api/v1/videos",
                headers=headers,
                files={"file": ("sambal.mp4", handle, "video/mp4")},
                data={"caption": "Sambal matah 5 menit #Masak"},
            ).json()
        wait_until_ready(http, video["id"], headers)
        return "bu_ratna"


def wait_until_ready(http: httpx.Client, video_id: int, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if http.get(f"/api/v1/videos/{video_id}", headers=headers).json()["status"] == "ready":
            return
        time.sleep(0.5)
    raise AssertionError("video never became ready")


def playback_advances(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    video = page.locator(selector).first
    video.wait_for(state="attached")
    page.wait_for_function(
        "el => el && el.readyState >= 2 && !el.paused && el.currentTime > 0.3",
        arg=video.element_handle(),
        timeout=20000,
    )
    first = video.evaluate("el => el.currentTime")
    page.wait_for_timeout(1200)
    assert video.evaluate("el => el.currentTime") > first, "playback did not advance"


def test_sign_up_upload_watch_like_comment_follow(live_server: str, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True, base_url=live_server
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Sign up (the forms speak Bahasa Indonesia by default).
    page.goto("/signup")
    page.fill("input[name=username]", "sekar_solo")
    page.fill("input[name=display_name]", "Sekar dari Solo")
    page.fill("input[name=email]", "sekar@contoh.id")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=birth_date]", "1997-10-02")
    page.click("[data-testid=signup-submit]")
    page.wait_for_url(f"{live_server}/")

    # Upload a generated clip through the resumable uploader and wait until it is ready.
    page.goto("/upload")
    page.set_input_files("[data-testid=upload-file]", str(clip("h264_compatible")))
    page.fill("[data-testid=upload-caption]", "Belajar membatik hari pertama #SamaSamaBelajar #Batik")
    page.screenshot(path=str(shots / "upload-page.png"))
    page.click("[data-testid=upload-submit]")
    link = page.locator("[data-testid=upload-video-link]")
    link.wait_for(timeout=90000)
    page.screenshot(path=str(shots / "upload-ready.png"))
    video_url = link.get_attribute("href")
    assert video_url and video_url.startswith("/v/")

    # Watch it: the player plays and time moves on.
    page.goto(video_url)
    playback_advances(page, "[data-testid=video]")

    # Another creator posts; For You plays it (it never repeats what the viewer already saw, so the
    # video is new to them). Like, comment, follow from the slide.
    creator = api_creator_with_video(live_server)
    page.goto("/")
    slide = page.locator("[data-testid=slide]").first
    slide.wait_for()
    playback_advances(page, "[data-testid=slide] [data-testid=video]")
    page.screenshot(path=str(shots / "feed.png"))
    slide.locator("[data-testid=like-button]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=like-count]').textContent.trim() === '1'"
    )
    slide.locator("[data-testid=comment-button]").click()
    page.fill("[data-testid=comment-input]", "Makasih resepnya, Bu!")
    page.click("[data-testid=comment-submit]")
    page.locator("[data-testid=comment-item]", has_text="Makasih resepnya, Bu!").wait_for()
    page.screenshot(path=str(shots / "comments.png"))
    page.keyboard.press("Escape")
    follow = slide.locator("[data-testid=follow-button]")
    follow.click()
    page.wait_for_function(
        "() => { const b = document.querySelector('[data-testid=follow-button]');"
        " return !b || b.hidden || b.getAttribute('aria-pressed') === 'true' || b.offsetParent === null; }"
    )

    # The Following tab now shows the followed creator's video.
    page.goto("/following")
    following_slide = page.locator("[data-testid=slide]").first
    following_slide.wait_for()
    assert creator in following_slide.inner_text()
    page.screenshot(path=str(shots / "following.png"))

    with httpx.Client(base_url=live_server) as http:
        video = http.get(f"/api/v1/users/{creator}/videos").json()["videos"][0]
        assert video["likes_count"] == 1 and video["comments_count"] == 1
        # The player reported the watching as engagement events (sent when the page was left).
        assert video["views_count"] == 1
        assert http.get(f"/api/v1/users/{creator}").json()["followers_count"] == 1
    assert errors == []
    context.close()
