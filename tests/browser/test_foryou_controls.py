"""On a phone, a viewer asks For You why a video is there, says "not interested" in a creator and
refreshes the feed, in a real Chromium."""

from pathlib import Path

import httpx
import pytest

from tests.browser.test_analytics import account, log_in
from tests.browser.test_core_journey import wait_until_ready
from tests.clips import clip

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

CREATORS = {
    "bu_ratna": ["Sambal matah 5 menit #Masak", "Nasi goreng kampung #Masak", "Es teler segar #Masak"],
    "mas_dimas": ["Rumus SUM di Excel #BelajarExcel", "Rumus VLOOKUP untuk pemula #BelajarExcel"],
}


def two_creators_with_videos(base_url: str) -> None:
    """Ready videos by two creators (all uploaded first, so they transcode side by side)."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        uploads = []
        for username, captions in CREATORS.items():
            headers = account(http, username, "1985-05-05")
            for number, caption in enumerate(captions):
                with clip("vertical").open("rb") as handle:
                    video = http.post(
                        "/api/v1/videos",
                        headers=headers,
                        files={"file": (f"{username}-{number}.mp4", handle, "video/mp4")},
                        data={"caption": caption},
                    ).json()
                uploads.append((video["id"], headers))
        for video_id, headers in uploads:
            wait_until_ready(http, video_id, headers)
        account(http, "sekar_solo", "1997-10-02")


def slide_creators(page) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [
        (int(video_id), creator.removeprefix("@"))
        for video_id, creator in page.eval_on_selector_all(
            "[data-testid=slide]",
            "slides => slides.map(s => [s.dataset.videoId, s.querySelector('.creator-name').textContent])",
        )
    ]


def test_why_not_interested_and_refresh(live_server: str, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    two_creators_with_videos(live_server)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True, base_url=live_server
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "sekar_solo")

    first = page.locator("[data-testid=slide]").first
    first.wait_for()
    assert len(slide_creators(page)) >= 2

    # "Mengapa video ini?": the reason opens as a chip (by keyboard too) and closes again.
    why = first.locator("[data-testid=why-button]")
    assert why.get_attribute("aria-label") == "Mengapa video ini?"
    why.click()
    why_text = first.locator("[data-testid=why-text]")
    why_text.wait_for(state="visible")
    assert why_text.inner_text().strip()
    assert why.get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(shots / "foryou-why.png"))
    why.click()
    why_text.wait_for(state="hidden")
    why.focus()
    page.keyboard.press("Enter")
    why_text.wait_for(state="visible")

    # Every control fits on the phone's screen, above the bottom bar.
    refresh = page.locator("[data-testid=refresh-feed]")
    not_interested = first.locator("[data-testid=not-interested]")
    feed = page.locator("[data-testid=feed]").bounding_box()
    assert feed
    for control in (refresh, not_interested, why):
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert box["y"] >= 0 and box["y"] + box["height"] <= feed["y"] + feed["height"], box

    # "Tidak tertarik": the creator's upcoming videos leave the feed and the next slide plays.
    marked_id, creator = slide_creators(page)[0]
    assert not_interested.get_attribute("aria-label") == "Tidak tertarik"
    not_interested.click()
    page.locator(".toast", has_text=f"Oke, video dari @{creator} akan lebih jarang muncul").wait_for()
    page.wait_for_function(
        "id => { const s = document.querySelector('[data-testid=slide].is-active');"
        " return s && s.dataset.videoId !== String(id); }",
        arg=marked_id,
    )
    slides = slide_creators(page)
    marked_at = [video_id for video_id, _ in slides].index(marked_id)
    assert all(owner != creator for _, owner in slides[marked_at + 1 :]), slides
    page.screenshot(path=str(shots / "foryou-not-interested.png"))

    # "Segarkan": For You starts over from its first page.
    old_slide = page.locator("[data-testid=slide]").first.element_handle()
    refresh.click()
    page.locator(".toast", has_text="Untukmu sudah disegarkan").wait_for()
    page.wait_for_function(
        "old => !old.isConnected && document.querySelector('[data-testid=slide]') !== null", arg=old_slide
    )
    page.locator("[data-testid=slide].is-active").wait_for()
    refreshed = slide_creators(page)
    assert refreshed and marked_id not in [video_id for video_id, _ in refreshed], refreshed
    page.screenshot(path=str(shots / "foryou-refreshed.png"))

    assert errors == []
    context.close()
