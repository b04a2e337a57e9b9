"""The For You feed learns as viewers watch: the event processor hands over each group of new events
(in its transaction) and every signed-in viewer's profile moves at once, so their next page reflects
what they just did.

- an impression puts the video in the viewer's seen-set (never shown again);
- a finish, a rewatch, a fast skip, a like, a share or a follow is an outcome: the viewer's interests
  move (kilas.feed.engine.profile), and the features the video had for the viewer just before are
  kept with what the viewer did, to train the ranking model on (`feed_samples`).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.events.models import EventType
from kilas.feed.catalog import describe
from kilas.feed.engine.model import TARGETS
from kilas.feed.engine.profile import Profile, Signal
from kilas.feed.engine.ranking import Candidate, candidate_features
from kilas.feed.models import FeedSample
from kilas.feed.pools import read_pools
from kilas.feed.profiles import load_profiles, save_profiles
from kilas.social.models import Follow

# The watched share an event stands for; a like or share alone says the viewer watched some.
RATIOS = {EventType.skip: 0.1, EventType.complete: 1.0, EventType.replay: 1.6}
UNKNOWN_RATIO = 0.35
OUTCOME_TYPES = frozenset({*RATIOS, EventType.like, EventType.share, EventType.follow})


@dataclass
class Outcome:
    ratio: float | None = None
    liked: bool = False
    shared: bool = False
    followed: bool = False

    def add(self, event_type: str) -> None:
        if event_type in RATIOS:
            ratio = RATIOS[EventType(event_type)]
            self.ratio = ratio if self.ratio is None else max(self.ratio, ratio)
        self.liked |= event_type == EventType.like
        self.shared |= event_type == EventType.share
        self.followed |= event_type == EventType.follow

    @property
    def watch_ratio(self) -> float:
        return UNKNOWN_RATIO if self.ratio is None else self.ratio

    def labels(self) -> int:
        done = (self.watch_ratio >= 0.8, self.liked, self.shared, False, self.followed)
        return sum(1 << index for index, hit in enumerate(done[: len(TARGETS)]) if hit)


async def learn_from_events(db: AsyncSession, rows: list[dict[str, Any]], *, now: datetime) -> None:
    """Move the profiles of the signed-in viewers in `rows` (new, unflagged events only)."""
    shown: dict[int, set[int]] = defaultdict(set)
    outcomes: dict[tuple[int, int], Outcome] = {}
    for row in sorted(rows, key=lambda r: r["occurred_at"]):
        user_id, event_type = row["user_id"], row["type"]
        if user_id is None or row["flag"] is not None:
            continue
        if event_type == EventType.impression:
            shown[user_id].add(row["video_id"])
        elif event_type in OUTCOME_TYPES:
            outcomes.setdefault((user_id, row["video_id"]), Outcome()).add(event_type)
    if not shown and not outcomes:
        return
    profiles = await load_profiles(db, {*shown, *(user for user, _ in outcomes)}, for_update=True)
    items = await describe(db, {video for _, video in outcomes})
    samples = await _samples_before(db, profiles, outcomes, items, now=now)
    for (user_id, video_id), outcome in outcomes.items():
        item = items.get(video_id)
        if item is None:
            continue
        profiles[user_id].learn(
            Signal(
                video_id,
                item.creator_id,
                item.tags,
                outcome.watch_ratio,
                liked=outcome.liked,
                shared=outcome.shared,
                followed=outcome.followed,
            )
        )
    for user_id, video_ids in shown.items():
        profiles[user_id].seen.update(video_ids)
    await save_profiles(db, profiles, now=now)
    if samples:
        await db.execute(insert(FeedSample), samples)


async def _samples_before(
    db: AsyncSession,
    profiles: dict[int, Profile],
    outcomes: dict[tuple[int, int], Outcome],
    items: dict[int, Candidate],
    *,
    now: datetime,
) -> list[dict[str, Any]]:
    """Training rows: each outcome's features as the ranking saw them before the viewer acted."""
    pairs = [(user, video) for user, video in outcomes if video in items]
    if not pairs:
        return []
    users = {user for user, _ in pairs}
    provinces = dict((await db.execute(select(User.id, User.province).where(User.id.in_(users)))).all())
    follows = {
        (follower, followee)
        for follower, followee in await db.execute(
            select(Follow.follower_id, Follow.followee_id).where(
                Follow.follower_id.in_(users),
                Follow.followee_id.in_({items[video].creator_id for _, video in pairs}),
            )
        )
    }
    names = {f"trending:{provinces.get(user) or ''}" for user in users}
    for user in users:
        for seed in profiles[user].recent[-5:]:
            names.update((f"co:{seed}", f"similar:{seed}"))
    pools = {name: dict(entries) for name, entries in (await read_pools(db, names)).items()}
    samples = []
    for user, video in pairs:
        profile, item = profiles[user], items[video]
        seeds = profile.recent[-5:]
        candidate = Candidate(item.item_id, item.creator_id, item.tags, item.published_ts, item.stats)
        candidate.sources = {
            "co_engagement": max((pools[f"co:{s}"].get(video, 0.0) for s in seeds), default=0.0),
            "similar": max((pools[f"similar:{s}"].get(video, 0.0) for s in seeds), default=0.0),
            "trending": pools[f"trending:{provinces.get(user) or ''}"].get(video, 0.0),
        }
        followed = frozenset({item.creator_id}) if (user, item.creator_id) in follows else frozenset()
        features = candidate_features(candidate, profile=profile, now=now.timestamp(), followed=followed)
        samples.append(
            {
                "features": orjson.dumps([round(f, 5) for f in features]).decode(),
                "labels": outcomes[(user, video)].labels(),
                "created_at": now,
            }
        )
    return samples
