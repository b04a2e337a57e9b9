"""The Untukmu engine in a simulated platform, against popularity-only and random feeds.

Synthetic viewers with hidden tastes (2-3 favourite topics, some favourite creators) and a watch
model (skip fast when bored, finish and sometimes rewatch when engaged; likes, shares, follows)
swipe through pages of 10 over simulated days while creators upload and new creators join. The
same world (same seed) is replayed for each policy; every policy is rebuilt every simulated hour.

    match_swipes    swipes until a NEW viewer's next 20 videos are >= 60 % in their favourite
                    topics (median over the new viewers; capped at --max-swipes)
    completion      mean watch completion of every view (watched share, capped at 1)
    new_reach_1h    share of the videos of creators who joined during the run that reached 100
                    impressions within their first simulated hour

    python -m bench.feed_simulator [--viewers 800] [--creators 60] [--days 2] [--new-viewers 30]
"""

import argparse
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass

from kilas.feed.engine.evaluate import PopularityPolicy, RandomPolicy
from kilas.feed.engine.recommender import Interaction, Item, Recommender
from kilas.feed.engine.synthetic import SimViewer, World

START = 1_800_000_000.0
HOUR = 3600.0


class EngineFeed:
    name = "engine"

    def __init__(self) -> None:
        self.engine = Recommender(explore_slots=2)

    def add_item(self, item: Item) -> None:
        self.engine.add_item(item)

    def add_viewer(self, viewer: SimViewer) -> None:
        self.engine.add_viewer(viewer.user_id, province=viewer.province)

    def page(self, user_id: int, k: int, now: float) -> list[int]:
        return [p.item_id for p in self.engine.recommend(user_id, limit=k, now=now)]

    def peek(self, user_id: int, k: int, now: float) -> list[int]:
        return [p.item_id for p in self.engine.recommend(user_id, limit=k, now=now, serve=False)]

    def observe(self, interaction: Interaction) -> None:
        self.engine.observe(interaction)

    def rebuild(self, now: float) -> None:
        self.engine.rebuild(now=now)


class BaselineFeed:
    def __init__(self, policy: PopularityPolicy | RandomPolicy) -> None:
        self.policy = policy
        self.name = policy.name

    def add_item(self, item: Item) -> None:
        self.policy.add_item(item)

    def add_viewer(self, viewer: SimViewer) -> None:
        return None

    def page(self, user_id: int, k: int, now: float) -> list[int]:
        return self.policy.top(user_id, k, now)

    def peek(self, user_id: int, k: int, now: float) -> list[int]:
        return self.policy.top(user_id, k, now)

    def observe(self, interaction: Interaction) -> None:
        self.policy.observe(interaction)

    def rebuild(self, now: float) -> None:
        self.policy.rebuild(now)


Feed = EngineFeed | BaselineFeed


@dataclass
class Result:
    name: str
    match_swipes: float
    matched_share: float
    completion: float
    new_reach_1h: float
    new_videos: int
    seconds: float


