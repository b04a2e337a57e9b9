"""Offline evaluation: replay an interaction log in time order and measure the rankings.

    from kilas.feed.engine.evaluate import evaluate, read_interactions, read_items
    report = evaluate(read_interactions("log.csv"), read_items("items.csv"), k=10)
    print(report.table())

Interactions are `user_id,item_id,timestamp,watch_ratio` (timestamp in epoch seconds or ISO 8601),
items `item_id,creator_id,tags,duration_s` (tags separated by spaces, `|` or `;`). An item joins the
catalog at its first interaction (nothing from the future can be recommended). At each evaluated
moment -- every `every`-th interaction the viewer watched to at least `positive_ratio`, once the
viewer has some history -- each policy is asked for its top K *before* it sees the interaction; then
all of them observe it. Policies rebuild on the same schedule (`rebuild_s` of log time).

Recall@K: share of those moments whose item was in the top K. NDCG@K: the same, discounted by rank.
Coverage: share of the catalog that appeared in any top K. Novelty: mean self-information
(-log2 of an item's share of the plays so far) of the recommended items: higher = less obvious.
"""

import csv
import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from kilas.feed.engine.recommender import Interaction, Item, Recommender


class Policy(Protocol):
    name: str

    def add_item(self, item: Item) -> None: ...
    def observe(self, interaction: Interaction) -> None: ...
    def top(self, user_id: int, k: int, now: float) -> list[int]: ...
    def rebuild(self, now: float) -> None: ...


class EnginePolicy:
    name = "engine"

    def __init__(self, engine: Recommender | None = None) -> None:
        self.engine = engine or Recommender(explore_slots=0)

    def add_item(self, item: Item) -> None:
        self.engine.add_item(item)

    def observe(self, interaction: Interaction) -> None:
        self.engine.observe(interaction)

    def top(self, user_id: int, k: int, now: float) -> list[int]:
        return [p.item_id for p in self.engine.recommend(user_id, limit=k, now=now, serve=False)]

    def rebuild(self, now: float) -> None:
        self.engine.rebuild(now=now)


class PopularityPolicy:
    """Most played items so far that the viewer has not watched."""

    name = "popularity"

    def __init__(self) -> None:
        self.plays: Counter[int] = Counter()
        self.seen: dict[int, set[int]] = {}
        self.ranked: list[int] = []

    def add_item(self, item: Item) -> None:
        self.ranked.append(item.item_id)

    def observe(self, interaction: Interaction) -> None:
        self.plays[interaction.item_id] += 1
        self.seen.setdefault(interaction.user_id, set()).add(interaction.item_id)

    def top(self, user_id: int, k: int, now: float) -> list[int]:
        seen = self.seen.get(user_id, set())
        out: list[int] = []
        for item_id in self.ranked:
            if item_id not in seen:
                out.append(item_id)
                if len(out) == k:
                    break
        return out

    def rebuild(self, now: float) -> None:
        self.ranked.sort(key=lambda i: -self.plays[i])


class RandomPolicy:
    name = "random"

    def __init__(self, seed: int = 0) -> None:
        self.random = random.Random(seed)
        self.items: list[int] = []
        self.seen: dict[int, set[int]] = {}

    def add_item(self, item: Item) -> None:
        self.items.append(item.item_id)

    def observe(self, interaction: Interaction) -> None:
        self.seen.setdefault(interaction.user_id, set()).add(interaction.item_id)

    def top(self, user_id: int, k: int, now: float) -> list[int]:
        seen = self.seen.get(user_id, set())
        out: list[int] = []
        for item_id in self.random.sample(self.items, min(len(self.items), k * 3)):
            if item_id not in seen and item_id not in out:
                out.append(item_id)
        return out[:k]

    def rebuild(self, now: float) -> None:
        return None


@dataclass
class Scores:
    name: str
    moments: int = 0
    hits: int = 0
    dcg: float = 0.0
    recommended: set[int] = field(default_factory=set)
    novelty_sum: float = 0.0
    novelty_n: int = 0

    def recall(self) -> float:
        return self.hits / self.moments if self.moments else 0.0

    def ndcg(self) -> float:
        return self.dcg / self.moments if self.moments else 0.0

    def novelty(self) -> float:
        return self.novelty_sum / self.novelty_n if self.novelty_n else 0.0


