"""Articles related to one article: by its words, then by the entities they share."""

from __future__ import annotations

from tui_reader.archive import Archive
from tui_reader.errors import ReaderError
from tui_reader.models import Article, ArticleSummary
from tui_reader.ui.search import entity_query

LIMIT = 8
SHARED_ENTITIES = 3


def related_articles(archive: Archive, article: Article) -> list[tuple[ArticleSummary, str]]:
    """Up to ``LIMIT`` ``(summary, why)`` pairs, never the article itself."""
    found: dict[int, tuple[ArticleSummary, str]] = {}
    try:
        for summary in archive.related(article, limit=LIMIT):
            found.setdefault(summary.id, (summary, "similar words"))
    except ReaderError:
        pass
    top = sorted(article.entities, key=lambda e: -e.count)[:SHARED_ENTITIES]
    for entity in top:
        if len(found) >= LIMIT:
            break
        try:
            result = archive.search(entity_query(entity.name, entity.type), limit=4, snippets=False)
        except ReaderError:
            continue
        for hit in result.hits:
            found.setdefault(hit.article.id, (hit.article, f"also mentions {entity.name}"))
    found.pop(article.id, None)
    return list(found.values())[:LIMIT]
