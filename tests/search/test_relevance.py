"""The relevance set: Indonesian queries (affixes, stopwords, typos, names, hashtags) and the video
that must come first, on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Factory
from tests.search.corpus import CREATORS, QUERIES, make_corpus


async def test_relevance_set(client: httpx.AsyncClient, factory: Factory, db: AsyncSession) -> None:
    for username in CREATORS:
        await factory.account(username)
    ids = await make_corpus(db)
    names = {video_id: key for key, video_id in ids.items()}
    assert len(QUERIES) >= 30
    misses = []
    for query, expected, within in QUERIES:
        response = await client.get("/api/v1/search", params={"q": query, "type": "videos"})
        assert response.status_code == 200, response.text
        found = [names.get(video["id"]) for video in response.json()["videos"]]
        if expected not in found[:within]:
            misses.append(f"{query!r}: expected {expected} in top {within}, got {found[:5]}")
    assert not misses, "\n".join(misses)


async def test_affixed_words_find_each_other(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession
) -> None:
    for username in CREATORS:
        await factory.account(username)
    ids = await make_corpus(db)
    learn = await client.get("/api/v1/search", params={"q": "belajar", "type": "videos"})
    found = {video["id"] for video in learn.json()["videos"]}
    assert {ids["ajar"], ids["pelajari"], ids["excel1"], ids["gitar"]} <= found  # pembelajaran, mempelajari
    share = await client.get("/api/v1/search", params={"q": "berbagi", "type": "videos"})
    assert share.json()["videos"][0]["id"] == ids["bagi"]  # membagikan


async def test_queries_of_broad_words_return_the_newest_matches(
    client: httpx.AsyncClient, factory: Factory, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kilas.search import service

    for username in CREATORS:
        await factory.account(username)
    ids = await make_corpus(db)
    monkeypatch.setattr(service, "BROAD_MINIMUM", 1)  # every word of this small corpus counts as broad
    broad = await client.get("/api/v1/search", params={"q": "belajar", "type": "videos"})
    found = {video["id"] for video in broad.json()["videos"]}
    assert {ids["ajar"], ids["pelajari"], ids["excel1"], ids["gitar"]} <= found
    narrowed = await client.get("/api/v1/search", params={"q": "belajar matematika", "type": "videos"})
    assert narrowed.json()["videos"][0]["id"] == ids["ajar"]
