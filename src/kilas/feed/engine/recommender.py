"""The ranking engine in memory, without the web app: feed it items and interactions, ask for pages.

    from kilas.feed.engine import Interaction, Item, Recommender

    engine = Recommender()
    engine.add_item(Item(item_id=1, creator_id=7, tags=("memasak", "#resep"), duration_s=30,
                         published_ts=t0, text="Resep rendang"))
    engine.add_viewer(42, province="Jawa Barat", interests=["memasak"])
    page = engine.recommend(42, limit=10, now=t0 + 60)          # list[Pick], each with a reason
    engine.observe(Interaction(user_id=42, item_id=1, timestamp=t0 + 90, watch_ratio=1.0))
    engine.rebuild(now=t0 + 3600)                                 # pools, co-engagement, model

`observe` changes the viewer's next page at once (interests, seen-set, exploration counts);
`rebuild` is the periodic job: candidate pools per topic and province, co-engagement and content
neighbours, exploration reviews and a retrained model. The app's feed uses the same candidate rules,
features, model and page rules (kilas.feed.engine.ranking) over pools kept in the database.
"""

import random
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from kilas.feed.engine import exploration
from kilas.feed.engine.model import TARGETS, ItemStats, RankingModel, feature_row
from kilas.feed.engine.neighbours import co_engagement, content_similarity
from kilas.feed.engine.profile import Profile, Signal
from kilas.feed.engine.ranking import Candidate, CandidatePool, Pick, choose_page

TOPIC_POOL = 60
TRENDING_POOL = 60
TRENDING_WINDOW_S = 24 * 3600
MAX_SAMPLES = 200_000
# A source of "the next part of what the viewer is watching" (a series); empty until one is wired.
SeriesSource = Callable[[int, Profile], list[int]]


@dataclass(frozen=True)
class Item:
    item_id: int
    creator_id: int
    tags: tuple[str, ...] = ()
    duration_s: float = 30.0
    published_ts: float = 0.0
    text: str = ""
    adults_only: bool = False


@dataclass(frozen=True)
class Interaction:
    user_id: int
    item_id: int
    timestamp: float
    watch_ratio: float
    liked: bool = False
    shared: bool = False
    commented: bool = False
    followed: bool = False


@dataclass
class Viewer:
    profile: Profile = field(default_factory=Profile)
    province: str | None = None
    adult: bool = True
    follows: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)