@dataclass
class Report:
    k: int
    catalog: int
    interactions: int
    scores: list[Scores]

    def coverage(self, scores: Scores) -> float:
        return len(scores.recommended) / self.catalog if self.catalog else 0.0

    def table(self) -> str:
        lines = [
            f"{self.interactions} interactions, {self.catalog} items, "
            f"{self.scores[0].moments if self.scores else 0} evaluated moments",
            f"{'policy':<12}{f'Recall@{self.k}':>11}{f'NDCG@{self.k}':>10}{'coverage':>10}{'novelty':>9}",
        ]
        for s in self.scores:
            lines.append(
                f"{s.name:<12}{s.recall():>11.4f}{s.ndcg():>10.4f}{self.coverage(s):>10.4f}{s.novelty():>9.2f}"
            )
        return "\n".join(lines)


def _timestamp(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def read_interactions(path: str | Path) -> list[Interaction]:
    """Rows of `user_id,item_id,timestamp,watch_ratio`, sorted by time. A bad row raises ValueError
    naming its line."""
    out: list[Interaction] = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"user_id", "item_id", "timestamp", "watch_ratio"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            try:
                out.append(
                    Interaction(
                        int(row["user_id"]),
                        int(row["item_id"]),
                        _timestamp(row["timestamp"]),
                        float(row["watch_ratio"]),
                    )
                )
            except (TypeError, ValueError) as error:
                raise ValueError(f"{path}, line {line}: {error}") from error
    out.sort(key=lambda i: i.timestamp)
    return out


def read_items(path: str | Path) -> dict[int, Item]:
    out: dict[int, Item] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"item_id", "creator_id"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            try:
                tags = tuple(
                    t for t in (row.get("tags") or "").replace("|", " ").replace(";", " ").split() if t
                )
                out[int(row["item_id"])] = Item(
                    int(row["item_id"]),
                    int(row["creator_id"]),
                    tags,
                    float(row.get("duration_s") or 30),
                    text=" ".join(tags),
                )
            except (TypeError, ValueError) as error:
                raise ValueError(f"{path}, line {line}: {error}") from error
    return out


def evaluate(
    interactions: Iterable[Interaction],
    items: dict[int, Item] | None = None,
    *,
    k: int = 10,
    every: int = 1,
    max_moments: int = 5000,
    positive_ratio: float = 0.8,
    rebuild_s: float = 3600.0,
    policies: list[Policy] | None = None,
    seed: int = 0,
) -> Report:
    log = sorted(interactions, key=lambda i: i.timestamp)
    items = items or {}
    policies = policies or [EnginePolicy(), PopularityPolicy(), RandomPolicy(seed)]
    scores = [Scores(p.name) for p in policies]
    known: set[int] = set()
    history: Counter[int] = Counter()
    plays: Counter[int] = Counter()
    positives = 0
    next_rebuild = log[0].timestamp + rebuild_s if log else 0.0
    for total_plays, event in enumerate(log):
        if event.timestamp >= next_rebuild:
            for policy in policies:
                policy.rebuild(event.timestamp)
            next_rebuild = event.timestamp + rebuild_s
        if event.item_id not in known:
            known.add(event.item_id)
            item = items.get(event.item_id) or Item(event.item_id, -event.item_id)
            item = Item(item.item_id, item.creator_id, item.tags, item.duration_s, event.timestamp, item.text)
            for policy in policies:
                policy.add_item(item)
        if event.watch_ratio >= positive_ratio and history[event.user_id] > 0:
            positives += 1
            if positives % every == 0 and scores[0].moments < max_moments:
                for policy, score in zip(policies, scores, strict=True):
                    top = policy.top(event.user_id, k, event.timestamp)
                    score.moments += 1
                    score.recommended.update(top)
                    if event.item_id in top:
                        score.hits += 1
                        score.dcg += 1 / math.log2(top.index(event.item_id) + 2)
                    for item_id in top:
                        share = (plays[item_id] + 1) / (total_plays + len(known))
                        score.novelty_sum += -math.log2(share)
                        score.novelty_n += 1
        for policy in policies:
            policy.observe(event)
        history[event.user_id] += 1
        plays[event.item_id] += 1
    return Report(k, len(known), len(log), scores)
