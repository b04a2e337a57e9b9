"""Series, collections, subtitles, video answers, related videos and the pages that show them."""

from datetime import date

import httpx

from tests.conftest import Factory

VTT = b"""WEBVTT

00:00:00.000 --> 00:00:01.000
Halo, hari ini kita <b>mempelajari</b> fotosintesis &amp; klorofil

00:00:01.000 --> 00:00:01.900
<script>alert(1)</script>Terima kasih
"""
SRT = b"""1
00:00:00,000 --> 00:00:01,000
Selamat datang di kelas pertanian organik
"""


async def test_series_parts_follow_and_new_part_notice(client: httpx.AsyncClient, factory: Factory) -> None:
    creator = await factory.account("guru_excel")
    viewer = await factory.account("murid")
    part1 = await factory.video(creator, caption="Belajar Excel bagian 1 #BelajarExcel")
    part2 = await factory.video(creator, caption="Belajar Excel bagian 2 #BelajarExcel")
    created = await client.post("/api/v1/series", headers=creator.headers, json={"title": "Belajar Excel"})
    assert created.status_code == 201, created.text
    series_id = created.json()["id"]
    for video in (part1, part2):
        added = await client.post(
            f"/api/v1/series/{series_id}/parts", headers=creator.headers, json={"video_id": video["id"]}
        )
        assert added.status_code == 201, added.text
    place = (await client.get(f"/api/v1/videos/{part1['id']}/series")).json()
    assert (place["number"], place["total"], place["next_url"]) == (1, 2, f"/v/{part2['id']}")
    assert place["label"] == "Bagian 1 dari 2"

    followed = await client.post(f"/api/v1/series/{series_id}/follow", headers=viewer.headers)
    assert followed.json()["followed_by_me"] is True
    next_parts = await client.get("/api/v1/me/series-updates", headers=viewer.headers)
    assert next_parts.json()["updates"] == []
    part3 = await factory.video(creator, caption="Belajar Excel bagian 3")
    await client.post(
        f"/api/v1/series/{series_id}/parts", headers=creator.headers, json={"video_id": part3["id"]}
    )
    updates = (await client.get("/api/v1/me/series-updates", headers=viewer.headers)).json()
    assert updates["unread"] == 1 and updates["updates"][0]["video"]["id"] == part3["id"]

    page = await client.get(f"/v/{part2['id']}")
    assert "Bagian 2 dari 3" in page.text and f'href="/v/{part3["id"]}"' in page.text
    series_page = await client.get(f"/seri/{series_id}")
    assert series_page.status_code == 200 and "Belajar Excel" in series_page.text

    other = await factory.account("bukan_pemilik")
    foreign = await client.post(
        f"/api/v1/series/{series_id}/parts", headers=other.headers, json={"video_id": part1["id"]}
    )
    assert foreign.status_code == 403
    empty = await client.post("/api/v1/series", headers=creator.headers, json={"title": "   "})
    assert empty.status_code == 422 and empty.json()["error"]["message"]


async def test_series_feed_hook_gives_the_next_unwatched_part(
    client: httpx.AsyncClient, factory: Factory, app: object
) -> None:
    from kilas.accounts.models import User
    from kilas.learning.series import next_series_parts

    creator = await factory.account("guru")
    viewer = await factory.account("penonton")
    videos = [await factory.video(creator, caption=f"Kelas {n}") for n in (1, 2)]
    series_id = (
        await client.post("/api/v1/series", headers=creator.headers, json={"title": "Kelas"})
    ).json()["id"]
    for video in videos:
        await client.post(
            f"/api/v1/series/{series_id}/parts", headers=creator.headers, json={"video_id": video["id"]}
        )
    await client.post(f"/api/v1/series/{series_id}/follow", headers=viewer.headers)
    async with app.state.sessionmaker() as db:  # type: ignore[attr-defined]
        from sqlalchemy import select

        user = await db.scalar(select(User).where(User.username == "penonton"))
        found = await next_series_parts(db=db, viewer=user, limit=5)
    assert [video.id for video in found] == [videos[0]["id"]]
    others = [await factory.video(await factory.account(f"lain{n}"), caption="Hiburan") for n in range(3)]
    feed = (await client.get("/api/v1/feed/foryou", headers=viewer.headers)).json()
    ids = [item["id"] for item in feed["videos"]]
    assert ids[0] == videos[0]["id"] and set(ids) >= {other["id"] for other in others}


