"""Exploration waves: every new public video is tried on a small audience first.

A new video enters wave 0 and is offered to viewers (a couple of slots per page, videos furthest
from their wave's target first) until it has `WAVES[0]` impressions. Then it is reviewed against its
peers (videos on the same topic that also finished a wave): if its completion and like rate together
are at least the peers' median, it moves to the next, bigger wave; otherwise exploration stops and the
video competes only on its merits in the ordinary sources. After the last wave it has proven itself.
"""

import statistics
from dataclasses import dataclass

WAVES = (25, 100, 400, 1600)
MAX_AGE_SECONDS = 3 * 24 * 3600


@dataclass
class Wave:
    wave: int = 0
    active: bool = True

    @property
    def target(self) -> int:
        return WAVES[min(self.wave, len(WAVES) - 1)]


def quality(completion: float, like_rate: float) -> float:
    return completion + 2.0 * like_rate


def review(state: Wave, *, impressions: int, own_quality: float, peer_qualities: list[float]) -> Wave:
    """The state after a video reached (or not yet) its wave's target."""
    if not state.active or impressions < state.target:
        return state
    bar = statistics.median(peer_qualities) if len(peer_qualities) >= 3 else 0.0
    if own_quality < bar:
        return Wave(state.wave, active=False)
    if state.wave + 1 >= len(WAVES):
        return Wave(state.wave + 1, active=False)
    return Wave(state.wave + 1, active=True)


def urgency(state: Wave, impressions: int) -> float:
    """How much a video still needs to be shown in its wave, 1 = none yet, 0 = done."""
    return max(0.0, 1.0 - impressions / state.target) if state.active else 0.0
