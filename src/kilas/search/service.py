"""Search over videos, people and hashtags.

A query is cut into words (stopwords dropped); each word stands for its root, or, when neither the
word nor its root was ever indexed, for the roots of the nearest indexed words (typo tolerance). All
words must match (AND); when that finds nothing, any word may (OR). The full-text engine (FTS5's bm25
on SQLite, `ts_rank` on PostgreSQL) ranks the first `CANDIDATES` matches among the videos the viewer
may list (`listable_by`), and the final order blends that relevance with engagement and freshness.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, func, literal_column, or_, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import utcnow
from kilas.errors import InvalidInput
from kilas.search.index import Vocabulary, vocabulary
from kilas.search.text import WORD, stem, stopwords
from kilas.search.topics import TOPICS
from kilas.social.service import blocked_user_ids_subquery
from kilas.videos.models import Hashtag, Video, VideoHashtag
from kilas.videos.service import listable_by
from kilas.web.i18n import gettext

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
CANDIDATES = 300
RELEVANCE_WEIGHT = 0.65
ENGAGEMENT_WEIGHT = 0.25
FRESHNESS_WEIGHT = 0.10
FRESHNESS_HALF_LIFE_DAYS = 14.0
# A word in more than this share of the documents is "broad": a query made only of broad words is
# answered by the newest matches (then blended), not by ranking every match on text relevance.
BROAD_SHARE = 0.05
BROAD_MINIMUM = 5000
SAFE_TERM = re.compile(r"^[^\W_]+$", re.UNICODE)


@dataclass(frozen=True)
class ParsedQuery:
    groups: list[list[str]]  # per query word, the index terms it stands for

    @property
    def empty(self) -> bool:
        return not any(self.groups)


def check_query(q: str) -> str:
    q = " ".join(q.split())
    if not q:
        raise InvalidInput("Type something to search for.", field="q")
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidInput("Searches can be at most 200 characters.", field="q")
    return q


def parse_query(q: str, vocab: Vocabulary) -> ParsedQuery:
    stop = stopwords()
    found = [w for w in WORD.findall(q.lower().replace("#", " ")) if len(w) <= 64]
    meaningful = [w for w in found if w not in stop] or found  # a query of only stopwords keeps them
    groups = [vocab.alternatives(word) for word in dict.fromkeys(meaningful[:MAX_QUERY_WORDS])]
    return ParsedQuery([[t for t in group if SAFE_TERM.match(t)] for group in groups])


def _fts5_expression(groups: list[list[str]], operator: str) -> str:
    return f" {operator} ".join("(" + " OR ".join(f'"{t}"' for t in group) + ")" for group in groups if group)


def _tsquery_expression(groups: list[list[str]], operator: str) -> str:
    return f" {operator} ".join("(" + " | ".join(group) + ")" for group in groups if group)


def _match_condition(db: AsyncSession, groups: list[list[str]], match_all: bool) -> Any:
    """`Video.id IN (the documents matching)`, unranked."""
    if db.get_bind().dialect.name == "postgresql":
        search = table("video_search", sql_column("video_id"), sql_column("tsv"))
        tsquery = func.to_tsquery(
            literal_column("'simple'::regconfig"), _tsquery_expression(groups, "&" if match_all else "|")
        )
        return Video.id.in_(select(search.c.video_id).where(search.c.tsv.op("@@")(tsquery)))
    search = table("video_search", sql_column("rowid"))
    expression = _fts5_expression(groups, "AND" if match_all else "OR")
    return Video.id.in_(select(search.c.rowid).where(literal_column("video_search").op("MATCH")(expression)))


def _match_query(db: AsyncSession, groups: list[list[str]], match_all: bool) -> Select[Any]:
    """Video ids with their text relevance (higher is better), best first."""
    if db.get_bind().dialect.name == "postgresql":
        expression = _tsquery_expression(groups, "&" if match_all else "|")
        search = table("video_search", sql_column("video_id"), sql_column("tsv"))
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), expression)
        relevance = func.ts_rank(search.c.tsv, tsquery)
        return (
            select(Video.id, relevance.label("relevance"))
            .select_from(search)
            .join(Video, Video.id == search.c.video_id)
            .where(search.c.tsv.op("@@")(tsquery))
            .order_by(relevance.desc())
        )
    expression = _fts5_expression(groups, "AND" if match_all else "OR")
    search = table("video_search", sql_column("rowid"))
    bm25 = func.bm25(literal_column("video_search"), 3.0, 2.0, 1.0)
    return (
        select(Video.id, (-bm25).label("relevance"))
        .select_from(search)
        .join(Video, Video.id == search.c.rowid)
        .where(literal_column("video_search").op("MATCH")(expression))
        .order_by(bm25)
    )


def _is_broad(group: list[str], vocab: Vocabulary) -> bool:
    """Every term of the group is in a large share of the documents (nearly no information, and
    ranking all its matches would cost a scan of most of the index)."""
    threshold = max(vocab.documents * BROAD_SHARE, BROAD_MINIMUM)
    return all(vocab.terms.get(term, 0) > threshold for term in group)


async def _newest_matches(
    db: AsyncSession, groups: list[list[str]], conditions: list[Any], *, match_all: bool = True
) -> list[Any]:
    """The newest listable matches, all of equal relevance: for queries of broad words only."""
    query = (
        select(Video.id, literal_column("1.0", type_=Float).label("relevance"))
        .where(_match_condition(db, groups, match_all), *conditions)
        .order_by(Video.published_at.desc())
        .limit(CANDIDATES)
    )
    return list((await db.execute(query)).all())


def blended_score(relevance: float, best: float, video: Any, now: datetime) -> float:
    engagement = math.log1p(
        video.likes_count * 2 + video.comments_count * 3 + video.shares_count * 4 + video.views_count * 0.2
    )
    age_days = max((now - (video.published_at or video.created_at)).total_seconds() / 86400, 0)
    freshness = 0.5 ** (age_days / FRESHNESS_HALF_LIFE_DAYS)
    return (
        RELEVANCE_WEIGHT * (relevance / best if best > 0 else 0)
        + ENGAGEMENT_WEIGHT * min(engagement / 12, 1)
        + FRESHNESS_WEIGHT * freshness
    )


@dataclass(frozen=True)
class VideoResults:
    videos: list[Video]
    next_offset: int | None


async def search_videos(
    *,
    db: AsyncSession,
    viewer: User | None,
    q: str,
    offset: int = 0,
    limit: int = 20,
    extra: list[ColumnElement[bool]] | None = None,
) -> VideoResults:
    """Videos matching `q` that `viewer` may list, best first. `extra` narrows them (e.g. a topic)."""
    q = check_query(q)
    vocab = await vocabulary(db)
    parsed = parse_query(q, vocab)
    if parsed.empty:
        return VideoResults([], None)
    conditions = [*listable_by(viewer), *(extra or [])]
    rows: list[Any] = []
    groups = [group for group in parsed.groups if group]
    all_matchable = len(groups) == len(parsed.groups)
    narrow = [group for group in groups if not _is_broad(group, vocab)]
    if all_matchable and not narrow:
        rows = await _newest_matches(db, groups, conditions)
    elif all_matchable:
        query = _match_query(db, groups, True).where(*conditions).limit(CANDIDATES)
        rows = list((await db.execute(query)).all())
    if (not rows and len(groups) > 1) or not all_matchable:
        if narrow:
            query = _match_query(db, narrow, False).where(*conditions).limit(CANDIDATES)
            rows = list((await db.execute(query)).all())
        else:
            rows = await _newest_matches(db, groups, conditions, match_all=False)
    if not rows:
        return VideoResults([], None)
    relevance = {row.id: float(row.relevance) for row in rows}
    videos = list(await db.scalars(select(Video).where(Video.id.in_(relevance))))
    best = max(relevance.values())
    now = utcnow()
    videos.sort(key=lambda v: (-blended_score(relevance[v.id], best, v, now), -v.id))
    page = videos[offset : offset + limit]
    next_offset = offset + limit if len(videos) > offset + limit else None
    return VideoResults(page, next_offset)


def _like_pattern(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_users(*, db: AsyncSession, viewer: User | None, q: str, limit: int = 20) -> list[User]:
    """People whose username or display name contains the query, the most followed first."""
    q = check_query(q).lstrip("@")
    if not q:
        return []
    pattern = _like_pattern(q)
    query = select(User).where(
        or_(
            func.lower(User.username).like(pattern, escape="\\"),
            func.lower(User.display_name).like(pattern, escape="\\"),
        )
    )
    if viewer is not None:
        query = query.where(User.id.not_in(blocked_user_ids_subquery(viewer.id)))
    prefix = q.lower()
    users = list(await db.scalars(query.order_by(User.followers_count.desc(), User.id).limit(limit * 3)))
    users.sort(key=lambda u: (not u.username.lower().startswith(prefix), -u.followers_count))
    return users[:limit]


@dataclass(frozen=True)
class HashtagHit:
    name: str
    display: str
    videos_count: int


async def search_hashtags(
    *, db: AsyncSession, viewer: User | None, q: str, limit: int = 20
) -> list[HashtagHit]:
    """Hashtags containing the query, counted over the videos the viewer may list; empty ones left out."""
    q = check_query(q).lstrip("#").replace(" ", "")
    if not q:
        return []
    count = func.count(Video.id)
    rows = await db.execute(
        select(Hashtag.name, Hashtag.display, count.label("videos_count"))
        .join(VideoHashtag, VideoHashtag.hashtag_id == Hashtag.id)
        .join(Video, Video.id == VideoHashtag.video_id)
        .where(Hashtag.name.like(_like_pattern(q), escape="\\"), *listable_by(viewer))
        .group_by(Hashtag.id, Hashtag.name, Hashtag.display)
        .order_by(count.desc(), Hashtag.name)
        .limit(limit * 3)
    )
    prefix = q.lower()
    hits = [HashtagHit(row.name, row.display, int(row.videos_count)) for row in rows]
    hits.sort(key=lambda h: (not h.name.startswith(prefix), -h.videos_count))
    return hits[:limit]


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "query" | "hashtag" | "user" | "topic"
    text: str
    url: str


async def suggest(*, db: AsyncSession, viewer: User | None, q: str, limit: int = 8) -> list[Suggestion]:
    """Autocomplete while typing: hashtags, people and topics starting with what was typed, and
    whole words completing the last word, taken from captions of videos the viewer may list."""
    q = " ".join(q.split())[:MAX_QUERY_LENGTH]
    if len(q) < 2:
        return []
    last = q.lower().lstrip("#@").split(" ")[-1]
    suggestions: list[Suggestion] = []
    if last and SAFE_TERM.match(last):
        head = q[: len(q) - len(last)].lstrip("#@")
        for word in await _completions(db, viewer, last, limit):
            text = f"{head}{word}".strip()
            suggestions.append(Suggestion("query", text, f"/cari?q={text}"))
    for hit in await search_hashtags(db=db, viewer=viewer, q=q.replace(" ", ""), limit=3):
        suggestions.append(Suggestion("hashtag", f"#{hit.display}", f"/tag/{hit.name}"))
    for user in await search_users(db=db, viewer=viewer, q=q, limit=3):
        suggestions.append(
            Suggestion("user", f"@{user.username} · {user.display_name}", f"/@{user.username}")
        )
    lowered = q.lower()
    for topic in TOPICS:
        label = gettext(topic.label)
        if label.lower().startswith(lowered) or topic.slug.startswith(lowered):
            suggestions.append(Suggestion("topic", label, f"/topik/{topic.slug}"))
    seen: set[str] = set()
    unique = []
    for suggestion in suggestions:
        if suggestion.text.lower() not in seen:
            seen.add(suggestion.text.lower())
            unique.append(suggestion)
    return unique[:limit]


async def _completions(db: AsyncSession, viewer: User | None, prefix: str, limit: int) -> list[str]:
    """Indexed words starting with `prefix`, kept only when they occur in the caption of a video the
    viewer may list (so a private caption never shows up in anyone's suggestions), most common first."""
    vocab = await vocabulary(db)
    candidates = sorted(
        (term for term in vocab.choices if term.startswith(prefix) and term != prefix),
        key=lambda term: (-vocab.terms[term], term),
    )[:20]
    roots = list(dict.fromkeys(stem(term) for term in candidates))
    roots = [root for root in roots if SAFE_TERM.match(root)]
    if not roots:
        return []
    matches = _match_query(db, [roots], False).where(*listable_by(viewer)).limit(200).subquery()
    captions = await db.scalars(select(Video.caption).where(Video.id.in_(select(matches.c.id))))
    counts: dict[str, int] = {}
    for caption in captions:
        for word in WORD.findall(caption.lower()):
            if word.startswith(prefix) and word != prefix:
                counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], len(w), w))[: max(limit // 2, 3)]
