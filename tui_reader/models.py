"""Plain, immutable data passed between the core and its callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Literal

Origin = Literal["url", "feed", "file"]
SortOrder = Literal["relevance", "date"]


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An article on its way into the archive, as extracted or imported.

    ``lang`` None means "detect it". ``text`` is Markdown (or plain text, a subset).
    """

    title: str
    text: str
    url: str | None = None
    author: str | None = None
    site: str | None = None
    published: datetime | None = None
    lang: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    image: str | None = None
    raw_html: bytes | None = None
    origin: Origin = "file"
    feed_id: int | None = None
    guid: str | None = None
    summary_only: bool = False


@dataclass(frozen=True, slots=True)
class EntityMention:
    """One canonical entity of an article, with every place it is mentioned."""

    name: str
    type: str
    count: int
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What a list of articles shows: no body."""

    id: int
    title: str
    url: str | None
    site: str | None
    author: str | None
    published: datetime | None
    added: datetime
    lang: str | None
    word_count: int
    is_read: bool
    is_starred: bool
    tags: tuple[str, ...] = ()
    feed_id: int | None = None

    @property
    def reading_minutes(self) -> int:
        """Reading time at 200 words a minute, at least one."""
        return max(1, round(self.word_count / 200))

    @property
    def date(self) -> datetime:
        """The date to show and sort by: published when known, else when it was saved."""
        return self.published or self.added


@dataclass(frozen=True, slots=True)
class Article:
    """A whole stored article."""

    summary: ArticleSummary
    text: str
    description: str | None
    origin: Origin
    content_hash: str
    summary_only: bool
    reading_position: float
    entities: tuple[EntityMention, ...] = ()

    @property
    def id(self) -> int:
        """The article's id in the archive."""
        return self.summary.id

    @property
    def title(self) -> str:
        """The article's title."""
        return self.summary.title


class IngestStatus(Enum):
    """What happened to one draft handed to the archive."""

    ADDED = "imported"
    UPDATED = "updated"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """The result of ingesting one item."""

    status: IngestStatus
    source: str
    article_id: int | None = None
    duplicate_of: int | None = None
    message: str = ""


@dataclass(slots=True)
class IngestReport:
    """Counts for a batch of ingested items, and the lines to show for failures."""

    added: int = 0
    updated: int = 0
    duplicates: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)

    def record(self, outcome: IngestOutcome) -> None:
        """Count one outcome."""
        if outcome.status is IngestStatus.ADDED:
            self.added += 1
        elif outcome.status is IngestStatus.UPDATED:
            self.updated += 1
        elif outcome.status is IngestStatus.DUPLICATE:
            self.duplicates += 1
        else:
            self.failed += 1
            self.failures.append(f"{outcome.source}: {outcome.message}")
        if outcome.article_id is not None and outcome.status is not IngestStatus.DUPLICATE:
            self.article_ids.append(outcome.article_id)

    def line(self) -> str:
        """One summary line."""
        return (
            f"{self.added} imported, {self.updated} updated, "
            f"{self.duplicates} duplicates, {self.failed} failed"
        )


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result. ``marks`` are (start, end) offsets of matches in ``snippet``."""

    article: ArticleSummary
    score: float
    snippet: str = ""
    marks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of search results."""

    query: str
    hits: tuple[SearchHit, ...]
    total: int
    suggestion: str | None = None
    notices: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    total_exact: bool = True


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscribed feed."""

    id: int
    url: str
    title: str
    site_url: str | None
    tags: tuple[str, ...]
    etag: str | None
    last_modified: str | None
    last_success: datetime | None
    last_error: str | None
    error_count: int
    added: datetime
    unread: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """A draft with everything computed that the store needs (the slow part of ingest).

    ``entities`` is None when recognition was not run (disabled, or not yet available).
    ``stems`` carries word stems a worker process computed, for the indexing process.
    """

    draft: ArticleDraft
    lang: str | None
    content_hash: str
    word_count: int
    entities: tuple[EntityMention, ...] | None = None
    stems: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Analysis:
    """What analysis found for a stored article: its language, and its entities (None
    when recognition did not run)."""

    article_id: int
    lang: str | None
    entities: tuple[EntityMention, ...] | None


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """What the index needs to know about one article."""

    id: int
    title: str
    text: str
    lang: str | None
    site: str | None
    author: str | None
    url: str | None
    published: datetime | None
    added: datetime
    tags: tuple[str, ...]
    is_read: bool
    is_starred: bool
    feed_id: int | None
    entities: tuple[EntityMention, ...] = ()
    version: int = 0  # the store's change counter when this was read


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A query the user saved, shown in the sidebar."""

    id: int
    name: str
    query: str


@dataclass(frozen=True, slots=True)
class EntityCount:
    """An entity and in how many articles (and how many times) it is mentioned."""

    name: str
    type: str
    articles: int
    mentions: int
