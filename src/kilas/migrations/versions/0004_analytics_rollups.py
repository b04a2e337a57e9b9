"""analytics rollups

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 12:54:45.663040
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kilas.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "active_viewer_days",
        sa.Column("day", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("viewer_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day", "viewer_key", name=op.f("pk_active_viewer_days")),
    )
    op.create_table(
        "engagement_breakdowns",
        sa.Column(
            "scope",
            sa.Enum("video", "creator", "platform", name="scope", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("scope_id", sa.BigInteger(), nullable=False),
        sa.Column("day", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "dimension",
            sa.Enum("source", "age", "gender", "province", name="dimension", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("viewers", sa.Integer(), nullable=False),
        sa.Column("uploads", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "scope", "scope_id", "day", "dimension", "value", name=op.f("pk_engagement_breakdowns")
        ),
    )
    with op.batch_alter_table("engagement_breakdowns", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_breakdowns_day", ["day", "scope"], unique=False)

    op.create_table(
        "engagement_rollups",
        sa.Column(
            "scope",
            sa.Enum("video", "creator", "platform", name="scope", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("scope_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "grain", sa.Enum("hour", "day", name="grain", native_enum=False, length=16), nullable=False
        ),
        sa.Column("bucket_start", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("unique_viewers", sa.Integer(), nullable=False),
        sa.Column("active_viewers", sa.Integer(), nullable=False),
        sa.Column("active_viewers_30d", sa.Integer(), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("watch_ms", sa.BigInteger(), nullable=False),
        sa.Column("plays_duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("follows", sa.Integer(), nullable=False),
        sa.Column("new_followers", sa.Integer(), nullable=False),
        sa.Column("uploads", sa.Integer(), nullable=False),
        sa.Column("computed_at", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "scope", "scope_id", "grain", "bucket_start", name=op.f("pk_engagement_rollups")
        ),
    )
    with op.batch_alter_table("engagement_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_rollups_bucket", ["grain", "bucket_start", "scope"], unique=False
        )

    op.create_table(
        "rollup_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("watermark", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kilas.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rollup_state")),
    )
    with op.batch_alter_table("engagement_events", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_events_received", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("engagement_events", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_events_received")

    op.drop_table("rollup_state")
    with op.batch_alter_table("engagement_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_rollups_bucket")

    op.drop_table("engagement_rollups")
    with op.batch_alter_table("engagement_breakdowns", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_breakdowns_day")

    op.drop_table("engagement_breakdowns")
    op.drop_table("active_viewer_days")
