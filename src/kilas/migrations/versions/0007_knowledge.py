"""search index, series, collections, subtitles, video answers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kilas.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _created(name: str = "created_at", nullable: bool = False) -> sa.Column:
    return sa.Column(name, kilas.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_terms")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE TABLE video_search (
                video_id BIGINT PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
                main TEXT NOT NULL DEFAULT '',
                names TEXT NOT NULL DEFAULT '',
                subtitles TEXT NOT NULL DEFAULT '',
                tsv tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple', main), 'A')
                    || setweight(to_tsvector('simple', names), 'B')
                    || setweight(to_tsvector('simple', subtitles), 'C')
                ) STORED
            )
            """
        )
        op.execute("CREATE INDEX ix_video_search_tsv ON video_search USING gin (tsv)")
    else:
        op.execute("CREATE VIRTUAL TABLE video_search USING fts5(main, names, subtitles)")
        op.execute(
            "CREATE TRIGGER videos_search_delete AFTER DELETE ON videos BEGIN "
            "DELETE FROM video_search WHERE rowid = old.id; END"
        )
    op.create_table(
        "series",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("followers_count", sa.Integer(), nullable=False),
        _created(),
        _created("updated_at"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_series_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
    )
    op.create_index(op.f("ix_series_owner_id"), "series", ["owner_id"])
    op.create_table(
        "series_parts",
        sa.Column("video_id", sa.BigInteger(), nullable=False),
        sa.Column("series_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _created("added_at"),
        sa.ForeignKeyConstraint(
            ["series_id"], ["series.id"], name=op.f("fk_series_parts_series_id_series"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_series_parts_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_series_parts")),
    )
    op.create_index("ix_series_parts_series_position", "series_parts", ["series_id", "position"])
    op.create_table(
        "series_follows",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("series_id", sa.BigInteger(), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(
            ["series_id"], ["series.id"], name=op.f("fk_series_follows_series_id_series"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_series_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "series_id", name=op.f("pk_series_follows")),
    )
    op.create_index(op.f("ix_series_follows_series_id"), "series_follows", ["series_id"])
    op.create_table(
        "series_updates",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("series_id", sa.BigInteger(), nullable=False),
        sa.Column("video_id", sa.BigInteger(), nullable=False),
        _created(),
        _created("read_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["series_id"], ["series.id"], name=op.f("fk_series_updates_series_id_series"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_series_updates_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_series_updates_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_updates")),
        sa.UniqueConstraint("user_id", "video_id", name=op.f("uq_series_updates_user_id")),
    )
    op.create_index("ix_series_updates_user", "series_updates", ["user_id", "id"])
    op.create_index(op.f("ix_series_updates_video_id"), "series_updates", ["video_id"])
    op.create_table(
        "collections",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("share_token", sa.String(length=32), nullable=False),
        sa.Column("items_count", sa.Integer(), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_collections_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collections")),
        sa.UniqueConstraint("share_token", name=op.f("uq_collections_share_token")),
    )
    op.create_index(op.f("ix_collections_owner_id"), "collections", ["owner_id"])
    op.create_table(
        "collection_items",
        sa.Column("collection_id", sa.BigInteger(), nullable=False),
        sa.Column("video_id", sa.BigInteger(), nullable=False),
        _created("added_at"),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_collection_items_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_collection_items_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("collection_id", "video_id", name=op.f("pk_collection_items")),
    )
    op.create_index(op.f("ix_collection_items_video_id"), "collection_items", ["video_id"])
    op.create_table(
        "subtitles",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("video_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("vtt", sa.Text(), nullable=False),
        sa.Column("plain_text", sa.Text(), nullable=False),
        sa.Column("cues_count", sa.Integer(), nullable=False),
        _created(),
        _created("updated_at"),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_subtitles_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subtitles")),
        sa.UniqueConstraint("video_id", "language", name=op.f("uq_subtitles_video_id")),
    )
    op.create_table(
        "video_answers",
        sa.Column("video_id", sa.BigInteger(), nullable=False),
        sa.Column("comment_id", sa.BigInteger(), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_video_answers_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_video_answers_video_id_videos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_video_answers")),
    )
    op.create_index(op.f("ix_video_answers_comment_id"), "video_answers", ["comment_id"])


def downgrade() -> None:
    for table in (
        "video_answers",
        "subtitles",
        "collection_items",
        "collections",
        "series_updates",
        "series_follows",
        "series_parts",
        "series",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS videos_search_delete")
    op.execute("DROP TABLE IF EXISTS video_search")
    op.drop_table("search_terms")
