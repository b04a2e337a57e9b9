"""The ranking model: predicted engagement of one viewer with one candidate video.

Five logistic regressions (scikit-learn) share one feature vector and predict, in order of weight,
that the viewer finishes the video, likes it, shares it, comments on it and follows its creator.
The page is ranked by their weighted sum. They are trained on the platform's own impressions
(the features as they were when the video was shown, and what the viewer then did). Until there is
enough data, hand-set weights stand in. A trained model is plain numbers (JSON), so it is stored in
the database and scored with one matrix product per page.
"""

import json
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression

FEATURES = (
    "topic_affinity",
    "creator_affinity",
    "item_completion",
    "item_like_rate",
    "log_impressions",
    "log_age_hours",
    "co_engagement",
    "content_similarity",
    "follows_creator",
    "trending",
    "exploring",
    "viewer_completion",
    "topic_x_completion",
)
TARGETS = ("complete", "like", "share", "comment", "follow")
TARGET_WEIGHTS = np.array([1.0, 0.5, 0.4, 0.3, 0.6])
MIN_SAMPLES = 200

PRIOR = {
    "complete": [3.0, 2.0, 2.5, 1.0, 0.05, -0.15, 1.5, 1.2, 1.0, 0.8, 0.2, 1.0, 1.0, -2.5],
    "like": [2.0, 1.5, 1.0, 4.0, 0.0, -0.1, 1.0, 0.5, 0.5, 0.3, 0.0, 0.5, 0.5, -3.5],
    "share": [1.5, 1.0, 1.0, 2.0, 0.0, -0.1, 0.5, 0.3, 0.3, 0.5, 0.0, 0.3, 0.3, -5.0],
    "comment": [1.5, 1.5, 0.5, 2.0, 0.0, -0.1, 0.5, 0.3, 0.8, 0.3, 0.0, 0.3, 0.3, -5.0],
    "follow": [1.0, 2.5, 1.0, 1.0, 0.0, -0.1, 0.5, 0.3, -3.0, 0.3, 0.2, 0.3, 0.3, -5.0],
}


@dataclass(frozen=True)
class ItemStats:
    impressions: int = 0
    plays: int = 0
    completion_sum: float = 0.0
    likes: int = 0

    @property
    def completion(self) -> float:
        """Mean watched share, pulled towards 0.4 while there are few plays."""
        return (self.completion_sum + 0.4 * 5) / (self.plays + 5)

    @property
    def like_rate(self) -> float:
        return (self.likes + 0.05 * 20) / (self.plays + 20)


def feature_row(
    *,
    topic_affinity: float,
    creator_affinity: float,
    stats: ItemStats,
    age_hours: float,
    co_engagement: float,
    content_similarity: float,
    follows_creator: bool,
    trending: float,
    exploring: bool,
    viewer_completion: float,
) -> list[float]:
    completion = stats.completion
    return [
        topic_affinity,
        creator_affinity,
        completion,
        stats.like_rate,
        math.log1p(stats.impressions),
        math.log1p(max(age_hours, 0.0)),
        co_engagement,
        content_similarity,
        float(follows_creator),
        trending,
        float(exploring),
        viewer_completion,
        max(topic_affinity, 0.0) * completion,
    ]


@dataclass
class RankingModel:
    """Weights per target: one row of coefficients plus an intercept (the last column)."""

    weights: NDArray[np.float64] = field(
        default_factory=lambda: np.array([PRIOR[t] for t in TARGETS], dtype=np.float64)
    )
    trained_on: int = 0

    def predict(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probabilities per row and target (rows x targets)."""
        logits = rows @ self.weights[:, :-1].T + self.weights[:, -1]
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))

    def score(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        if len(rows) == 0:
            return np.zeros(0)
        return self.predict(rows) @ TARGET_WEIGHTS

    @classmethod
    def train(
        cls, rows: NDArray[np.float64], labels: NDArray[np.bool_], previous: "RankingModel | None" = None
    ) -> "RankingModel":
        """Fit each target that has both outcomes in the data; others keep their previous weights."""
        model = RankingModel(weights=(previous or RankingModel()).weights.copy(), trained_on=len(rows))
        if len(rows) < MIN_SAMPLES:
            return model
        for index, _target in enumerate(TARGETS):
            y = labels[:, index]
            positives = int(y.sum())
            if positives < 10 or positives > len(y) - 10:
                continue
            fit = LogisticRegression(C=1.0, max_iter=300).fit(rows, y)
            model.weights[index, :-1] = fit.coef_[0]
            model.weights[index, -1] = fit.intercept_[0]
        return model

    def to_json(self) -> str:
        return json.dumps(
            {"features": FEATURES, "weights": self.weights.round(6).tolist(), "n": self.trained_on}
        )

    @classmethod
    def from_json(cls, text: str) -> "RankingModel":
        data = json.loads(text)
        if tuple(data["features"]) != FEATURES:
            return cls()  # trained on another feature set: start again from the prior
        return cls(weights=np.array(data["weights"], dtype=np.float64), trained_on=int(data["n"]))
