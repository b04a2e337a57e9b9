"""The search index: one document per video, kept up to date in the same transaction as the change.

A document has three fields, each a space-separated list of terms (see `kilas.search.text`):
`main` (caption and hashtags), `names` (the creator's username and display name) and `subtitles`.
SQLite keeps them in the FTS5 table `video_search` (rowid = video id; a trigger drops the row when
the video is deleted); PostgreSQL in the table `video_search` with a generated, weighted `tsvector`
(config 'simple': the text is already stemmed) under a GIN index, deleted by the foreign key.

Whenever a flush writes a video's caption, a subtitle or a creator's name, the affected documents are
rewritten before the flush returns (a SQLAlchemy `after_flush` hook), so every path that changes them
(API, pages, jobs, the demo) keeps the index right, and a rolled-back change rolls the index back too.
Access is never decided here: queries join `videos` and apply `listable_by(viewer)`.

`search_terms` holds every word and root ever indexed: the vocabulary that typo correction draws on.
"""

import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import Connection, event, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from kilas.accounts.models import User
from kilas.learning.models import Subtitle
from kilas.search.models import SearchTerm
from kilas.search.text import WORD, caption_terms, name_terms, stem, stems
from kilas.videos.models import Video

VOCABULARY_TTL_SECONDS = 60.0


@dataclass
class Document:
    video_id: int
    main: list[str]
    names: list[str]
    subtitles: list[str]
    surface_words: set[str] = field(default_factory=set)

    @property
    def terms(self) -> set[str]:
        return set(self.main) | set(self.names) | set(self.subtitles) | self.surface_words


def build_document(video_id: int, caption: str, username: str, display_name: str, subtitles: str) -> Document:
    surface = set(WORD.findall(f"{caption} {display_name} {username}".lower()))
    return Document(
        video_id,
        caption_terms(caption),
        name_terms(username, display_name),
        stems(subtitles),
        {word for word in surface if len(word) <= 64},
    )


def _is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _load_documents(connection: Connection, video_ids: Iterable[int]) -> list[Document]:
    ids = sorted(set(video_ids))
    if not ids:
        return []
    rows = connection.execute(
        select(Video.id, Video.caption, User.username, User.display_name)
        .join(User, User.id == Video.owner_id)
        .where(Video.id.in_(ids))
    ).all()
    subtitle_text: dict[int, list[str]] = {}
    for video_id, plain in connection.execute(
        select(Subtitle.video_id, Subtitle.plain_text).where(Subtitle.video_id.in_(ids))
    ):
        subtitle_text.setdefault(video_id, []).append(plain)
    return [
        build_document(
            row.id, row.caption, row.username, row.display_name, " ".join(subtitle_text.get(row.id, []))
        )
        for row in rows
    ]


def write_documents(connection: Connection, documents: list[Document]) -> None:
    """Replace the documents of these videos and add their terms to the vocabulary."""
    if not documents:
        return
    values = [
        {
            "id": document.video_id,
            "main": " ".join(document.main),
            "names": " ".join(document.names),
            "subtitles": " ".join(document.subtitles),
        }
        for document in documents
    ]
    if _is_postgres(connection):
        connection.execute(
            text(
                "INSERT INTO video_search (video_id, main, names, subtitles) "
                "VALUES (:id, :main, :names, :subtitles) ON CONFLICT (video_id) DO UPDATE "
                "SET main = excluded.main, names = excluded.names, subtitles = excluded.subtitles"
            ),
            values,
        )
    else:
        connection.execute(
            text("DELETE FROM video_search WHERE rowid = :id"), [{"id": v["id"]} for v in values]
        )
        connection.execute(
            text(
                "INSERT INTO video_search (rowid, main, names, subtitles) "
                "VALUES (:id, :main, :names, :subtitles)"
            ),
            values,
        )
    counts: dict[str, int] = {}
    for document in documents:
        for term in document.terms:
            counts[term] = counts.get(term, 0) + 1
    add_terms(connection, counts)


def add_terms(connection: Connection, counts: dict[str, int]) -> None:
    """Upsert into the vocabulary, in sorted order so concurrent writers never deadlock."""
    if not counts:
        return
    if _is_postgres(connection):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    rows = [{"term": term, "uses": counts[term]} for term in sorted(counts)]
    for start in range(0, len(rows), 500):
        statement = insert(SearchTerm).values(rows[start : start + 500])
        statement = statement.on_conflict_do_update(
            index_elements=[SearchTerm.term], set_={"uses": SearchTerm.uses + statement.excluded.uses}
        )
        connection.execute(statement)
    vocabulary = _vocabularies.get(connection.engine)
    if vocabulary is not None:
        vocabulary.add(counts)


