"""A creator opens Studio and an operator the Kilas dashboard in a real Chromium: the charts are drawn."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.analytics.helpers import play_at
from tests.browser.conftest import LIVE_ENV
from tests.browser.test_core_journey import wait_until_ready
from tests.clips import clip
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

VIEWERS = [
    ("sekar_solo", "2001-10-02", "female", "Jawa Tengah"),
    ("pak_budi", "1975-01-05", "male", "Jawa Timur"),
    ("intan_n", "1994-06-12", "female", "DKI Jakarta"),
    ("rizky_f", "2008-03-21", "", ""),
]


def kilas(base_url: str, *args: str) -> str:
    """A `kilas` command against the live server's data (the same environment)."""
    done = subprocess.run(
        [sys.executable, "-m", "kilas.cli", *args], env=LIVE_ENV[base_url], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def account(http: httpx.Client, username: str, birth_date: str, **profile: str) -> dict[str, str]:
    http.post(
        "/api/v1/auth/signup",
        json={
            "username": username,
            "email": f"{username}@contoh.id",
            "password": PASSWORD,
            "birth_date": birth_date,
            "display_name": username.replace("_", " ").title(),
        },
    ).raise_for_status()
    token = http.post("/api/v1/auth/token", json={"login": username, "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    if profile:
        http.patch("/api/v1/me", headers=headers, json=profile).raise_for_status()
    return headers


def creator_with_an_audience(base_url: str) -> int:
    """A creator with a ready video, watched over the last days by viewers who told their province."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        creator = account(http, "bu_ratna", "1980-04-21", gender="female", province="Jawa Timur")
        with clip("vertical").open("rb") as handle:
            video = http.post(
                "/api/v1/videos",
                headers=creator,
                files={"file": ("sambal.mp4", handle, "video/mp4")},
                data={"caption": "Sambal matah 5 menit #Masak #SamaSamaBelajar"},
            ).json()
        wait_until_ready(http, video["id"], creator)
        now = datetime.now(UTC)
        sources = ["foryou", "following", "share", "hashtag", "profile"]
        for index, (name, born, gender, province) in enumerate(VIEWERS):
            headers = account(http, name, born, gender=gender, province=province)
            events = []
            for day in range(index, 6):
                start = now - timedelta(days=day, hours=index + 1)
                events += play_at(
                    video["id"],
                    start,
                    watched_ms=1500 + 400 * day,
                    complete=day % 2 == 0,
                    source=sources[(index + day) % len(sources)],
                    extra=("like",) if day == index else (),
                )
            response = http.post("/api/v1/events", headers=headers, json={"events": events})
            assert response.status_code == 200 and not response.json()["rejected"], response.text
            http.post("/api/v1/users/bu_ratna/follow", headers=headers).raise_for_status()
        account(http, "tim_kilas", "1990-08-17")
    return int(video["id"])


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url("**/")


def charts_drawn(page, at_least: int) -> None:  # type: ignore[no-untyped-def]
    """Chart.js instances exist for the page's canvases, and every canvas has a real size."""
    page.wait_for_function("() => document.documentElement.dataset.chartsReady === 'true'", timeout=15000)
    count = page.evaluate("() => window.Chart ? Object.keys(window.Chart.instances).length : 0")
    assert count >= at_least, f"only {count} charts"
    sizes = page.eval_on_selector_all(
        "canvas[data-chart]", "nodes => nodes.map(n => [n.dataset.chart, n.width, n.height])"
    )
    assert len(sizes) >= at_least
    assert all(width > 0 and height > 0 for _, width, height in sizes), sizes


def test_creator_studio_and_operator_dashboard(live_server: str, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    video_id = creator_with_an_audience(live_server)
    kilas(live_server, "rollup")
    assert "is now an operator" in kilas(live_server, "admin", "tim_kilas")

    problems: list[str] = []
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True, base_url=live_server
    )
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )

    # The creator reaches Studio from the bottom bar.
    log_in(page, "bu_ratna")
    page.click("[data-testid=nav-studio]")
    page.wait_for_url("**/studio")
    charts_drawn(page, at_least=8)
    assert page.locator("[data-testid=kpi-views] .kpi-value").inner_text().strip() not in ("", "0")
    assert "Jawa Tengah" in page.locator("[data-testid=audience]").inner_text()
    page.screenshot(path=str(shots / "analytics-studio.png"), full_page=True)

    # The 7-day period, then one video with its retention curve.
    page.click("[data-testid=period-picker] >> text=7 hari")
    page.wait_for_url("**/studio?days=7")
    charts_drawn(page, at_least=8)
    page.locator("[data-testid=studio-video-row] a").first.click()
    page.wait_for_url(f"**/studio/v/{video_id}?days=7")
    charts_drawn(page, at_least=6)
    retention = page.evaluate(
        "() => Object.values(Chart.instances).find(c => c.canvas.dataset.chart === 'retention')"
        ".data.datasets[0].data"
    )
    assert retention[0] == 100 and min(retention) < 100
    page.screenshot(path=str(shots / "analytics-video.png"), full_page=True)

    # Her own gender and province (optional) in the settings.
    page.goto("/settings")
    assert page.locator("[data-testid=settings-province]").input_value() == "Jawa Timur"
    assert page.locator("[data-testid=settings-gender]").input_value() == "female"
    page.locator(".field-group").evaluate("node => node.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(shots / "analytics-settings.png"))
    assert problems == []
    # The operators' dashboard does not exist for her (the browser logs the 404 itself).
    assert page.goto("/admin/analytics").status == 404
    problems.clear()
    context.close()

    # The operator, on a laptop.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    log_in(page, "tim_kilas")
    page.goto("/admin/analytics")
    charts_drawn(page, at_least=4)
    assert "@bu_ratna" in page.locator("[data-testid=top-creators]").inner_text()
    assert "#Masak" in page.locator("[data-testid=top-hashtags]").inner_text()
    page.screenshot(path=str(shots / "analytics-admin.png"), full_page=True)
    page.goto("/studio?lang=en")
    charts_drawn(page, at_least=5)  # no views yet: no sources, age and gender charts
    page.screenshot(path=str(shots / "analytics-studio-empty-en.png"), full_page=True)
    context.close()
    assert problems == []
