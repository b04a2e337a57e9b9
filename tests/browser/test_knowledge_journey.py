"""A learner searches in Indonesian with an affixed word, opens a series, goes on to the next part,
saves it to a collection and turns the subtitles on, in a real Chromium."""

from pathlib import Path

import httpx
import pytest

from tests.browser.test_core_journey import wait_until_ready
from tests.clips import clip
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

SUBTITLES = b"""WEBVTT

00:00:00.000 --> 00:00:05.000
Hari ini kita mengenal rumus SUM
"""


def signup(http: httpx.Client, username: str) -> dict[str, str]:
    http.post(
        "/api/v1/auth/signup",
        json={
            "username": username,
            "email": f"{username}@contoh.id",
            "password": PASSWORD,
            "birth_date": "1990-03-03",
            "display_name": username.replace("_", " ").title(),
        },
    ).raise_for_status()
    token = http.post("/api/v1/auth/token", json={"login": username, "password": PASSWORD}).json()[
        "access_token"
    ]
    return {"Authorization": f"Bearer {token}"}


def creator_with_series(base_url: str) -> list[int]:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        headers = signup(http, "mas_dimas_excel")
        ids = []
        for number, caption in enumerate(
            ["Mempelajari rumus SUM di Excel #BelajarExcel", "Rumus VLOOKUP untuk pemula #BelajarExcel"],
            start=1,
        ):
            with clip("vertical").open("rb") as handle:
                video = http.post(
                    "/api/v1/videos",
                    headers=headers,
                    files={"file": (f"excel{number}.mp4", handle, "video/mp4")},
                    data={"caption": caption, "topic": "teknologi"},
                ).json()
            ids.append(video["id"])
        for video_id in ids:
            wait_until_ready(http, video_id, headers)
        series = http.post("/api/v1/series", headers=headers, json={"title": "Belajar Excel"}).json()
        for video_id in ids:
            http.post(f"/api/v1/series/{series['id']}/parts", headers=headers, json={"video_id": video_id})
        http.put(
            f"/api/v1/videos/{ids[0]}/subtitles/id",
            headers=headers,
            files={"file": ("excel.vtt", SUBTITLES, "text/vtt")},
        ).raise_for_status()
        signup(http, "sari_belajar")
        return ids


def test_search_series_next_part_save_and_subtitles(live_server: str, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    part1, part2 = creator_with_series(live_server)
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/login")
    page.fill("input[name=login]", "sari_belajar")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{live_server}/")

    # Search with an affixed word: "pembelajaran" finds "Mempelajari" and #BelajarExcel.
    page.goto("/cari")
    page.fill("[data-testid=search-input]", "pembelajaran exc")
    page.locator("[data-testid=search-suggestion]").first.wait_for()
    page.fill("[data-testid=search-input]", "pembelajaran excel")
    page.click("[data-testid=search-submit]")
    results = page.locator("[data-testid=video-results] [data-testid=video-result]")
    results.first.wait_for()
    assert results.count() == 2
    page.screenshot(path=str(shots / "search-results.png"))
    page.locator(f"[data-testid=video-result][href='/v/{part1}']").click()
    page.wait_for_url(f"{live_server}/v/{part1}")

    # The series: part 1 of 2, with the subtitles turned on in the player.
    assert page.locator("[data-testid=series-part]").inner_text() == "Bagian 1 dari 2"
    page.locator("[data-testid=slide] video track").wait_for(state="attached")
    page.click("[data-testid=subtitles-toggle]")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=slide] video');"
        " return v && v.textTracks.length && v.textTracks[0].mode === 'showing'; }"
    )
    page.wait_for_function(
        "() => { const t = document.querySelector('[data-testid=slide] video').textTracks[0];"
        " return t.cues && t.cues.length === 1 && t.cues[0].text.includes('rumus SUM'); }"
    )
    assert page.get_attribute("[data-testid=subtitles-toggle]", "aria-pressed") == "true"
    page.screenshot(path=str(shots / "series-part-1-subtitles.png"))

    # Follow the series, go on to the next part.
    page.click("[data-testid=series-follow]")
    page.wait_for_url(f"{live_server}/v/{part1}")
    assert "Mengikuti seri" in page.locator("[data-testid=series-follow]").inner_text()
    page.click("[data-testid=series-next]")
    page.wait_for_url(f"{live_server}/v/{part2}")
    assert page.locator("[data-testid=series-part]").inner_text() == "Bagian 2 dari 2"
    assert page.locator("[data-testid=series-previous]").get_attribute("href") == f"/v/{part1}"

    # Save it to a new collection, which stays private; then find it in "Koleksiku".
    page.click("[data-testid=save-open]")
    page.fill("[data-testid=new-collection-name]", "Kerja kantor")
    page.click("[data-testid=new-collection-save]")
    page.wait_for_url(f"{live_server}/v/{part2}")
    page.click("[data-testid=save-open]")
    assert "Kerja kantor" in page.locator("[data-testid=saved-collection]").inner_text()
    page.goto("/koleksi")
    page.click("[data-testid=collection-link]")
    assert page.locator("[data-testid=collection-title]").inner_text() == "Kerja kantor"
    assert page.locator(f"[data-testid=video-result][href='/v/{part2}']").count() == 1
    page.screenshot(path=str(shots / "collection.png"))
    assert errors == []
    context.close()
