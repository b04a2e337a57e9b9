"""Exploration waves: every new public video is tried on a small audience first.

A new video enters wave 0 and is offered to viewers (a couple of slots per page) until it has
`WAVES[0]` impressions. Then it is reviewed against its peers (videos on the same topic reviewed at
the same wave, so with an audience of the same size): if its completion and like rate together are at
least the peers' median, it moves to the next, bigger wave; otherwise exploration stops and the
video competes only on its merits in the ordinary sources. After the last wave it has proven itself.

Each wave has a deadline (`DEADLINES_S`, counted from publication): a new video should meet its first
audience within minutes and, when it holds it, its first hundred viewers within the hour. Videos on
schedule are offered before late ones, the one that needs impressions fastest first (`pace`), so a
backlog of late videos never holds up the newest.
"""

import statistics
from dataclasses import dataclass

WAVES = (25, 100, 400, 1600)
DEADLINES_S = (15 * 60, 45 * 60, 6 * 3600, 24 * 3600)
MAX_AGE_SECONDS = 3 * 24 * 3600
# With fewer than three peers to compare with, a video must at least hold this much of its audience
# (completion plus twice the like rate) to move on.
FLOOR_QUALITY = 0.3
LATE_S = 5 * 60  # a late video's pace: what it still needs, as if within the next few minutes


@dataclass
class Wave:
    wave: int = 0
    active: bool = True

    @property
    def target(self) -> int:
        return WAVES[min(self.wave, len(WAVES) - 1)]

    @property
    def deadline_s(self) -> float:
        """Seconds after publication by which this wave should be complete."""
        return DEADLINES_S[min(self.wave, len(DEADLINES_S) - 1)]


def quality(completion: float, like_rate: float) -> float:
    return completion + 2.0 * like_rate


def review(state: Wave, *, impressions: int, own_quality: float, peer_qualities: list[float]) -> Wave:
    """The state after a video reached (or not yet) its wave's target."""
    if not state.active or impressions < state.target:
        return state
    bar = statistics.median(peer_qualities) if len(peer_qualities) >= 3 else FLOOR_QUALITY
    if own_quality < bar:
        return Wave(state.wave, active=False)
    if state.wave + 1 >= len(WAVES):
        return Wave(state.wave + 1, active=False)
    return Wave(state.wave + 1, active=True)


def late(state: Wave, age_s: float) -> bool:
    """Past its wave's deadline (still exploring)."""
    return state.active and age_s >= state.deadline_s


def pace(state: Wave, impressions: int, age_s: float) -> float:
    """Impressions an hour the video needs to complete its wave by the deadline, 0 = none."""
    needed = state.target - impressions if state.active else 0
    if needed <= 0:
        return 0.0
    return needed * 3600 / max(state.deadline_s - age_s, LATE_S)
