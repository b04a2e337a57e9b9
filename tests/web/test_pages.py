"""The HTML pages: forms with CSRF, sessions, language, escaping, security headers, link previews."""

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.feed.profiles import load_profile
from tests.conftest import PASSWORD, Factory


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form without a CSRF token"
    return match.group(1)


async def signup_in_browser(client: httpx.AsyncClient, username: str = "sekar") -> httpx.Response:
    form = await client.get("/signup")
    return await client.post(
        "/signup",
        data={
            "csrf_token": csrf_from(form.text),
            "username": username,
            "email": f"{username}@contoh.id",
            "password": PASSWORD,
            "birth_date": "1999-08-17",
            "display_name": "Sekar",
            "account_type": "business",
        },
    )


async def test_signup_form_logs_in_and_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    response = await signup_in_browser(client)
    assert response.status_code == 303
    session = client.cookies.get("kilas_session")
    assert session
    me = await client.get("/@sekar")
    assert "Edit profil" in me.text
    await client.post("/logout", data={"csrf_token": csrf_from(me.text)})
    assert "kilas_session" not in client.cookies
    assert (await client.get("/settings")).status_code == 401


async def test_forms_without_a_valid_csrf_token_are_refused(client: httpx.AsyncClient) -> None:
    await client.get("/signup")
    response = await client.post(
        "/signup",
        data={
            "csrf_token": "palsu",
            "username": "sekar",
            "email": "sekar@contoh.id",
            "password": PASSWORD,
            "birth_date": "1999-08-17",
        },
    )
    assert response.status_code == 403
    assert "kedaluwarsa" in response.text
    assert (await client.get("/api/v1/users/sekar")).status_code == 404


async def test_cookie_authenticated_api_writes_need_the_csrf_header(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await signup_in_browser(client)
    creator = await factory.account("kreator")
    assert (await client.post(f"/api/v1/users/{creator.username}/follow")).status_code == 403
    token = csrf_from((await client.get("/settings")).text)
    followed = await client.post(f"/api/v1/users/{creator.username}/follow", headers={"X-CSRF-Token": token})
    assert followed.status_code == 200


async def test_login_rotates_the_session(client: httpx.AsyncClient) -> None:
    await signup_in_browser(client)
    first = client.cookies.get("kilas_session")
    form = await client.get("/settings")
    await client.post("/logout", data={"csrf_token": csrf_from(form.text)})
    login_form = await client.get("/login")
    client.cookies.set("kilas_session", first)  # an old session cookie someone may have planted
    response = await client.post(
        "/login",
        data={
            "csrf_token": csrf_from(login_form.text),
            "login": "sekar",
            "password": PASSWORD,
            "next": "//jahat.example/",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"  # no open redirect
    new_session = re.search(r"kilas_session=([^;]+)", response.headers["set-cookie"])
    assert new_session and new_session.group(1) != first


async def test_signup_form_shows_errors_in_indonesian_and_keeps_input(client: httpx.AsyncClient) -> None:
    form = await client.get("/signup")
    response = await client.post(
        "/signup",
        data={
            "csrf_token": csrf_from(form.text),
            "username": "anak",
            "email": "anak@contoh.id",
            "password": PASSWORD,
            "birth_date": "2020-01-01",
        },
    )
    assert response.status_code == 422
    assert "minimal 13 tahun" in response.text
    assert 'value="anak@contoh.id"' in response.text


async def test_user_text_is_escaped_everywhere(client: httpx.AsyncClient, factory: Factory) -> None:
    creator = await factory.account("kreator")
    await client.patch(
        "/api/v1/me",
        headers=creator.headers,
        json={"display_name": "<script>alert(1)</script>", "bio": "<img src=x onerror=alert(2)>"},
    )
    video = await factory.video(creator, caption="<b>tebal</b> #Aman")
    for path in (f"/@{creator.username}", f"/v/{video['id']}"):
        html = (await client.get(path)).text
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html and "<b>tebal</b>" not in html


async def test_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    cookie = response.headers.get_list("set-cookie")
    assert any("kilas_csrf" in c and "HttpOnly" in c and "SameSite=lax" in c for c in cookie)


async def test_video_page_has_link_preview_tags(client: httpx.AsyncClient, factory: Factory) -> None:
    creator = await factory.account("kreator")
    video = await factory.video(creator, caption="Cara bikin sambal matah #Masak")
    html = (await client.get(f"/v/{video['id']}")).text
    for tag in ('property="og:title"', 'property="og:image"', 'property="og:video', 'property="og:url"'):
        assert tag in html
    assert f"http://127.0.0.1:8000{video['poster_url']}" in html
    profile = (await client.get(f"/@{creator.username}")).text
    assert 'property="og:title"' in profile


async def test_language_switch_and_default(client: httpx.AsyncClient) -> None:
    assert 'lang="id"' in (await client.get("/login")).text
    english = await client.get("/login?lang=en")
    assert 'lang="en"' in english.text and "Welcome back" in english.text
    assert 'lang="en"' in (await client.get("/signup")).text  # remembered


async def test_unknown_pages_are_friendly(client: httpx.AsyncClient) -> None:
    page = await client.get("/v/99999")
    assert page.status_code == 404 and "<html" in page.text
    assert (await client.get("/@tidakada")).status_code == 404
    assert (await client.get("/api/v1/tidakada")).json()["error"]["code"] == "not_found"
    assert (await client.get("/tag/tidakada")).status_code == 404


async def test_health_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    spec = (await client.get("/openapi.json")).json()
    for path in (
        "/api/v1/auth/signup",
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/videos",
        "/api/v1/videos/{video_id}",
        "/api/v1/feed/foryou",
        "/api/v1/feed/following",
        "/api/v1/videos/{video_id}/like",
        "/api/v1/videos/{video_id}/comments",
        "/api/v1/users/{username}/follow",
        "/api/v1/users/{username}",
        "/api/v1/uploads",
    ):
        assert path in spec["paths"], path


async def test_signup_form_offers_topics_and_keeps_the_picked_ones(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    form = await client.get("/signup")
    assert 'data-testid="interest-memasak"' in form.text and "Kamu suka nonton apa?" in form.text
    fields = {
        "csrf_token": csrf_from(form.text),
        "username": "rina",
        "email": "rina@contoh.id",
        "password": PASSWORD,
        "birth_date": "2000-01-01",
    }
    refused = await client.post("/signup", data=fields | {"interests": ["memasak", "<judi>"]})
    assert refused.status_code == 422
    assert "Pilih topik dari daftar" in refused.text and "&lt;judi&gt;" not in refused.text
    assert 'value="memasak" data-testid="interest-memasak" checked' in refused.text  # kept for a retry
    made = await client.post("/signup", data=fields | {"interests": ["memasak", "bisnis"]})
    assert made.status_code == 303
    user_id = await db.scalar(select(User.id).where(User.username == "rina"))
    assert user_id is not None
    assert set((await load_profile(db, user_id)).topics) == {"memasak", "bisnis"}
