"""What the For You feed keeps between requests: each viewer's learned interests and seen-set, the
candidate pools and neighbours the periodic job precomputes, the exploration state of new videos,
and the ranking model with the samples it is trained on."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kilas.db import Base, BigId, UTCDateTime, utcnow


class FeedProfile(Base):
    """A viewer's interests (kilas.feed.engine.profile.Profile as JSON) and seen-set (a Roaring bitmap)."""

    __tablename__ = "feed_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    interests: Mapped[str] = mapped_column(Text, default="")
    seen: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FeedPool(Base):
    """A precomputed candidate list, `[[video_id, score], ...]` (JSON), best first.

    Names: `t:<topic or #hashtag>`, `trending:<province>` (`trending:` for everyone), `explore`,
    `fresh`, `co:<video_id>` (co-engagement neighbours), `similar:<video_id>` (content neighbours).
    """

    __tablename__ = "feed_pools"

    name: Mapped[str] = mapped_column(String(140), primary_key=True)
    entries: Mapped[bytes] = mapped_column(LargeBinary)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class FeedExploration(Base):
    """Where a new video stands in its exploration waves (kilas.feed.engine.exploration)."""

    __tablename__ = "feed_exploration"

    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True)
    wave: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedModel(Base):
    """A trained ranking model (kilas.feed.engine.model.RankingModel as JSON); the newest is used."""

    __tablename__ = "feed_models"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    weights: Mapped[str] = mapped_column(Text)
    trained_on: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedSample(Base):
    """One outcome to learn from: the features of a video for a viewer just before they watched it,
    and what they did (a bit per target of kilas.feed.engine.model.TARGETS)."""

    __tablename__ = "feed_samples"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    features: Mapped[str] = mapped_column(Text)
    labels: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
