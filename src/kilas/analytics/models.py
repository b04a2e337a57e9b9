"""Rollups of the engagement events: hourly and daily buckets per video, per creator and platform-wide,
daily breakdowns (traffic source, age bracket, gender, province), the viewers active each day (for the
30-day active count) and the watermark of the rollup job. Every row is recomputed from the events, so
the tables can be rebuilt at any time (analytics/rollups.py)."""

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kilas.db import Base, UTCDateTime, utcnow
from kilas.enums import db_enum
from kilas.events.models import EngagementEvent


class Grain(enum.StrEnum):
    hour = "hour"
    day = "day"  # a calendar day in Western Indonesia Time (WIB, UTC+7)


class Scope(enum.StrEnum):
    video = "video"
    creator = "creator"
    platform = "platform"  # scope_id 0


class Dimension(enum.StrEnum):
    source = "source"  # the traffic source of the events
    age = "age"  # age bracket of signed-in viewers on that day
    gender = "gender"  # where the viewer gave it
    province = "province"  # of the viewer (for uploads: of the creator), where given


class EngagementRollup(Base):
    """One bucket of one video, one creator or the whole platform. Flagged events are left out."""

    __tablename__ = "engagement_rollups"
    __table_args__ = (Index("ix_engagement_rollups_bucket", "grain", "bucket_start", "scope"),)

    scope: Mapped[Scope] = mapped_column(db_enum(Scope), primary_key=True)
    scope_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    grain: Mapped[Grain] = mapped_column(db_enum(Grain), primary_key=True)
    bucket_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)  # counted views
    unique_viewers: Mapped[int] = mapped_column(Integer, default=0)  # distinct viewers with a counted view
    active_viewers: Mapped[int] = mapped_column(Integer, default=0)  # distinct viewers with any event
    # Platform, daily: distinct viewers with any event in the 30 days ending with this day.
    active_viewers_30d: Mapped[int] = mapped_column(Integer, default=0)
    plays: Mapped[int] = mapped_column(Integer, default=0)
    watch_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    # Each play counted with its video's full duration: the denominator of the average watch percentage.
    plays_duration_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    completions: Mapped[int] = mapped_column(Integer, default=0)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    follows: Mapped[int] = mapped_column(Integer, default=0)  # follows made from a video
    new_followers: Mapped[int] = mapped_column(Integer, default=0)  # follows.created_at in the bucket
    uploads: Mapped[int] = mapped_column(Integer, default=0)  # videos.created_at in the bucket
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EngagementBreakdown(Base):
    """A day of one scope split by one dimension: counted views and distinct viewers per value (and,
    platform-wide by province, the uploads of creators from there)."""

    __tablename__ = "engagement_breakdowns"
    __table_args__ = (Index("ix_engagement_breakdowns_day", "day", "scope"),)

    scope: Mapped[Scope] = mapped_column(db_enum(Scope), primary_key=True)
    scope_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    dimension: Mapped[Dimension] = mapped_column(db_enum(Dimension), primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    viewers: Mapped[int] = mapped_column(Integer, default=0)
    uploads: Mapped[int] = mapped_column(Integer, default=0)


class ActiveViewerDay(Base):
    """Who was active on a day (any unflagged event): counting the distinct viewers of 30 days here is
    far cheaper than over 30 days of events."""

    __tablename__ = "active_viewer_days"

    day: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    viewer_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class RollupState(Base):
    """The rollup job's watermark: every hour before `watermark` minus one hour has been computed from
    the events received by then."""

    __tablename__ = "rollup_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    watermark: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Finding the events that arrived late (a phone that was offline sends hours-old events) reads the
# events by arrival time. The index serves only the rollups, so it is declared with them.
Index("ix_engagement_events_received", EngagementEvent.received_at)
