"""A new account that only finishes cooking videos sees mostly cooking within a few dozen swipes, in a
real Chromium: the player's events reach the server, the viewer's profile moves, and the next pages
the feed loads are ranked by it."""

from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.browser.test_analytics import account
from tests.browser.test_core_journey import wait_until_ready
from tests.clips import clip
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

# Two cooking creators and four others on four other topics, ten short videos each: a third of the
# catalogue is cooking.
CREATORS = {
    "dapur_bu_sri": ("memasak", "Resep {n}: sayur asem ala rumahan #Masak"),
    "chef_ujang": ("memasak", "Masak {n} menit: nasi goreng kampung #Masak"),
    "lari_pagi": ("olahraga", "Latihan lari hari ke-{n} #Olahraga"),
    "kode_santai": ("teknologi", "Tips Python nomor {n} #Teknologi"),
    "lawak_jogja": ("hiburan", "Lawakan ke-{n} bareng teman #Hiburan"),
    "batik_solo": ("seni", "Motif batik ke-{n} #Seni"),
}
VIDEOS_EACH = 10
SWIPES = 40
LEARNED_FROM = 15  # the slides from here on are compared with the first page


def catalogue(base_url: str) -> dict[int, str]:
    """Upload every video (all first, so they process side by side); returns video id -> topic."""
    topics: dict[int, str] = {}
    uploads = []
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for username, (topic, caption) in CREATORS.items():
            headers = account(http, username, "1988-08-08")
            for n in range(1, VIDEOS_EACH + 1):
                with clip("tiny").open("rb") as handle:
                    response = http.post(
                        "/api/v1/videos",
                        headers=headers,
                        files={"file": (f"{username}-{n}.mp4", handle, "video/mp4")},
                        data={"caption": caption.format(n=n), "topic": topic},
                    )
                response.raise_for_status()
                topics[response.json()["id"]] = topic
                uploads.append((response.json()["id"], headers))
        for video_id, headers in uploads:
            wait_until_ready(http, video_id, headers)
    return topics


def active_video(page) -> int:  # type: ignore[no-untyped-def]
    page.wait_for_function("() => document.querySelector('[data-testid=slide].is-active') !== null")
    return int(page.eval_on_selector("[data-testid=slide].is-active", "s => s.dataset.videoId"))


def test_a_new_viewer_who_finishes_only_cooking_gets_mostly_cooking(
    live_server: str, browser, shots: Path
) -> None:  # type: ignore[no-untyped-def]
    topics = catalogue(live_server)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=1, has_touch=True, base_url=live_server
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/signup")
    page.fill("input[name=username]", "rina_belajar")
    page.fill("input[name=email]", "rina@contoh.id")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=birth_date]", "2001-06-15")
    page.click("[data-testid=signup-submit]")  # no interests picked: the feed learns from swipes only
    page.wait_for_url(f"{live_server}/")

    watched: list[int] = []
    for _ in range(SWIPES):
        video_id = active_video(page)
        if video_id in watched:  # the end of the feed: nothing new to move to
            break
        watched.append(video_id)
        if topics[video_id] == "memasak":
            # Watch to the end: the 2-second clip loops, which the player reports as a completion.
            page.wait_for_function(
                "() => { const v = document.querySelector('[data-testid=slide].is-active video');"
                " return v && v.currentTime > 1.2; }",
                timeout=20000,
            )
            page.wait_for_function(
                "() => { const v = document.querySelector('[data-testid=slide].is-active video');"
                " return v && v.currentTime < 0.8; }",
                timeout=20000,
            )
        else:
            page.wait_for_timeout(300)  # not interested: swipe on at once
        page.keyboard.press("ArrowDown")
        page.wait_for_function(
            "previous => { const s = document.querySelector('[data-testid=slide].is-active');"
            " return s && s.dataset.videoId !== String(previous); }",
            arg=video_id,
            timeout=20000,
        )
    page.screenshot(path=str(shots / "foryou-learned-cooking.png"))

    assert len(watched) == len(set(watched)) == SWIPES  # never the same video twice
    first = Counter(topics[v] for v in watched[:10])
    later = Counter(topics[v] for v in watched[LEARNED_FROM:])
    later_share = later["memasak"] / (SWIPES - LEARNED_FROM)
    assert first["memasak"] < 6, first  # a new account starts with a mix
    assert later_share >= 0.55, (first, later)  # ...and then mostly cooking
    assert errors == []
    context.close()
