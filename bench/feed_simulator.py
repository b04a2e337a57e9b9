"""The Untukmu engine in a simulated platform, against popularity-only and random feeds.

Synthetic viewers with hidden tastes (2-3 favourite topics, some favourite creators) and a watch
model (skip fast when bored, finish and sometimes rewatch when engaged; likes, shares, follows)
open the app a few times a day and swipe through up to three pages of 10 (fewer when bored), while
creators upload and new creators join, each with a first video (Poisson arrivals). The world is
written once (same seed) and played for each policy: the same people, uploads and session starts,
and viewers who roll the same dice; only what the feed shows them differs. Every policy is rebuilt
every simulated hour.

    match_swipes    swipes until a NEW viewer's next 20 videos are >= 60 % in their favourite
                    topics (median over the new viewers; capped at --max-swipes)
    completion      mean watch completion of every view (watched share, capped at 1)
    new_reach_1h    share of the videos of creators who joined during the run that reached 100
                    impressions within their first simulated hour (a video whose first audience
                    does not hold is meant to stop before that)
    new_first_audience_1h   the same for 25 impressions: the first exploration wave

It also prints the traffic: sessions and uploads an hour, views an hour and per upload, and the
median upload's impressions in its first hour.

    python -m bench.feed_simulator [--viewers 800] [--sessions-per-day 4] [--creators 60]
        [--uploads-per-hour 3] [--new-creators-per-hour 0.33] [--days 2] [--new-viewers 30]
"""

import argparse
import math
import random
import statistics
import time
from collections import Counter, deque
from dataclasses import dataclass

from kilas.feed.engine.evaluate import PopularityPolicy, RandomPolicy
from kilas.feed.engine.recommender import Interaction, Item, Recommender
from kilas.feed.engine.synthetic import SimViewer, World

START = 1_800_000_000.0
HOUR = 3600.0
DAY = 24 * HOUR
REACH = 100  # impressions within the first hour
FIRST_AUDIENCE = 25  # the first exploration wave


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
class Script:
    """One simulated platform, the same for every policy: who is there, what is uploaded when, who
    opens the app when, and who signs up at the end."""

    world: World
    people: list[SimViewer]
    uploads: list[Item]  # in time order, the back catalogue first
    sessions: list[tuple[float, int]]  # (start, user id) in time order
    newcomers: list[SimViewer]
    new_creators: set[int]
    start: float
    end: float
    behaviour_seed: int

    @property
    def hours(self) -> float:
        return (self.end - self.start) / HOUR

    @property
    def uploads_in_run(self) -> int:
        return sum(item.published_ts >= self.start for item in self.uploads)


@dataclass
class Result:
    name: str
    match_swipes: float
    matched_share: float
    completion: float
    new_reach_1h: float
    new_first_audience_1h: float
    new_videos: int
    views: int  # during the run, the new viewers' swipes at the end left out
    first_hour_median: float
    seconds: float


def arrivals(rng: random.Random, per_hour: float, start: float, end: float) -> list[float]:
    """The times of a Poisson process with `per_hour` events an hour."""
    times: list[float] = []
    ts = start
    while per_hour > 0:
        ts += rng.expovariate(per_hour / HOUR)
        if ts >= end:
            break
        times.append(ts)
    return times


def write_script(
    *,
    viewers: int,
    creators: int,
    days: float,
    sessions_per_day: float,
    uploads_per_hour: float,
    new_creators_per_hour: float,
    new_viewers: int,
    seed: int,
) -> Script:
    world = World(seed)
    for _ in range(creators):
        world.add_creator(START - 7 * DAY)
    people = [world.add_viewer() for _ in range(viewers)]
    # A back catalogue from the days before, so every feed starts with something to show.
    uploads = [world.upload(creator, START - (n + 1) * DAY) for creator in world.creators for n in range(3)]
    end = START + days * DAY
    happenings = [(ts, True) for ts in arrivals(world.rng, new_creators_per_hour, START, end)]
    happenings += [(ts, False) for ts in arrivals(world.rng, uploads_per_hour, START, end)]
    new_creators: set[int] = set()
    for ts, joins in sorted(happenings):
        if joins:
            creator = world.add_creator(ts)
            new_creators.add(creator.creator_id)
        else:
            creator = world.rng.choice(world.creators)
        uploads.append(world.upload(creator, ts))
    per_person = round(days * sessions_per_day)
    sessions = sorted((world.rng.uniform(START, end), p.user_id) for p in people for _ in range(per_person))
    newcomers = [world.add_viewer(10_000_000 + n) for n in range(new_viewers)]
    return Script(world, people, uploads, sessions, newcomers, new_creators, START, end, seed + 1)


