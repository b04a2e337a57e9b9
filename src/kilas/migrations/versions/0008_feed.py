"""for you feed: profiles, pools, exploration, ranking models and samples

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kilas.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str) -> sa.Column:
    return sa.Column(name, kilas.db.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "feed_profiles",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("interests", sa.Text(), nullable=False),
        sa.Column("seen", sa.LargeBinary(), nullable=False),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_feed_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_feed_profiles")),
    )
    op.create_table(
        "feed_pools",
        sa.Column("name", sa.String(length=140), nullable=False),
        sa.Column("entries", sa.LargeBinary(), nullable=False),
        _time("built_at"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_feed_pools")),
    )
    op.create_index(op.f("ix_feed_pools_built_at"), "feed_pools", ["built_at"])
    op.create_table(
        "feed_exploration",
        sa.Column("video_id", BIG_ID, nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _time("reviewed_at"),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_feed_exploration_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_feed_exploration")),
    )
    op.create_table(
        "feed_models",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("weights", sa.Text(), nullable=False),
        sa.Column("trained_on", sa.Integer(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_models")),
    )
    op.create_table(
        "feed_samples",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
        sa.Column("labels", sa.Integer(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_samples")),
    )


def downgrade() -> None:
    for table in ("feed_samples", "feed_models", "feed_exploration", "feed_pools", "feed_profiles"):
        op.drop_table(table)
