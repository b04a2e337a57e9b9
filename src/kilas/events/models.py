import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from kilas.db import Base, BigId, UTCDateTime, utcnow
from kilas.enums import db_enum


class EventType(enum.StrEnum):
    impression = "impression"  # the video came on screen
    play = "play"  # playback started (a new play session, `play_id`)
    view = "view"  # sent once per play after at least 1 s of playback; counted at most once per window
    progress = "progress"  # `watched_ms` of watching added since the play's previous progress event
    complete = "complete"  # the play reached the end
    replay = "replay"  # the video looped and played again
    skip = "skip"  # swiped away within the first seconds
    like = "like"
    share = "share"
    profile_visit = "profile_visit"
    follow = "follow"  # followed the creator from the video


class TrafficSource(enum.StrEnum):
    foryou = "foryou"
    following = "following"
    profile = "profile"
    search = "search"
    hashtag = "hashtag"
    share = "share"  # arrived through a shared link
    other = "other"


class EngagementEvent(Base):
    """Every engagement event, kept. Counters on videos are exactly the aggregates of these rows
    (counted views, and the events without a `flag`)."""

    __tablename__ = "engagement_events"
    __table_args__ = (
        Index("ix_engagement_events_video_time", "video_id", "occurred_at"),
        Index("ix_engagement_events_creator_time", "creator_id", "occurred_at"),
        Index("ix_engagement_events_time", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Made by the client; a retried batch carries the same ids and is counted once.
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[EventType] = mapped_column(db_enum(EventType))
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    creator_id: Mapped[int] = mapped_column(BigInteger)
    viewer_key: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[TrafficSource] = mapped_column(db_enum(TrafficSource), default=TrafficSource.other)
    play_id: Mapped[str | None] = mapped_column(String(64))
    watched_ms: Mapped[int] = mapped_column(Integer, default=0)
    position_ms: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    counted_view: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why the event is kept but left out of every count ("impossible_watch_time", "too_many_views").
    flag: Mapped[str | None] = mapped_column(String(32))


class ViewWindow(Base):
    """The last counted view of one viewer on one video: the next one counts only after the window.
    Also the viewer's seen-set for the feed."""

    __tablename__ = "view_windows"

    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True)
    viewer_key: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the next view may count; stored so the upsert compares two timestamps on any database.
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    views: Mapped[int] = mapped_column(Integer, default=1)


class InboxBatch(Base):
    """A batch of events the server has acknowledged and not yet stored as `engagement_events`.

    Ingest only appends here (one row per batch, many batches per commit); the event processor takes
    batches in order, stores and counts their events, and deletes them in the same transaction."""

    __tablename__ = "event_inbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    viewer_key: Mapped[str] = mapped_column(String(64))
    # No foreign key: an account deleted while its batch waits leaves the events anonymous.
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    event_count: Mapped[int] = mapped_column(Integer)
    # The validated events, compact (events/inbox.py encodes and decodes them).
    events: Mapped[bytes] = mapped_column(LargeBinary)
    # A batch that cannot be stored is set aside with the reason, for an operator to look at.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(String(200))