def simulate(feed: Feed, script: Script, *, max_swipes: int) -> Result:
    started = time.perf_counter()
    world = script.world
    world.rng = random.Random(script.behaviour_seed)  # every policy's viewers roll the same dice
    for person in script.people:
        feed.add_viewer(person)
    pending = deque(script.uploads)
    next_rebuild = script.start
    by_id = {p.user_id: p for p in script.people}
    first_hour: Counter[int] = Counter()
    watched: list[float] = []

    def advance(until: float) -> None:
        """Publish the uploads and run the hourly rebuilds due by `until`, in time order."""
        nonlocal next_rebuild
        while True:
            upload_ts = pending[0].published_ts if pending else math.inf
            if min(upload_ts, next_rebuild) > until:
                return
            if upload_ts < next_rebuild:
                feed.add_item(pending.popleft())
            else:
                feed.rebuild(next_rebuild)
                next_rebuild += HOUR

    def view(person: SimViewer, item_id: int, now: float) -> float:
        item = world.items[item_id]
        event = world.watch(person, item, now)
        feed.observe(event)
        watched.append(min(event.watch_ratio, 1.0))
        if now - item.published_ts < HOUR:
            first_hour[item_id] += 1
        return now + world.watch_seconds(event)

    for ts, user_id in script.sessions:
        advance(ts)
        person, now, bored = by_id[user_id], ts, 0
        for _ in range(3):
            for item_id in feed.page(person.user_id, 10, now):
                before = now
                now = view(person, item_id, now)
                bored = bored + 1 if now - before < 4 else 0
            if bored >= 4:
                break
    views = len(watched)
    advance(script.end)
    # New viewers arrive at the end and swipe until their feed matches their hidden tastes.
    swipes_needed: list[int] = []
    for person in script.newcomers:
        feed.add_viewer(person)
        favourites = person.top_topics(len([t for t, w in person.tastes.items() if w > 0.5]))
        now, swipes = script.end, 0
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
    # The uploads of the run that have had their whole first hour.
    grown = [i for i in script.uploads if script.start <= i.published_ts < script.end - HOUR]
    new_items = [i for i in grown if i.creator_id in script.new_creators]
    reached = sum(first_hour[i.item_id] >= REACH for i in new_items)
    audience = sum(first_hour[i.item_id] >= FIRST_AUDIENCE for i in new_items)
    return Result(
        feed.name,
        statistics.median(swipes_needed),
        sum(s < max_swipes for s in swipes_needed) / max(len(swipes_needed), 1),
        statistics.fmean(watched),
        reached / max(len(new_items), 1),
        audience / max(len(new_items), 1),
        len(new_items),
        views,
        statistics.median(first_hour[i.item_id] for i in grown) if grown else 0.0,
        time.perf_counter() - started,
    )


def run(
    *,
    viewers: int = 800,
    sessions_per_day: float = 4,
    creators: int = 60,
    uploads_per_hour: float = 3,
    new_creators_per_hour: float = 1 / 3,
    days: float = 2,
    new_viewers: int = 30,
    max_swipes: int = 200,
    seed: int = 7,
) -> list[Result]:
    script = write_script(
        viewers=viewers,
        creators=creators,
        days=days,
        sessions_per_day=sessions_per_day,
        uploads_per_hour=uploads_per_hour,
        new_creators_per_hour=new_creators_per_hour,
        new_viewers=new_viewers,
        seed=seed,
    )
    uploads = script.uploads_in_run
    print(f"BENCH feed_sim.world.sessions_per_hour {len(script.sessions) / script.hours:.0f} sessions")
    print(f"BENCH feed_sim.world.uploads_per_hour {uploads / script.hours:.1f} videos")
    feeds: list[Feed] = [EngineFeed(), BaselineFeed(PopularityPolicy()), BaselineFeed(RandomPolicy(seed))]
    results = [simulate(feed, script, max_swipes=max_swipes) for feed in feeds]
    for r in results:
        print(f"BENCH feed_sim.{r.name}.match_swipes {r.match_swipes:.0f} swipes")
        print(f"BENCH feed_sim.{r.name}.matched_within_cap {r.matched_share * 100:.0f} %")
        print(f"BENCH feed_sim.{r.name}.completion {r.completion * 100:.1f} %")
        print(
            f"BENCH feed_sim.{r.name}.new_reach_1h {r.new_reach_1h * 100:.1f} % ({r.new_videos} new videos)"
        )
        print(
            f"BENCH feed_sim.{r.name}.new_first_audience_1h {r.new_first_audience_1h * 100:.1f} % "
            f"({FIRST_AUDIENCE} impressions)"
        )
        print(f"BENCH feed_sim.{r.name}.views_per_hour {r.views / script.hours:.0f} views")
        print(f"BENCH feed_sim.{r.name}.views_per_upload {r.views / max(uploads, 1):.0f} views")
        print(f"BENCH feed_sim.{r.name}.first_hour_impressions {r.first_hour_median:.0f} (median upload)")
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
    parser.add_argument("--sessions-per-day", type=float, default=4)
    parser.add_argument("--creators", type=int, default=60)
    parser.add_argument("--uploads-per-hour", type=float, default=3)
    parser.add_argument("--new-creators-per-hour", type=float, default=1 / 3)
    parser.add_argument("--days", type=float, default=2)
    parser.add_argument("--new-viewers", type=int, default=30)
    parser.add_argument("--max-swipes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    run(
        viewers=args.viewers,
        sessions_per_day=args.sessions_per_day,
        creators=args.creators,
        uploads_per_hour=args.uploads_per_hour,
        new_creators_per_hour=args.new_creators_per_hour,
        days=args.days,
        new_viewers=args.new_viewers,
        max_swipes=args.max_swipes,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
