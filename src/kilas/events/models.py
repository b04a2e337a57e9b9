from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kilas.db import Base, BigId, UTCDateTime, utcnow


class View(Base):
    """A counted view: at most one per viewer per video per view window (30 minutes by default).

    `viewer_key` is "u:<user id>" for signed-in viewers and "d:<device id>" for visitors.
    """

    __tablename__ = "views"
    __table_args__ = (Index("ix_views_viewer_video", "viewer_key", "video_id", "counted_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    viewer_key: Mapped[str] = mapped_column(String(64))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
