"""What the engine knows of one viewer, updated by every event it sees.

Interests are decayed weights per topic or hashtag and per creator: a finished or rewatched video
raises them, a fast skip lowers them, a like, share, comment or follow raises them more. Each update
multiplies the old weights by `DECAY`, so the profile follows what the viewer watches now. The
profile is small (at most `MAX_KEYS` weights each) and serialises to JSON plus the seen-set bytes.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from kilas.feed.engine.seen import SeenSet

DECAY = 0.97
MAX_KEYS = 40
RECENT = 8
HIDE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Signal:
    """One thing the viewer did with one video."""

    item_id: int
    creator_id: int
    tags: tuple[str, ...]
    watch_ratio: float
    liked: bool = False
    shared: bool = False
    commented: bool = False
    followed: bool = False


def signal_strength(signal: Signal) -> float:
    """How much this tells about the viewer's taste: negative for a fast skip."""
    ratio = min(max(signal.watch_ratio, 0.0), 3.0)
    if ratio < 0.2:
        value = -0.6
    elif ratio < 0.5:
        value = -0.1
    else:
        value = min(ratio, 2.0)  # finished = 1, rewatched up to 2
    return value + 1.0 * signal.liked + 1.5 * signal.shared + 1.0 * signal.commented + 2.0 * signal.followed


def _bump(weights: dict[Any, float], key: Any, amount: float) -> None:
    weights[key] = weights.get(key, 0.0) + amount
    if len(weights) > MAX_KEYS:
        weakest = min(weights, key=lambda k: abs(weights[k]))
        del weights[weakest]


@dataclass
class Profile:
    topics: dict[str, float] = field(default_factory=dict)
    creators: dict[int, float] = field(default_factory=dict)
    recent: list[int] = field(default_factory=list)  # recently finished items, newest last
    hidden: dict[str, float] = field(default_factory=dict)  # "c:<creator>" | "t:<tag>" -> until (epoch s)
    seen: SeenSet = field(default_factory=SeenSet)
    views: int = 0
    completion_sum: float = 0.0

    @property
    def mean_completion(self) -> float:
        return (self.completion_sum + 0.5 * 2) / (self.views + 2)

    def learn(self, signal: Signal) -> None:
        strength = signal_strength(signal)
        for tag in list(self.topics):
            self.topics[tag] *= DECAY
        for creator in list(self.creators):
            self.creators[creator] *= DECAY
        share = strength / max(len(signal.tags), 1)
        for tag in signal.tags:
            _bump(self.topics, tag, share)
        _bump(self.creators, signal.creator_id, strength)
        self.seen.add(signal.item_id)
        self.views += 1
        self.completion_sum += min(max(signal.watch_ratio, 0.0), 1.0)
        if strength >= 0.8:
            if signal.item_id in self.recent:
                self.recent.remove(signal.item_id)
            self.recent.append(signal.item_id)
            del self.recent[:-RECENT]

    def mark_served(self, item_ids: list[int]) -> None:
        self.seen.update(item_ids)

    def choose_interests(self, tags: list[str]) -> None:
        """Interests picked at sign-up: a head start the viewer's swipes soon outweigh."""
        for tag in tags:
            self.topics[tag] = max(self.topics.get(tag, 0.0), 1.5)

    def hide(self, *, creator_id: int | None, tags: tuple[str, ...], now: float) -> None:
        """'Not interested': that creator and the video's main topic stay out for a while."""
        until = now + HIDE_SECONDS
        if creator_id is not None:
            self.hidden[f"c:{creator_id}"] = until
            self.creators[creator_id] = min(self.creators.get(creator_id, 0.0), -2.0)
        if tags:
            self.hidden[f"t:{tags[0]}"] = until
            self.topics[tags[0]] = min(self.topics.get(tags[0], 0.0), -1.0)

    def hides(self, *, creator_id: int, tags: tuple[str, ...], now: float) -> bool:
        if not self.hidden:
            return False
        if self.hidden.get(f"c:{creator_id}", 0.0) > now:
            return True
        return bool(tags) and self.hidden.get(f"t:{tags[0]}", 0.0) > now

    def reset(self) -> None:
        """'Refresh': forget the interests and hides, keep the seen-set so nothing repeats."""
        self.topics.clear()
        self.creators.clear()
        self.recent.clear()
        self.hidden.clear()
        self.views = 0
        self.completion_sum = 0.0

    def top_topics(self, n: int) -> list[str]:
        return [t for t, w in sorted(self.topics.items(), key=lambda kv: -kv[1]) if w > 0][:n]

    def top_creators(self, n: int) -> list[int]:
        return [c for c, w in sorted(self.creators.items(), key=lambda kv: -kv[1]) if w > 0][:n]

    def topic_affinity(self, tags: tuple[str, ...]) -> float:
        if not tags or not self.topics:
            return 0.0
        scale = max(max(self.topics.values()), 1.0)
        return max(self.topics.get(tag, 0.0) for tag in tags) / scale

    def creator_affinity(self, creator_id: int) -> float:
        if not self.creators:
            return 0.0
        scale = max(max(self.creators.values()), 1.0)
        return self.creators.get(creator_id, 0.0) / scale

    def to_json(self, now: float) -> str:
        return json.dumps(
            {
                "t": {k: round(v, 4) for k, v in self.topics.items()},
                "c": {str(k): round(v, 4) for k, v in self.creators.items()},
                "r": self.recent,
                "h": {k: v for k, v in self.hidden.items() if v > now},
                "n": self.views,
                "s": round(self.completion_sum, 3),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | None, seen: bytes | None = None) -> "Profile":
        profile = cls(seen=SeenSet.from_bytes(seen))
        if text:
            data = json.loads(text)
            profile.topics = {str(k): float(v) for k, v in data.get("t", {}).items()}
            profile.creators = {int(k): float(v) for k, v in data.get("c", {}).items()}
            profile.recent = [int(i) for i in data.get("r", [])]
            profile.hidden = {str(k): float(v) for k, v in data.get("h", {}).items()}
            profile.views = int(data.get("n", 0))
            profile.completion_sum = float(data.get("s", 0.0))
        return profile