class Recommender:
    def __init__(self, *, explore_slots: int = 2, seed: int = 0, series: SeriesSource | None = None) -> None:
        self.explore_slots = explore_slots
        self.random = random.Random(seed)
        self.series = series
        self.items: dict[int, Item] = {}
        self.stats: dict[int, ItemStats] = {}
        self.waves: dict[int, exploration.Wave] = {}
        self.viewers: dict[int, Viewer] = {}
        self.by_creator: dict[int, list[int]] = defaultdict(list)
        self.model = RankingModel()
        self.topic_pools: dict[str, list[int]] = {}
        self.trending: dict[str | None, dict[int, float]] = {}
        self.co: dict[int, dict[int, float]] = {}
        self.similar: dict[int, dict[int, float]] = {}
        # Qualities of recent reviews per (topic, wave): a video is judged against peers that were
        # shown to an audience of the same size.
        self.peer_quality: dict[tuple[str, int], deque[float]] = defaultdict(lambda: deque(maxlen=50))
        self._exploring: list[int] = []
        self._plays: deque[tuple[float, int, str | None, float]] = deque()
        self._finishes: deque[tuple[int, int]] = deque(maxlen=300_000)
        self._samples: deque[tuple[list[float], tuple[bool, ...]]] = deque(maxlen=MAX_SAMPLES)
        self._similar_done: set[int] = set()

    # --- the catalog and the viewers ---------------------------------------------------------------
    def add_item(self, item: Item) -> None:
        self.items[item.item_id] = item
        self.stats.setdefault(item.item_id, ItemStats())
        self.by_creator[item.creator_id].append(item.item_id)
        self.waves[item.item_id] = exploration.Wave()
        self._exploring.append(item.item_id)

    def add_viewer(
        self, user_id: int, *, province: str | None = None, adult: bool = True, interests: Iterable[str] = ()
    ) -> Viewer:
        viewer = self.viewers.setdefault(user_id, Viewer(province=province, adult=adult))
        viewer.profile.choose_interests(list(interests))
        return viewer

    def viewer(self, user_id: int) -> Viewer:
        return self.viewers.get(user_id) or self.add_viewer(user_id)

    def follow(self, user_id: int, creator_id: int) -> None:
        self.viewer(user_id).follows.add(creator_id)

    def block(self, user_id: int, creator_id: int) -> None:
        self.viewer(user_id).blocked.add(creator_id)

    def not_interested(self, user_id: int, item_id: int, *, now: float) -> None:
        item = self.items[item_id]
        self.viewer(user_id).profile.hide(creator_id=item.creator_id, tags=item.tags, now=now)

    def refresh(self, user_id: int) -> None:
        self.viewer(user_id).profile.reset()

    # --- real time ---------------------------------------------------------------------------------
    def observe(self, interaction: Interaction) -> None:
        item = self.items.get(interaction.item_id)
        if item is None:
            return
        viewer = self.viewer(interaction.user_id)
        profile = viewer.profile
        row = self._features(viewer, item, interaction.timestamp)
        labels = (
            interaction.watch_ratio >= 0.8,
            interaction.liked,
            interaction.shared,
            interaction.commented,
            interaction.followed,
        )
        self._samples.append((row, labels))
        ratio = min(max(interaction.watch_ratio, 0.0), 1.0)
        old = self.stats[item.item_id]
        self.stats[item.item_id] = replace(
            old,
            plays=old.plays + 1,
            impressions=max(old.impressions, old.plays + 1),
            completion_sum=old.completion_sum + ratio,
            likes=old.likes + interaction.liked,
        )
        self._review_wave(item)
        profile.learn(
            Signal(
                item.item_id,
                item.creator_id,
                item.tags,
                interaction.watch_ratio,
                interaction.liked,
                interaction.shared,
                interaction.commented,
                interaction.followed,
            )
        )
        if interaction.followed:
            viewer.follows.add(item.creator_id)
        self._plays.append((interaction.timestamp, item.item_id, viewer.province, ratio))
        if interaction.watch_ratio >= 0.8:
            self._finishes.append((interaction.user_id, item.item_id))

    def _review_wave(self, item: Item) -> None:
        state = self.waves[item.item_id]
        stats = self.stats[item.item_id]
        if not state.active or stats.impressions < state.target:
            return
        topic = item.tags[0] if item.tags else ""
        own = exploration.quality(stats.completion, stats.like_rate)
        peers = self.peer_quality[(topic, state.wave)]
        self.waves[item.item_id] = exploration.review(
            state, impressions=stats.impressions, own_quality=own, peer_qualities=list(peers)
        )
        peers.append(own)

    # --- pages -------------------------------------------------------------------------------------
    def recommend(
        self, user_id: int | None, *, limit: int = 10, now: float, serve: bool = True
    ) -> list[Pick]:
        """A page for this viewer (None: a logged-out visitor). `serve=False` only looks: nothing is
        marked as shown (offline evaluation)."""
        viewer = self.viewer(user_id) if user_id is not None else Viewer(adult=False)
        profile = viewer.profile
        pool = CandidatePool()
        for creator in viewer.follows:
            for item_id in self.by_creator.get(creator, [])[-5:]:
                pool.add(self._candidate(item_id), "following", 1.0, str(creator))
        for topic in profile.top_topics(4):
            affinity = profile.topic_affinity((topic,))
            for item_id in self.topic_pools.get(topic, [])[:40]:
                pool.add(self._candidate(item_id), "topic", affinity, topic)
        for seed in profile.recent[-5:]:
            for item_id, score in self.co.get(seed, {}).items():
                pool.add(self._candidate(item_id), "co_engagement", score)
            for item_id, score in self.similar.get(seed, {}).items():
                pool.add(self._candidate(item_id), "similar", score)
        trending = self.trending.get(viewer.province) or self.trending.get(None, {})
        for item_id, score in list(trending.items())[:40]:
            pool.add(self._candidate(item_id), "trending", score, viewer.province or "")
        if self.series is not None and user_id is not None:
            for item_id in self.series(user_id, profile):
                if item_id in self.items:
                    pool.add(self._candidate(item_id), "series", 1.0)
        exploring = self._exploration_candidates(profile, now)
        for rank, item_id in enumerate(exploring):
            pool.add(self._candidate(item_id), "explore", 1.0 - rank / len(exploring))
        if len(pool) < limit * 3:
            for item_id in self.random.sample(list(self.items), min(len(self.items), limit * 5)):
                pool.add(self._candidate(item_id), "popular", 0.0)
        candidates = [c for c in pool.by_id.values() if c.creator_id not in viewer.blocked]
        picks = choose_page(
            candidates,
            profile=profile,
            model=self.model,
            now=now,
            limit=limit,
            viewer_id=user_id,
            adult=viewer.adult,
            followed=frozenset(viewer.follows),
            explore_slots=self.explore_slots,
        )
        if serve:
            profile.mark_served([p.item_id for p in picks])
            for pick in picks:
                old = self.stats[pick.item_id]
                self.stats[pick.item_id] = replace(old, impressions=old.impressions + 1)
                self._review_wave(self.items[pick.item_id])
        return picks

    def _exploration_candidates(self, profile: Profile, now: float, wanted: int = 20) -> list[int]:
        alive = [
            i
            for i in self._exploring
            if self.waves[i].active and now - self.items[i].published_ts < exploration.MAX_AGE_SECONDS
        ]
        self._exploring = alive
        # Videos on schedule come before late ones; then, for a fair test, a video on the viewer's
        # interests (any video while those are unknown) before others, and the one that needs
        # impressions fastest first. Other viewers still give it a turn, so a new video never waits
        # for its rarer matching viewers alone.
        topics = {tag for tag, weight in profile.topics.items() if weight > 0}
        fresh = [i for i in alive if i not in profile.seen]

        def order(item_id: int) -> tuple[bool, bool, float]:
            wave, age = self.waves[item_id], now - self.items[item_id].published_ts
            matched = not topics or bool(topics.intersection(self.items[item_id].tags))
            return (
                exploration.late(wave, age),
                not matched,
                -exploration.pace(wave, self.stats[item_id].impressions, age),
            )

        return sorted(fresh, key=order)[:wanted]

    def _candidate(self, item_id: int) -> Candidate:
        item = self.items[item_id]
        return Candidate(
            item_id, item.creator_id, item.tags, item.published_ts, self.stats[item_id], item.adults_only
        )

    def _features(self, viewer: Viewer, item: Item, now: float) -> list[float]:
        profile = viewer.profile
        co = max((self.co.get(seed, {}).get(item.item_id, 0.0) for seed in profile.recent[-5:]), default=0.0)
        similar = max(
            (self.similar.get(seed, {}).get(item.item_id, 0.0) for seed in profile.recent[-5:]), default=0.0
        )
        trending = (self.trending.get(viewer.province) or self.trending.get(None, {})).get(item.item_id, 0.0)
        return feature_row(
            topic_affinity=profile.topic_affinity(item.tags),
            creator_affinity=profile.creator_affinity(item.creator_id),
            stats=self.stats[item.item_id],
            age_hours=(now - item.published_ts) / 3600,
            co_engagement=co,
            content_similarity=similar,
            follows_creator=item.creator_id in viewer.follows,
            trending=trending,
            exploring=self.waves[item.item_id].active,
            viewer_completion=profile.mean_completion,
        )

    # --- the periodic job --------------------------------------------------------------------------
    def rebuild(self, *, now: float, similar_items: int = 20_000) -> None:
        """Recompute pools, neighbours and the model (what the app's jobs do on a schedule)."""
        self._rebuild_topic_pools(now)
        self._rebuild_trending(now)
        self._rebuild_co_engagement()
        self._rebuild_similar(similar_items)
        self.train()

    def train(self) -> RankingModel:
        if self._samples:
            rows = np.array([s[0] for s in self._samples], dtype=np.float64)
            labels = np.array([s[1] for s in self._samples], dtype=bool).reshape(-1, len(TARGETS))
            self.model = RankingModel.train(rows, labels, previous=self.model)
        return self.model

    def _rebuild_topic_pools(self, now: float) -> None:
        by_topic: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for item_id, item in self.items.items():
            stats = self.stats[item_id]
            age_days = max(now - item.published_ts, 0.0) / 86400
            score = exploration.quality(stats.completion, stats.like_rate) / (1 + age_days / 7)
            for tag in item.tags:
                by_topic[tag].append((score, item_id))
        self.topic_pools = {
            tag: [i for _, i in sorted(scored, reverse=True)[:TOPIC_POOL]] for tag, scored in by_topic.items()
        }

    def _rebuild_trending(self, now: float) -> None:
        while self._plays and self._plays[0][0] < now - TRENDING_WINDOW_S:
            self._plays.popleft()
        scores: dict[str | None, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for _ts, item_id, province, ratio in self._plays:
            value = ratio - 0.25  # a fast skip counts against a video
            scores[None][item_id] += value
            if province:
                scores[province][item_id] += value
        self.trending = {}
        for province, counter in scores.items():
            top = sorted(((i, s) for i, s in counter.items() if s > 0), key=lambda kv: -kv[1])[:TRENDING_POOL]
            best = top[0][1] if top else 1.0
            self.trending[province] = {i: s / best for i, s in top}

    def _rebuild_co_engagement(self) -> None:
        if self._finishes:
            self.co = co_engagement(self._finishes)

    def _rebuild_similar(self, limit: int) -> None:
        """Content neighbours among the `limit` newest items."""
        newest = sorted(self.items.values(), key=lambda i: -i.published_ts)[:limit]
        similar = content_similarity([(item.item_id, " ".join([item.text, *item.tags])) for item in newest])
        if similar:
            self.similar = similar