def simulate(
    feed: Feed, *, viewers: int, creators: int, days: float, new_viewers: int, max_swipes: int, seed: int
) -> Result:
    started = time.perf_counter()
    world = World(seed)
    for _ in range(creators):
        world.add_creator(START - 7 * 86400)
    people = [world.add_viewer() for _ in range(viewers)]
    for person in people:
        feed.add_viewer(person)
    # A back catalogue from the week before, so every feed starts with something to show.
    for creator in world.creators:
        for n in range(3):
            feed.add_item(world.upload(creator, START - (n + 1) * 86400))
    end = START + days * 86400
    timeline: list[tuple[float, str, int]] = []
    for hour in range(int(days * 24)):
        for _ in range(3):
            timeline.append((START + hour * HOUR + world.rng.uniform(0, HOUR), "upload", -1))
        if hour % 3 == 0:
            timeline.append((START + hour * HOUR + world.rng.uniform(0, HOUR), "creator", -1))
    for person in people:
        for _ in range(int(days * 4)):
            timeline.append((world.rng.uniform(START, end), "session", person.user_id))
    timeline.sort()
    by_id = {p.user_id: p for p in people}
    new_creators: set[int] = set()
    first_hour: dict[int, int] = defaultdict(int)
    watched: list[float] = []
    next_rebuild = START
    feed.rebuild(START)

    def view(person: SimViewer, item_id: int, now: float) -> float:
        item = world.items[item_id]
        event = world.watch(person, item, now)
        feed.observe(event)
        watched.append(min(event.watch_ratio, 1.0))
        if item.creator_id in new_creators and now - item.published_ts < HOUR:
            first_hour[item_id] += 1
        return now + world.watch_seconds(event)

    for ts, kind, who in timeline:
        while ts >= next_rebuild:
            feed.rebuild(next_rebuild)
            next_rebuild += HOUR
        if kind == "creator":
            new_creators.add(world.add_creator(ts).creator_id)
        elif kind == "upload":
            pool = world.creators
            feed.add_item(world.upload(world.rng.choice(pool), ts))
        else:
            person, now, bored = by_id[who], ts, 0
            for _ in range(3):
                for item_id in feed.page(person.user_id, 10, now):
                    before = now
                    now = view(person, item_id, now)
                    bored = bored + 1 if now - before < 4 else 0
                if bored >= 4:
                    break
    # New viewers arrive at the end and swipe until their feed matches their hidden tastes.
    swipes_needed: list[int] = []
    for n in range(new_viewers):
        person = world.add_viewer(10_000_000 + n)
        feed.add_viewer(person)
        favourites, now, swipes = (
            person.top_topics(len([t for t, w in person.tastes.items() if w > 0.5])),
            end,
            0,
        )
        while swipes < max_swipes:
            upcoming = feed.peek(person.user_id, 20, now)
            if upcoming and sum(world.items[i].tags[0] in favourites for i in upcoming) >= 0.6 * len(
                upcoming
            ):
                break
            page = feed.page(person.user_id, 10, now)
            if not page:
                swipes = max_swipes  # the feed ran dry before it matched
                break
            for item_id in page:
                now = view(person, item_id, now)
                swipes += 1
        swipes_needed.append(swipes)
    new_items = [
        i for i in world.items.values() if i.creator_id in new_creators and i.published_ts < end - HOUR
    ]
    reached = sum(first_hour[i.item_id] >= 100 for i in new_items)
    return Result(
        feed.name,
        statistics.median(swipes_needed),
        sum(s < max_swipes for s in swipes_needed) / max(len(swipes_needed), 1),
        statistics.fmean(watched),
        reached / max(len(new_items), 1),
        len(new_items),
        time.perf_counter() - started,
    )


def run(
    *,
    viewers: int = 800,
    creators: int = 60,
    days: float = 2,
    new_viewers: int = 30,
    max_swipes: int = 200,
    seed: int = 7,
) -> list[Result]:
    feeds: list[Feed] = [EngineFeed(), BaselineFeed(PopularityPolicy()), BaselineFeed(RandomPolicy(seed))]
    results = [
        simulate(f, viewers=viewers, creators=creators, days=days, new_viewers=new_viewers,
                 max_swipes=max_swipes, seed=seed)
        for f in feeds
    ]  # fmt: skip
    for r in results:
        print(f"BENCH feed_sim.{r.name}.match_swipes {r.match_swipes:.0f} swipes")
        print(f"BENCH feed_sim.{r.name}.matched_within_cap {r.matched_share * 100:.0f} %")
        print(f"BENCH feed_sim.{r.name}.completion {r.completion * 100:.1f} %")
        print(
            f"BENCH feed_sim.{r.name}.new_reach_1h {r.new_reach_1h * 100:.1f} % ({r.new_videos} new videos)"
        )
        print(f"BENCH feed_sim.{r.name}.seconds {r.seconds:.1f} s")
    engine = results[0]
    for base in results[1:]:
        if base.completion:
            print(
                f"BENCH feed_sim.completion_vs_{base.name}.ratio {engine.completion / base.completion:.2f} x"
            )
        if engine.match_swipes:
            print(
                f"BENCH feed_sim.match_swipes_{base.name}_vs_engine.ratio "
                f"{base.match_swipes / engine.match_swipes:.2f} x"
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--viewers", type=int, default=800)
    parser.add_argument("--creators", type=int, default=60)
    parser.add_argument("--days", type=float, default=2)
    parser.add_argument("--new-viewers", type=int, default=30)
    parser.add_argument("--max-swipes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    run(viewers=args.viewers, creators=args.creators, days=args.days, new_viewers=args.new_viewers,
        max_swipes=args.max_swipes, seed=args.seed)  # fmt: skip


if __name__ == "__main__":
    main()
