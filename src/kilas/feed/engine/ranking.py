"""From merged candidates to a page: filter by the viewer's rules, score, arrange.

The rules users expect are applied here, whatever fed the candidates:
- never a video the viewer has been shown or watched (the seen-set), nor their own;
- nothing from a creator or topic they said "not interested" to, for a while;
- 18+ videos only for adults (and, in the app, every page is checked against the database's
  visibility rules afterwards: private, blocked, not ready);
- never two videos in a row from the same creator, never three in a row on one topic and at most
  `MAX_TOPIC_SHARE` of a page on one topic;
- a few slots for new videos that are being tried on a first audience (exploration).
"""

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from kilas.feed.engine.model import ItemStats, RankingModel, feature_row
from kilas.feed.engine.profile import Profile

MAX_TOPIC_SHARE = 0.6
EXPLORE_SLOTS = 2
# The order in which a source explains a pick ("Why this video?"), the strongest first.
REASON_ORDER = ("series", "following", "co_engagement", "similar", "topic", "trending", "explore", "popular")


@dataclass
class Candidate:
    item_id: int
    creator_id: int
    tags: tuple[str, ...]
    published_ts: float
    stats: ItemStats = field(default_factory=ItemStats)
    adults_only: bool = False
    sources: dict[str, float] = field(default_factory=dict)  # source -> its score in [0, 1]
    detail: dict[str, str] = field(default_factory=dict)  # source -> what to name in the reason

    def add_source(self, source: str, score: float = 1.0, detail: str = "") -> None:
        if score > self.sources.get(source, -1.0):
            self.sources[source] = score
            if detail:
                self.detail[source] = detail


@dataclass(frozen=True)
class Reason:
    """Why a video is on the page: a source code and what it is about (a tag, a creator, a province)."""

    code: str
    detail: str = ""


@dataclass(frozen=True)
class Pick:
    item_id: int
    creator_id: int
    score: float
    reason: Reason
    exploring: bool


class CandidatePool:
    """Candidates of one request, merged by id: a video found by several sources keeps them all."""

    def __init__(self) -> None:
        self.by_id: dict[int, Candidate] = {}

    def add(self, candidate: Candidate, source: str, score: float = 1.0, detail: str = "") -> None:
        existing = self.by_id.setdefault(candidate.item_id, candidate)
        existing.add_source(source, score, detail)

    def __len__(self) -> int:
        return len(self.by_id)


def reason_for(candidate: Candidate) -> Reason:
    for code in REASON_ORDER:
        if code in candidate.sources:
            return Reason(code, candidate.detail.get(code, ""))
    return Reason("popular")


def eligible(
    candidate: Candidate, *, profile: Profile, viewer_id: int | None, adult: bool, now: float
) -> bool:
    return not (
        candidate.item_id in profile.seen
        or candidate.creator_id == viewer_id
        or (candidate.adults_only and not adult)
        or profile.hides(creator_id=candidate.creator_id, tags=candidate.tags, now=now)
    )


def candidate_features(
    candidate: Candidate, *, profile: Profile, now: float, followed: frozenset[int]
) -> list[float]:
    """The model's features of one candidate for one viewer, its sources' scores included."""
    return feature_row(
        topic_affinity=profile.topic_affinity(candidate.tags),
        creator_affinity=profile.creator_affinity(candidate.creator_id),
        stats=candidate.stats,
        age_hours=(now - candidate.published_ts) / 3600,
        co_engagement=candidate.sources.get("co_engagement", 0.0),
        content_similarity=candidate.sources.get("similar", 0.0),
        follows_creator=candidate.creator_id in followed,
        trending=candidate.sources.get("trending", 0.0),
        exploring="explore" in candidate.sources,
        viewer_completion=profile.mean_completion,
    )


def choose_page(
    candidates: list[Candidate],
    *,
    profile: Profile,
    model: RankingModel,
    now: float,
    limit: int,
    viewer_id: int | None = None,
    adult: bool = True,
    followed: frozenset[int] = frozenset(),
    previous_creator: int | None = None,
    explore_slots: int = EXPLORE_SLOTS,
) -> list[Pick]:
    pool = [c for c in candidates if eligible(c, profile=profile, viewer_id=viewer_id, adult=adult, now=now)]
    if not pool:
        return []
    rows = np.array([candidate_features(c, profile=profile, now=now, followed=followed) for c in pool])
    scores = model.score(rows) + 0.5 * np.array([c.sources.get("series", 0.0) for c in pool])
    order = np.argsort(-scores, kind="stable")
    ranked = [(pool[i], float(scores[i])) for i in order]
    return arrange(ranked, limit=limit, previous_creator=previous_creator, explore_slots=explore_slots)


def arrange(
    ranked: list[tuple[Candidate, float]], *, limit: int, previous_creator: int | None, explore_slots: int
) -> list[Pick]:
    """Best first under the page rules; videos being explored take up to `explore_slots` places,
    spread through the page (not all at the top). One that another source offers too (the viewer's
    topic, a followed creator) may also win an ordinary place on its predicted engagement."""
    regular = [item for item in ranked if set(item[0].sources) - {"explore"}]
    # Among videos being explored, the one whose wave needs impressions most comes first (the
    # source's score), whatever its predicted engagement: its first audience decides that.
    exploring = sorted(
        (item for item in ranked if "explore" in item[0].sources),
        key=lambda item: -item[0].sources["explore"],
    )[:explore_slots]
    slots = {max(2, (i + 1) * limit // (len(exploring) + 1)) for i in range(len(exploring))}
    max_per_topic = max(1, math.ceil(limit * MAX_TOPIC_SHARE))
    topics: Counter[str] = Counter()
    page: list[Pick] = []
    last_topics: list[str] = []

    def fits(candidate: Candidate, strict: bool) -> bool:
        previous = page[-1].creator_id if page else previous_creator
        if candidate.creator_id == previous:
            return False
        if not strict:
            return True
        topic = candidate.tags[0] if candidate.tags else ""
        if topic and topics[topic] >= max_per_topic:
            return False
        return not (topic and len(last_topics) >= 2 and last_topics[-1] == last_topics[-2] == topic)

    def take(queue: list[tuple[Candidate, float]]) -> bool:
        for strict in (True, False):
            for index, (candidate, score) in enumerate(queue):
                if fits(candidate, strict):
                    queue.pop(index)
                    topic = candidate.tags[0] if candidate.tags else ""
                    topics[topic] += 1
                    last_topics.append(topic)
                    page.append(
                        Pick(
                            candidate.item_id,
                            candidate.creator_id,
                            score,
                            reason_for(candidate),
                            "explore" in candidate.sources,
                        )
                    )
                    return True
        return False

    while len(page) < limit and (regular or exploring):
        first = exploring if (len(page) in slots and exploring) or not regular else regular
        if not take(first) and not take(regular if first is exploring else exploring):
            # Only one creator is left and it was just shown: take it rather than an empty page.
            queue = regular or exploring
            candidate, score = queue.pop(0)
            page.append(
                Pick(
                    candidate.item_id,
                    candidate.creator_id,
                    score,
                    reason_for(candidate),
                    "explore" in candidate.sources,
                )
            )
        placed = page[-1].item_id  # a video in both queues leaves the other one too
        regular = [item for item in regular if item[0].item_id != placed]
        exploring = [item for item in exploring if item[0].item_id != placed]
    return page
