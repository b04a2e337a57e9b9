"""Studio and the operators' dashboard: a creator sees only their own numbers, operators only are let in
to the platform's, and the pages render with real data in both languages."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.analytics.commands import set_admin
from kilas.settings import Settings
from tests.analytics.helpers import play_at, rollup, send
from tests.conftest import Account, Factory
from tests.events.helpers import watch


async def profile(client: httpx.AsyncClient, account: Account, **fields: str) -> None:
    response = await client.patch("/api/v1/me", headers=account.headers, json=fields)
    assert response.status_code == 200, response.text


async def creator_with_audience(client: httpx.AsyncClient, factory: Factory, app: object) -> dict:
    ratna = await factory.account("bu_ratna", birth_date=date(1980, 4, 21))
    video = await factory.video(ratna, caption="Sambal matah 5 menit #Masak #SamaSamaBelajar")
    other = await factory.video(ratna, caption="Nasi goreng kampung #Masak")
    young = await factory.account("sekar_solo", birth_date=date(2004, 10, 2))
    await profile(client, young, gender="female", province="Jawa Tengah")
    older = await factory.account("pak_budi", birth_date=date(1975, 1, 5))
    await profile(client, older, gender="male", province="Jawa Timur")
    teen = await factory.account("adik_rina", birth_date=date.today() - timedelta(days=15 * 365))
    await watch(client, young.headers, video["id"], watched_ms=4000, complete=True)
    await watch(client, older.headers, video["id"], watched_ms=2000, source="following")
    await watch(client, teen.headers, other["id"], watched_ms=3000, source="hashtag")
    await watch(client, {}, video["id"], watched_ms=1500, source="share")
    await client.post("/api/v1/users/bu_ratna/follow", headers=young.headers)
    return {"ratna": ratna, "video": video, "other": other, "viewer": young}


async def test_creator_analytics_api(client: httpx.AsyncClient, factory: Factory, app: object) -> None:
    made = await creator_with_audience(client, factory, app)
    await rollup(app)
    response = await client.get("/api/v1/analytics/creator?days=7", headers=made["ratna"].headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["period"]["days"] == 7 and len(data["daily"]) == 7 and data["period"]["updated_at"]
    totals = data["totals"]
    assert totals["views"] == 4 and totals["plays"] == 4 and totals["new_followers"] == 1
    assert totals["watch_hours"] == round(10_500 / 3_600_000, 2)
    assert totals["completion_rate"] == 25.0
    assert data["daily"][-1]["views"] == 4 and data["daily"][-1]["unique_viewers"] == 4
    assert sum(hour["views"] for hour in data["hourly"]) == 4 and len(data["hourly"]) == 48
    sources = {s["key"]: s["views"] for s in data["sources"]}
    assert sources == {
        "foryou": 1,
        "following": 1,
        "profile": 0,
        "search": 0,
        "hashtag": 1,
        "share": 1,
        "other": 0,
    }
    audience = data["audience"]
    assert audience["signed_in_views"] == 3
    assert {s["key"]: s["views"] for s in audience["age"]} == {
        "13-17": 1,
        "18-24": 1,
        "25-34": 0,
        "35-44": 0,
        "45+": 1,
    }
    assert {s["key"]: s["percent"] for s in audience["gender"]} == {"female": 50.0, "male": 50.0}
    assert [s["key"] for s in audience["province"]] == ["Jawa Tengah", "Jawa Timur"]
    assert [v["id"] for v in data["videos"]] == [made["other"]["id"], made["video"]["id"]]
    sambal = data["videos"][1]
    assert sambal["period"]["views"] == 3 and sambal["lifetime_views"] == 3
    assert sambal["studio_url"] == f"/studio/v/{made['video']['id']}"


async def test_video_analytics_has_a_retention_curve(
    client: httpx.AsyncClient, factory: Factory, app: object
) -> None:
    creator = await factory.account("kopi_lereng")
    video = await factory.video(creator, clip_name="vertical")
    duration = video["duration_s"]
    assert duration and duration >= 2
    viewer = await factory.account("penikmat")
    start = datetime.now(UTC) - timedelta(minutes=5)
    # Three plays: one to the end (a completion), one to the first second and a half, one to 1 s.
    await send(client, viewer.headers, play_at(video["id"], start, watched_ms=2500, complete=True))
    await send(client, viewer.headers, play_at(video["id"], start + timedelta(seconds=30), position_ms=1500))
    await send(client, {}, play_at(video["id"], start + timedelta(seconds=60), watched_ms=1000))
    await rollup(app)
    response = await client.get(f"/api/v1/analytics/videos/{video['id']}?days=28", headers=creator.headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["retention_plays"] == 3
    curve = {point["second"]: point["percent"] for point in data["retention"]}
    assert len(curve) == int(duration) + 1
    assert curve[0] == 100.0 and curve[1] == 100.0
    assert curve[2] == round(100 / 3, 1)  # only the completed play is still there at 2 s
    assert curve[int(duration)] == round(100 / 3, 1)
    assert data["totals"]["plays"] == 3 and data["totals"]["completion_rate"] == round(100 / 3, 1)
    assert data["video"]["id"] == video["id"]


async def test_a_creator_sees_only_their_own_videos(
    client: httpx.AsyncClient, factory: Factory, app: object
) -> None:
    mine = await factory.account("saya")
    theirs = await factory.account("orang_lain")
    their_video = await factory.video(theirs)
    await watch(client, mine.headers, their_video["id"])
    await rollup(app)
    api = await client.get(f"/api/v1/analytics/videos/{their_video['id']}", headers=mine.headers)
    assert api.status_code == 404 and api.json()["error"]["code"] == "video_not_found"
    page = await client.get(f"/studio/v/{their_video['id']}", headers=mine.headers)
    assert page.status_code == 404
    missing = await client.get("/api/v1/analytics/videos/999999", headers=mine.headers)
    assert missing.status_code == 404
    own = (await client.get("/api/v1/analytics/creator", headers=mine.headers)).json()
    assert own["totals"]["views"] == 0 and own["videos"] == []
    assert (
        await client.get(f"/api/v1/analytics/videos/{their_video['id']}", headers=theirs.headers)
    ).status_code == 200
    # Signed out: the API asks for a login, the page sends to the login form.
    assert (await client.get("/api/v1/analytics/creator")).status_code == 401
    redirect = await client.get("/studio")
    assert redirect.status_code == 303 and redirect.headers["location"] == "/login?next=/studio"
    bad = await client.get("/api/v1/analytics/creator?days=5", headers=mine.headers)
    assert bad.status_code == 422 and bad.json()["error"]["message"] == "Pilih periode 7, 28, atau 90 hari."


async def test_only_operators_see_the_platform_dashboard(
    client: httpx.AsyncClient, factory: Factory, app: object, settings: Settings
) -> None:
    creator = await factory.account("kreator")
    operator = await factory.account("tim_kilas")
    for headers in ({}, creator.headers, operator.headers):
        assert (await client.get("/api/v1/analytics/platform", headers=headers)).status_code == 404
        page = await client.get("/admin/analytics", headers=headers)
        assert page.status_code == 404 and "Kilas dashboard" not in page.text
    assert await set_admin(settings, "tim_kilas", admin=True) == 0
    assert await set_admin(settings, "tidak_ada", admin=True) == 1
    assert (await client.get("/api/v1/analytics/platform", headers=operator.headers)).status_code == 200
    assert (await client.get("/admin/analytics", headers=operator.headers)).status_code == 200
    assert (await client.get("/api/v1/analytics/platform", headers=creator.headers)).status_code == 404
    assert await set_admin(settings, "@tim_kilas", admin=False) == 0
    assert (await client.get("/admin/analytics", headers=operator.headers)).status_code == 404


async def test_platform_numbers(
    client: httpx.AsyncClient, factory: Factory, app: object, db: AsyncSession
) -> None:
    made = await creator_with_audience(client, factory, app)
    dimas = await factory.account("dimas")
    excel = await factory.video(dimas, caption="VLOOKUP #BelajarExcel")
    await watch(client, made["viewer"].headers, excel["id"])
    await db.execute(
        update(User).where(User.username == "bu_ratna").values(province="Jawa Timur", is_admin=True)
    )
    await db.commit()
    await rollup(app)
    data = (await client.get("/api/v1/analytics/platform?days=7", headers=made["ratna"].headers)).json()
    assert data["totals"]["views"] == 5 and data["totals"]["uploads"] == 3
    assert data["totals"]["daily_active"] == 4 and data["totals"]["monthly_active"] == 4
    assert data["uploads"][-1]["count"] == 3 and len(data["uploads"]) == 7
    assert data["views_by_month"][-1]["views"] == 5 and len(data["views_by_month"]) == 12
    assert data["active"][-1] == {"day": data["period"]["last_day"], "daily": 4, "monthly": 4}
    assert [(c["username"], c["views"], c["province"]) for c in data["top_creators"]] == [
        ("bu_ratna", 4, "Jawa Timur"),
        ("dimas", 1, None),
    ]
    tags = {t["name"]: t["views"] for t in data["top_hashtags"]}
    assert tags == {"masak": 4, "samasamabelajar": 3, "belajarexcel": 1}
    assert (
        data["rising_hashtags"][0]["name"] == "masak" and data["rising_hashtags"][0]["growth_percent"] is None
    )
    provinces = {row["province"]: row for row in data["provinces"]}
    assert provinces["Jawa Tengah"]["views"] == 2 and provinces["Jawa Timur"]["views"] == 1
    assert provinces["Jawa Timur"]["uploads"] == 2


def embedded(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="analytics-data"[^>]*>(.*?)</script>', html, re.S)
    assert match, "no analytics data in the page"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


async def test_the_pages_render_for_a_creator_with_data(
    client: httpx.AsyncClient, factory: Factory, app: object
) -> None:
    made = await creator_with_audience(client, factory, app)
    await rollup(app)
    headers = made["ratna"].headers
    studio = await client.get("/studio", headers=headers)
    assert studio.status_code == 200
    html = studio.text
    assert "Statistik videomu" in html or "Studio" in html
    assert 'src="/vendor/chart/chart.umd.js"' in html and 'data-chart="views"' in html
    assert "Tayangan" in html and "Dari mana penontonmu datang" in html and "Jawa Tengah" in html
    assert embedded(html)["totals"]["views"] == 4
    assert html.count('data-testid="studio-video-row"') == 2
    assert f'href="/studio/v/{made["video"]["id"]}?days=28"' in html
    assert "style=" not in html and "<script>" not in html  # the CSP allows neither
    english = await client.get("/studio?days=90&lang=en", headers=headers)
    assert "Where your viewers come from" in english.text and 'aria-current="true">90 days' in english.text
    video_page = await client.get(f"/studio/v/{made['video']['id']}?days=7&lang=id", headers=headers)
    assert video_page.status_code == 200
    assert 'data-chart="retention"' in video_page.text and "Berapa lama penonton bertahan" in video_page.text
    assert embedded(video_page.text)["retention_plays"] == 3
    # The way in: the profile of the owner and the bottom bar.
    own_profile = await client.get("/@bu_ratna", headers=headers)
    assert 'data-testid="profile-studio"' in own_profile.text and 'href="/studio"' in own_profile.text
    other_profile = await client.get("/@sekar_solo", headers=headers)
    assert 'data-testid="profile-studio"' not in other_profile.text
    assert 'data-testid="nav-studio"' not in (await client.get("/")).text


async def test_the_operator_dashboard_renders(
    client: httpx.AsyncClient, factory: Factory, app: object, settings: Settings
) -> None:
    made = await creator_with_audience(client, factory, app)
    await set_admin(settings, "bu_ratna", admin=True)
    await rollup(app)
    page = await client.get("/admin/analytics", headers=made["ratna"].headers)
    assert page.status_code == 200
    assert "Dasbor Kilas" in page.text and "#Masak" in page.text and "Kreator teratas" in page.text
    assert 'data-chart="monthly"' in page.text and embedded(page.text)["totals"]["views"] == 4
    assert 'href="/admin/analytics"' in (await client.get("/studio", headers=made["ratna"].headers)).text


async def test_gender_and_province_in_settings_api_and_export(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    me = await factory.account("sekar")
    await profile(client, me, gender="female", province="DI Yogyakarta")
    export = (await client.get("/api/v1/me/export", headers=me.headers)).json()
    assert export["account"]["gender"] == "female" and export["account"]["province"] == "DI Yogyakarta"
    wrong = await client.patch("/api/v1/me", headers=me.headers, json={"province": "Atlantis"})
    assert wrong.status_code == 422 and wrong.json()["error"]["message"] == "Pilih provinsi dari daftar."
    assert (await client.patch("/api/v1/me", headers=me.headers, json={"gender": "robot"})).status_code == 422
    await profile(client, me, gender=None, province="")  # type: ignore[arg-type]
    export = (await client.get("/api/v1/me/export", headers=me.headers)).json()
    assert export["account"]["gender"] is None and export["account"]["province"] is None
    # The settings form: both optional selects, saved and shown again.
    form = await client.get("/settings", headers=me.headers)
    assert "Tidak ingin menyebutkan" in form.text and form.text.count("<option") >= 38 + 3
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    saved = await client.post(
        "/settings",
        headers=me.headers,
        data={
            "csrf_token": token.group(1),
            "display_name": "Sekar",
            "gender": "female",
            "province": "Jawa Tengah",
            "locale": "id",
        },
    )
    assert saved.status_code == 303
    again = await client.get("/settings", headers=me.headers)
    assert '<option value="Jawa Tengah" selected>' in again.text
    assert '<option value="female" selected>' in again.text
    refused = await client.post(
        "/settings",
        headers=me.headers,
        data={"csrf_token": token.group(1), "display_name": "Sekar", "province": "Atlantis"},
    )
    assert refused.status_code == 422 and "Pilih provinsi dari daftar." in refused.text


async def test_the_api_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in (
        "/api/v1/analytics/creator",
        "/api/v1/analytics/videos/{video_id}",
        "/api/v1/analytics/platform",
    ):
        assert spec["paths"][path]["get"]["tags"] == ["analytics"]
    assert "CreatorAnalyticsOut" in spec["components"]["schemas"]
