from itertools import pairwise
from pathlib import Path

import pytest

from kilas.cli import main
from kilas.feed.engine import Interaction, Item, Profile, Recommender
from kilas.feed.engine.evaluate import evaluate, read_interactions, read_items
from kilas.feed.engine.exploration import WAVES
from kilas.feed.engine.seen import SeenSet
from kilas.feed.engine.synthetic import generate_log, write_log
from kilas.feed.engine.text import tokens

T0 = 1_700_000_000.0


def catalog(engine: Recommender, per_topic: int = 30, published_ts: float = T0) -> None:
    item_id = 1
    for topic in ("memasak", "olahraga", "teknologi", "hiburan"):
        for n in range(per_topic):
            engine.add_item(
                Item(
                    item_id,
                    creator_id=100 + (item_id % 12),
                    tags=(topic,),
                    published_ts=published_ts,
                    text=f"{topic} {n}",
                )
            )
            item_id += 1


def test_tokens_fold_indonesian_particles_and_drop_function_words() -> None:
    assert tokens("Resepnya mudah, cobalah kue-kue #Masak yang enak") == [
        "resep",
        "mudah",
        "coba",
        "kue",
        "#masak",
        "enak",
    ]


def test_seen_set_round_trips_through_bytes() -> None:
    seen = SeenSet([1, 5, 2**40])
    again = SeenSet.from_bytes(seen.to_bytes())
    assert 5 in again and 2**40 in again and 6 not in again and len(again) == 3


def test_profile_round_trips_and_refresh_keeps_the_seen_set() -> None:
    profile = Profile()
    profile.choose_interests(["memasak"])
    profile.hide(creator_id=7, tags=("hiburan",), now=T0)
    profile.seen.add(3)
    again = Profile.from_json(profile.to_json(T0), profile.seen.to_bytes())
    assert again.top_topics(1) == ["memasak"]
    assert again.hides(creator_id=7, tags=(), now=T0 + 60)
    again.reset()
    assert again.top_topics(1) == [] and 3 in again.seen and not again.hides(creator_id=7, tags=(), now=T0)


def test_one_event_changes_the_next_page_and_pages_never_repeat() -> None:
    engine = Recommender(explore_slots=0)
    catalog(engine)
    engine.rebuild(now=T0 + 60)
    shown: set[int] = set()
    first = engine.recommend(1, limit=10, now=T0 + 60)
    shown |= {p.item_id for p in first}
    assert len({engine.items[p.item_id].tags for p in first}) >= 2, "a cold start is a mix"
    cooking = [i.item_id for i in engine.items.values() if i.tags == ("memasak",) and i.item_id not in shown]
    for item_id in cooking[:3]:
        engine.observe(Interaction(1, item_id, T0 + 70, 1.0, liked=True))
    second = engine.recommend(1, limit=10, now=T0 + 80)
    assert not (shown | set(cooking[:3])) & {p.item_id for p in second}
    topics = [engine.items[p.item_id].tags[0] for p in second]
    assert topics.count("memasak") >= 5
    assert any(p.reason.code == "topic" and p.reason.detail == "memasak" for p in second)
    for a, b in pairwise(second):
        assert a.creator_id != b.creator_id


def test_not_interested_blocked_and_adults_only_stay_out() -> None:
    engine = Recommender(explore_slots=0)
    catalog(engine)
    engine.add_item(Item(999, creator_id=500, tags=("memasak",), published_ts=T0, adults_only=True))
    engine.add_viewer(2, adult=False, interests=["memasak"])
    engine.block(2, 101)
    engine.rebuild(now=T0)
    hidden_item = next(i for i in engine.items.values() if i.tags == ("olahraga",))
    engine.not_interested(2, hidden_item.item_id, now=T0)
    for _ in range(8):
        for pick in engine.recommend(2, limit=10, now=T0 + 10):
            item = engine.items[pick.item_id]
            assert item.item_id != 999 and item.creator_id not in (101, hidden_item.creator_id)
            assert item.tags != ("olahraga",)


def test_new_videos_get_a_first_audience_and_grow_only_when_they_hold_it() -> None:
    engine = Recommender(explore_slots=2)
    catalog(engine, per_topic=60, published_ts=T0 - 7 * 86400)  # no longer new
    good, bad = Item(5001, 900, ("memasak",), published_ts=T0), Item(5002, 901, ("memasak",), published_ts=T0)
    engine.add_item(good)
    engine.add_item(bad)
    for viewer in range(1, 300):
        if viewer % 50 == 0:
            engine.rebuild(now=T0 + viewer)
        for pick in engine.recommend(viewer, limit=10, now=T0 + viewer):
            ratio = 1.0 if pick.item_id == good.item_id else 0.05 if pick.item_id == bad.item_id else 0.5
            engine.observe(Interaction(viewer, pick.item_id, T0 + viewer, ratio))
    assert engine.stats[good.item_id].impressions > WAVES[0]
    assert engine.waves[good.item_id].wave >= 1
    assert not engine.waves[bad.item_id].active
    assert engine.stats[bad.item_id].impressions < engine.stats[good.item_id].impressions / 2


def test_offline_evaluation_scores_every_policy_and_the_command_reports_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log, items = generate_log(viewers=60, creators=15, videos=150, days=2, seed=3)
    interactions_path, items_path = write_log(log, items, tmp_path)
    report = evaluate(read_interactions(interactions_path), read_items(items_path), k=10, max_moments=400)
    engine, popularity, random = report.scores
    assert engine.moments == 400
    assert engine.hits > 0 and popularity.hits > 0 and random.hits > 0
    assert 0 < engine.ndcg() <= engine.recall() <= 1
    # Personal pages reach far more of the catalogue, and less obvious videos, than the popular list.
    assert report.coverage(engine) > report.coverage(popularity)
    assert engine.novelty() > popularity.novelty()
    assert main(["feed-eval", "--interactions", str(interactions_path), "--max-moments", "50"]) == 0
    assert "Recall@10" in capsys.readouterr().out


def test_feed_eval_explains_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("user_id,item_id,timestamp,watch_ratio\n1,2,soon,1\n")
    assert main(["feed-eval", "--interactions", str(bad)]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main(["feed-eval", "--interactions", str(tmp_path / "missing.csv")]) == 2
