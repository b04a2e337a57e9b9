from datetime import date, timedelta

import httpx

from tests.conftest import PASSWORD, Factory


def years_ago(years: int, days: int = 0) -> str:
    today = date.today()
    return (today.replace(year=today.year - years) - timedelta(days=days)).isoformat()


def signup_body(username: str = "sekar", **overrides: str) -> dict[str, str]:
    return {
        "username": username,
        "email": f"{username}@contoh.id",
        "password": PASSWORD,
        "birth_date": years_ago(25),
        **overrides,
    }


async def test_signup_then_token_then_me(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/v1/auth/signup", json=signup_body(display_name="Sekar Ayu"))
    assert created.status_code == 201
    assert created.json()["username"] == "sekar"
    assert "password" not in created.text and "argon2" not in created.text

    token = await client.post("/api/v1/auth/token", json={"login": "sekar@contoh.id", "password": PASSWORD})
    assert token.status_code == 201
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.status_code == 200
    assert me.json()["display_name"] == "Sekar Ayu"
    assert me.json()["is_private"] is False


async def test_password_is_stored_as_argon2id(client: httpx.AsyncClient, db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from kilas.accounts.models import User

    await client.post("/api/v1/auth/signup", json=signup_body())
    stored = await db.scalar(select(User.password_hash).where(User.username == "sekar"))
    assert stored.startswith("$argon2id$")


async def test_under_13_is_refused_with_a_clear_message(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/signup", json=signup_body(birth_date=years_ago(13, days=-1)))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_young"
    assert "13" in response.json()["error"]["message"]
    assert (
        await client.post("/api/v1/auth/token", json={"login": "sekar", "password": PASSWORD})
    ).status_code == 401


async def test_teenagers_start_private_adults_public(client: httpx.AsyncClient, factory: Factory) -> None:
    teen = await factory.account("remaja", birth_date=date.fromisoformat(years_ago(15)))
    adult = await factory.account("dewasa", birth_date=date.fromisoformat(years_ago(18)))
    assert (await client.get("/api/v1/me", headers=teen.headers)).json()["is_private"] is True
    assert (await client.get("/api/v1/me", headers=adult.headers)).json()["is_private"] is False


async def test_duplicate_username_or_email_conflicts(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/v1/auth/signup", json=signup_body())).status_code == 201
    again = await client.post("/api/v1/auth/signup", json=signup_body(email="lain@contoh.id"))
    assert again.status_code == 409
    same_email = await client.post("/api/v1/auth/signup", json=signup_body("lain", email="SEKAR@contoh.id"))
    assert same_email.status_code == 409


async def test_bad_signup_input_gets_422_not_500(client: httpx.AsyncClient) -> None:
    cases = [
        signup_body("a"),
        signup_body("nama dengan spasi"),
        signup_body(email="bukan-email"),
        signup_body(password="pendek"),
        signup_body(birth_date="2990-01-01"),
        signup_body("admin"),
    ]
    for body in cases:
        response = await client.post("/api/v1/auth/signup", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["message"]
    garbage = await client.post(
        "/api/v1/auth/signup", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 422


async def test_messages_follow_the_chosen_language(client: httpx.AsyncClient) -> None:
    body = signup_body(birth_date=years_ago(10))
    indonesian = await client.post("/api/v1/auth/signup", json=body)
    english = await client.post("/api/v1/auth/signup?lang=en", json=body)
    assert indonesian.json()["error"]["message"] != english.json()["error"]["message"]
    assert "at least 13" in english.json()["error"]["message"]


async def test_wrong_password_and_unknown_user_look_the_same(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.account("sekar")
    wrong = await client.post("/api/v1/auth/token", json={"login": "sekar", "password": "salah-salah-salah"})
    unknown = await client.post(
        "/api/v1/auth/token", json={"login": "tidakada", "password": "salah-salah-salah"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_login_is_rate_limited(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.account("sekar")
    statuses = [
        (
            await client.post("/api/v1/auth/token", json={"login": "sekar", "password": "salah-salah"})
        ).status_code
        for _ in range(25)
    ]
    assert statuses[0] == 401
    assert statuses[-1] == 429


async def test_profile_update_and_public_profile(client: httpx.AsyncClient, factory: Factory) -> None:
    me = await factory.account("sekar")
    updated = await client.patch(
        "/api/v1/me",
        headers=me.headers,
        json={"display_name": "  Sekar   Batik ", "bio": "Batik tulis Solo", "account_type": "business"},
    )
    assert updated.status_code == 200
    profile = (await client.get("/api/v1/users/SEKAR")).json()
    assert profile["display_name"] == "Sekar Batik"
    assert profile["account_type"] == "business"
    assert "email" not in profile
    assert (await client.get("/api/v1/users/tidakada")).status_code == 404


async def test_api_requires_a_valid_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me")).status_code == 401
    bad = await client.get("/api/v1/me", headers={"Authorization": "Bearer kls_palsu"})
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "invalid_token"
