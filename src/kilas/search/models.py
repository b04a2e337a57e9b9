"""The search vocabulary. The search documents themselves live in a full-text table that is not an
ORM model (SQLite: the FTS5 table `video_search`; PostgreSQL: `video_search` with a tsvector column):
see `kilas.search.index`."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kilas.db import Base


class SearchTerm(Base):
    """Every term ever indexed (stemmed words, names, hashtags): the vocabulary for typo correction."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Documents that contained the term when they were indexed (never decremented: a tie-breaker).
    uses: Mapped[int] = mapped_column(Integer, default=1)
