"""engagement events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:41:37.426631
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kilas.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "engagement_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "impression",
                "play",
                "view",
                "progress",
                "complete",
                "replay",
                "skip",
                "like",
                "share",
                "profile_visit",
                "follow",
                name="eventtype",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("video_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("creator_id", sa.BigInteger(), nullable=False),
        sa.Column("viewer_key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "foryou",
                "following",
                "profile",
                "search",
                "hashtag",
                "share",
                "other",
                name="trafficsource",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("play_id", sa.String(length=64), nullable=True),
        sa.Column("watched_ms", sa.Integer(), nullable=False),
        sa.Column("position_ms", sa.Integer(), nullable=True),
        sa.Column("occurred_at", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("counted_view", sa.Boolean(), nullable=False),
        sa.Column("flag", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_engagement_events_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_engagement_events_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_engagement_events_event_id")),
    )
    with op.batch_alter_table("engagement_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_events_creator_time", ["creator_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_engagement_events_time", ["occurred_at"], unique=False)
        batch_op.create_index("ix_engagement_events_video_time", ["video_id", "occurred_at"], unique=False)

    op.create_table(
        "view_windows",
        sa.Column("video_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("viewer_key", sa.String(length=64), nullable=False),
        sa.Column("counted_at", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_ends_at", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_view_windows_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("video_id", "viewer_key", name=op.f("pk_view_windows")),
    )
    with op.batch_alter_table("view_windows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_view_windows_viewer_key"), ["viewer_key"], unique=False)

    with op.batch_alter_table("views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_views_video_id"))
        batch_op.drop_index(batch_op.f("ix_views_viewer_video"))

    op.drop_table("views")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gender", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("province", sa.String(length=40), nullable=True))

    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unique_viewers_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("plays_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("watch_ms_total", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("completions_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("impressions_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("skips_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("replays_count", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_column("replays_count")
        batch_op.drop_column("skips_count")
        batch_op.drop_column("impressions_count")
        batch_op.drop_column("completions_count")
        batch_op.drop_column("watch_ms_total")
        batch_op.drop_column("plays_count")
        batch_op.drop_column("unique_viewers_count")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("province")
        batch_op.drop_column("gender")

    op.create_table(
        "views",
        sa.Column("id", sa.INTEGER(), nullable=False),
        sa.Column("video_id", sa.INTEGER(), nullable=False),
        sa.Column("viewer_key", sa.VARCHAR(length=64), nullable=False),
        sa.Column("counted_at", sa.DATETIME(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_views_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_views")),
    )
    with op.batch_alter_table("views", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_views_viewer_video"), ["viewer_key", "video_id", "counted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_views_video_id"), ["video_id"], unique=False)

    with op.batch_alter_table("view_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_windows_viewer_key"))

    op.drop_table("view_windows")
    with op.batch_alter_table("engagement_events", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_events_video_time")
        batch_op.drop_index("ix_engagement_events_time")
        batch_op.drop_index("ix_engagement_events_creator_time")

    op.drop_table("engagement_events")