def reindex_videos(connection: Connection, video_ids: Iterable[int]) -> None:
    write_documents(connection, _load_documents(connection, video_ids))


async def reindex(db: AsyncSession, video_ids: Iterable[int]) -> None:
    ids = list(video_ids)
    await db.run_sync(lambda session: reindex_videos(session.connection(), ids))


def rebuild_index(connection: Connection, *, batch: int = 5000) -> int:
    """Index every video again (after a change of the text rules, or to fill a restored database)."""
    last_id = 0
    done = 0
    while True:
        ids = list(
            connection.scalars(select(Video.id).where(Video.id > last_id).order_by(Video.id).limit(batch))
        )
        if not ids:
            return done
        reindex_videos(connection, ids)
        done += len(ids)
        last_id = ids[-1]


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _keep_index_current(session: Session, _context: Any) -> None:
    video_ids: set[int] = set()
    owner_ids: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Video):
            video_ids.add(obj.id)
        elif isinstance(obj, Subtitle):
            video_ids.add(obj.video_id)
    for obj in session.dirty:
        if isinstance(obj, Video) and _changed(obj, "caption"):
            video_ids.add(obj.id)
        elif isinstance(obj, Subtitle) and _changed(obj, "plain_text"):
            video_ids.add(obj.video_id)
        elif isinstance(obj, User) and _changed(obj, "display_name", "username"):
            owner_ids.add(obj.id)
    deleted_videos: set[int] = set()
    for obj in session.deleted:
        if isinstance(obj, Subtitle):
            video_ids.add(obj.video_id)
        elif isinstance(obj, Video):
            deleted_videos.add(obj.id)
    if not video_ids and not owner_ids:
        return
    connection = session.connection()
    if owner_ids:
        video_ids |= set(connection.scalars(select(Video.id).where(Video.owner_id.in_(owner_ids))))
    reindex_videos(connection, video_ids - deleted_videos)


class Vocabulary:
    """The indexed words and roots, held in memory for fuzzy matching; reloaded every minute so
    words indexed on other nodes are known too (words indexed here are added at once)."""

    def __init__(self) -> None:
        self.terms: dict[str, int] = {}
        self.choices: list[str] = []
        self.loaded_at = 0.0
        self.documents = 0  # videos in the index when last loaded

    def fresh(self) -> bool:
        return time.monotonic() - self.loaded_at < VOCABULARY_TTL_SECONDS

    def load(self, rows: Iterable[tuple[str, int]], documents: int) -> None:
        self.documents = documents
        self.terms = dict(rows)
        self.choices = list(self.terms)
        self.loaded_at = time.monotonic()

    def add(self, counts: dict[str, int]) -> None:
        for term, uses in counts.items():
            if term not in self.terms:
                self.choices.append(term)
            self.terms[term] = self.terms.get(term, 0) + uses

    def alternatives(self, word: str) -> list[str]:
        """Index terms a query word stands for: its root and the word itself when indexed, else the
        roots of the nearest indexed words (1 edit for short words, 2 for longer ones)."""
        root = stem(word)
        found = [term for term in dict.fromkeys((root, word)) if term in self.terms]
        if found or len(word) < 4:
            return found
        max_edits = 1 if len(word) <= 5 else 2
        matches = process.extract(
            word, self.choices, scorer=Levenshtein.distance, score_cutoff=max_edits, limit=5
        )
        ranked = sorted(matches, key=lambda match: (match[1], -self.terms.get(match[0], 0)))
        roots: list[str] = []
        for candidate, _distance, _index in ranked[:3]:
            for term in (stem(candidate), candidate):
                if term in self.terms and term not in roots:
                    roots.append(term)
        return roots


_vocabularies: "weakref.WeakKeyDictionary[Engine, Vocabulary]" = weakref.WeakKeyDictionary()


async def vocabulary(db: AsyncSession) -> Vocabulary:
    engine = db.get_bind()
    assert isinstance(engine, Engine)
    current = _vocabularies.get(engine)
    if current is None:
        current = _vocabularies.setdefault(engine, Vocabulary())
    if not current.fresh():
        rows = await db.execute(select(SearchTerm.term, SearchTerm.uses))
        documents = await db.scalar(select(func.count()).select_from(Video))
        current.load(((term, uses) for term, uses in rows), int(documents or 0))
    return current