async def test_collections_private_by_default_and_shared_by_link(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    creator = await factory.account("kreator")
    saver = await factory.account("penyimpan")
    video = await factory.video(creator, caption="Resep sambal matah")
    secret = await factory.video(creator, caption="Rahasia dapur", visibility="private")
    made = await client.post("/api/v1/collections", headers=saver.headers, json={"name": "Resep favorit"})
    assert made.status_code == 201 and made.json()["is_public"] is False and made.json()["share_url"] is None
    collection_id = made.json()["id"]
    saved = await client.post(
        f"/api/v1/collections/{collection_id}/videos", headers=saver.headers, json={"video_id": video["id"]}
    )
    assert saved.json()["items_count"] == 1
    hidden = await client.post(
        f"/api/v1/collections/{collection_id}/videos", headers=saver.headers, json={"video_id": secret["id"]}
    )
    assert hidden.status_code == 404
    assert (
        await client.get(f"/api/v1/collections/{collection_id}", headers=creator.headers)
    ).status_code == 404
    shared = await client.patch(
        f"/api/v1/collections/{collection_id}", headers=saver.headers, json={"is_public": True}
    )
    link = shared.json()["share_url"]
    page = await client.get(link)
    assert page.status_code == 200 and "Resep favorit" in page.text and video["url"] in page.text
    await client.patch(
        f"/api/v1/collections/{collection_id}", headers=saver.headers, json={"is_public": False}
    )
    assert (await client.get(link)).status_code == 404


async def test_subtitles_are_sanitised_served_and_searchable(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    creator = await factory.account("guru_ipa")
    video = await factory.video(creator, caption="Kelas IPA hari ini")
    put = await client.put(
        f"/api/v1/videos/{video['id']}/subtitles/id",
        headers=creator.headers,
        files={"file": ("a.vtt", VTT, "text/vtt")},
    )
    assert put.status_code == 200, put.text
    served = await client.get(put.json()["url"])
    assert served.headers["content-type"].startswith("text/vtt")
    assert "<" not in served.text.split("\n", 1)[1] and "alert(1)Terima kasih" in served.text
    found = await client.get("/api/v1/search", params={"q": "klorofil", "type": "videos"})
    assert [v["id"] for v in found.json()["videos"]] == [video["id"]]
    srt = await client.put(
        f"/api/v1/videos/{video['id']}/subtitles/en",
        headers=creator.headers,
        files={"file": ("a.srt", SRT, "text/plain")},
    )
    assert srt.status_code == 200
    organic = await client.get("/api/v1/search", params={"q": "organik", "type": "videos"})
    assert [v["id"] for v in organic.json()["videos"]] == [video["id"]]
    bad = await client.put(
        f"/api/v1/videos/{video['id']}/subtitles/id",
        headers=creator.headers,
        files={"file": ("x.vtt", b"\x89PNG\x00\x00", "text/vtt")},
    )
    assert bad.status_code == 422 and bad.json()["error"]["message"]
    big = await client.put(
        f"/api/v1/videos/{video['id']}/subtitles/id",
        headers=creator.headers,
        files={"file": ("x.vtt", b"WEBVTT\n\n" + b"a" * 300_000, "text/vtt")},
    )
    assert big.status_code == 413
    late = await client.put(
        f"/api/v1/videos/{video['id']}/subtitles/id",
        headers=creator.headers,
        files={"file": ("x.vtt", b"WEBVTT\n\n01:00:00.000 --> 01:00:02.000\nTerlambat\n", "text/vtt")},
    )
    assert late.status_code == 422
    stranger = await factory.account("orang_lain")
    denied = await client.put(
        f"/api/v1/videos/{video['id']}/subtitles/id",
        headers=stranger.headers,
        files={"file": ("a.vtt", VTT, "text/vtt")},
    )
    assert denied.status_code == 403
    page = await client.get(f"/v/{video['id']}")
    assert 'data-testid="subtitles-toggle"' in page.text


async def test_private_and_adult_videos_never_leak_into_search(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    creator = await factory.account("pembuat")
    minor = await factory.account("remaja", birth_date=date(date.today().year - 15, 1, 1))
    await factory.video(creator, caption="Rahasiaku tentang tanaman hidroponik", visibility="private")
    await factory.video(creator, caption="Hidroponik untuk pengikut", visibility="followers")
    public = await factory.video(creator, caption="Belajar hidroponik di rumah")
    found = await client.get("/api/v1/search", params={"q": "hidroponik"})
    assert [v["id"] for v in found.json()["videos"]] == [public["id"]]
    suggestions = await client.get("/api/v1/search/suggest", params={"q": "rahasi"})
    assert all("rahasia" not in s["text"].lower() for s in suggestions.json()["suggestions"])
    blocked = await client.post(f"/api/v1/users/{creator.username}/block", headers=minor.headers)
    assert blocked.status_code == 204
    hidden = await client.get("/api/v1/search", params={"q": "hidroponik"}, headers=minor.headers)
    assert hidden.json()["videos"] == []
    assert (await client.get("/api/v1/search", params={"q": ""})).status_code == 422
    assert (await client.get("/api/v1/search", params={"q": "x", "type": "semua"})).status_code == 422


async def test_search_tabs_suggestions_edits_and_deletes(client: httpx.AsyncClient, factory: Factory) -> None:
    creator = await factory.account("bu_ratna_masak")
    video = await factory.video(creator, caption="Resep rendang Padang #MasakRumahan")
    users = await client.get("/api/v1/search", params={"q": "ratna", "type": "users"})
    assert [u["username"] for u in users.json()["users"]] == ["bu_ratna_masak"]
    tags = await client.get("/api/v1/search", params={"q": "masakrum", "type": "hashtags"})
    assert tags.json()["hashtags"][0]["display"] == "MasakRumahan"
    suggest = await client.get("/api/v1/search/suggest", params={"q": "rend"})
    assert "rendang" in [s["text"] for s in suggest.json()["suggestions"]]
    await client.patch(
        f"/api/v1/videos/{video['id']}", headers=creator.headers, json={"caption": "Soto ayam Lamongan"}
    )
    assert (await client.get("/api/v1/search", params={"q": "rendang", "type": "videos"})).json()[
        "videos"
    ] == []
    assert len((await client.get("/api/v1/search", params={"q": "soto"})).json()["videos"]) == 1
    page = await client.get("/cari", params={"q": "mesak soto"})
    assert page.status_code == 200 and video["url"] in page.text
    await client.delete(f"/api/v1/videos/{video['id']}", headers=creator.headers)
    assert (await client.get("/api/v1/search", params={"q": "soto"})).json()["videos"] == []


async def test_topics_belajar_discover_answers_and_related(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    creator = await factory.account("guru_mtk")
    fan = await factory.account("penanya")
    suggestion = await client.get("/api/v1/topics/suggest", params={"caption": "Resep rendang khas Padang"})
    assert suggestion.json()["topic"]["slug"] == "memasak"
    question_video = await factory.video(creator, caption="Pecahan itu mudah #Matematika")
    comment = await client.post(
        f"/api/v1/videos/{question_video['id']}/comments",
        headers=fan.headers,
        json={"body": "Bagaimana cara membagi pecahan?"},
    )
    assert comment.status_code == 201, comment.text
    answer_video = await factory.video(creator, caption="Jawaban: membagi pecahan #Matematika")
    for video in (question_video, answer_video):
        topic = await client.put(
            f"/api/v1/videos/{video['id']}/topic", headers=creator.headers, json={"topic": "matematika"}
        )
        assert topic.status_code == 200
    wrong = await client.put(
        f"/api/v1/videos/{video['id']}/topic", headers=creator.headers, json={"topic": "sulap"}
    )
    assert wrong.status_code == 422
    answered = await client.put(
        f"/api/v1/videos/{answer_video['id']}/answer",
        headers=creator.headers,
        json={"comment_id": comment.json()["id"]},
    )
    assert answered.status_code == 200 and answered.json()["body"].startswith("Bagaimana")
    answers = await client.get(f"/api/v1/comments/{comment.json()['id']}/answers")
    assert [v["id"] for v in answers.json()["videos"]] == [answer_video["id"]]
    question_page = await client.get(f"/v/{question_video['id']}")
    assert f"/v/{answer_video['id']}" in question_page.text
    answer_page = await client.get(f"/v/{answer_video['id']}")
    assert "Bagaimana cara membagi pecahan?" in answer_page.text
    related = await client.get(f"/api/v1/videos/{question_video['id']}/related")
    assert answer_video["id"] in [v["id"] for v in related.json()["videos"]]
    belajar = await client.get("/api/v1/feed/belajar")
    assert {v["id"] for v in belajar.json()["videos"]} == {question_video["id"], answer_video["id"]}
    assert (await client.get("/belajar")).status_code == 200
    topic_page = await client.get("/topik/matematika")
    assert topic_page.status_code == 200 and question_video["url"] in topic_page.text
    assert (await client.get("/topik/sulap")).status_code == 404
    discover = await client.get("/jelajah")
    assert discover.status_code == 200 and "#Matematika" in discover.text
