from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kilas.db import Base, BigId, UTCDateTime, utcnow
from kilas.enums import VideoStatus, Visibility, db_enum


class Video(Base):
    __tablename__ = "videos"
    __table_args__ = (
        Index("ix_videos_owner_created", "owner_id", "created_at"),
        Index("ix_videos_feed", "status", "visibility", "published_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    caption: Mapped[str] = mapped_column(Text, default="")
    # A slug of kilas.search.topics, chosen by the creator (None: not chosen).
    topic: Mapped[str | None] = mapped_column(String(32), index=True)
    # Marked 18+ by the creator (or moderators): never shown to viewers under 18.
    adults_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    visibility: Mapped[Visibility] = mapped_column(db_enum(Visibility), default=Visibility.public)
    status: Mapped[VideoStatus] = mapped_column(db_enum(VideoStatus), default=VideoStatus.processing)
    failure_code: Mapped[str | None] = mapped_column(String(32))
    # Server-generated, unguessable folder for every stored file of this video.
    media_prefix: Mapped[str] = mapped_column(String(80), unique=True)
    source_key: Mapped[str] = mapped_column(String(200))
    poster_key: Mapped[str | None] = mapped_column(String(200))
    preview_key: Mapped[str | None] = mapped_column(String(200))
    duration_s: Mapped[float | None] = mapped_column(Float)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    likes_count: Mapped[int] = mapped_column(Integer, default=0)
    comments_count: Mapped[int] = mapped_column(Integer, default=0)
    # Engagement counters, kept equal to the aggregates of the stored engagement events.
    views_count: Mapped[int] = mapped_column(Integer, default=0)
    unique_viewers_count: Mapped[int] = mapped_column(Integer, default=0)
    plays_count: Mapped[int] = mapped_column(Integer, default=0)
    watch_ms_total: Mapped[int] = mapped_column(BigInteger, default=0)
    completions_count: Mapped[int] = mapped_column(Integer, default=0)
    impressions_count: Mapped[int] = mapped_column(Integer, default=0)
    skips_count: Mapped[int] = mapped_column(Integer, default=0)
    replays_count: Mapped[int] = mapped_column(Integer, default=0)
    shares_count: Mapped[int] = mapped_column(Integer, default=0)
    processing_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The lease of the worker processing this video, renewed while it works.
    processing_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    renditions: Mapped[list["Rendition"]] = relationship(
        back_populates="video", order_by="Rendition.short_edge", cascade="all, delete-orphan", lazy="selectin"
    )


class Rendition(Base):
    __tablename__ = "renditions"
    __table_args__ = (UniqueConstraint("video_id", "short_edge"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    short_edge: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    video: Mapped[Video] = relationship(back_populates="renditions")


class Hashtag(Base):
    __tablename__ = "hashtags"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Lower-cased for lookups; `display` keeps the first spelling seen (#SamaSamaBelajar).
    name: Mapped[str] = mapped_column(String(100), unique=True)
    display: Mapped[str] = mapped_column(String(100))


class VideoHashtag(Base):
    __tablename__ = "video_hashtags"

    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True)
    hashtag_id: Mapped[int] = mapped_column(
        ForeignKey("hashtags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Upload(Base):
    """A resumable (tus) upload in progress. The bytes live in the upload folder until complete."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    caption: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(db_enum(Visibility), default=Visibility.public)
    video_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
