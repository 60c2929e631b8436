"""Command palette providers: jump to any article by its title."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui_reader.errors import ReaderError
from tui_reader.models import ArticleSummary
from tui_reader.ui.messages import OpenArticle
from tui_reader.ui.search import typed_query
from tui_reader.ui.text import safe_line

if TYPE_CHECKING:
    from tui_reader.archive import Archive

LIMIT = 12


def _titles(archive: Archive, query: str) -> list[ArticleSummary]:
    words = " ".join(w for w in query.replace('"', " ").split() if w.isalnum() or w.isalpha())
    if not words:
        return archive.list_articles("all", limit=LIMIT)
    try:
        result = archive.search(f"title:({typed_query(words)})", limit=LIMIT, snippets=False)
    except ReaderError:
        return []
    return [hit.article for hit in result.hits]


class ArticleProvider(Provider):
    """“Jump to article”: the titles matching what is typed."""

    @property
    def _archive(self) -> Archive:
        archive: Archive = getattr(self.app, "archive")  # noqa: B009
        return archive

    def _open(self, article_id: int) -> None:
        self.app.post_message(OpenArticle(article_id))

    async def discover(self) -> Hits:
        for summary in await asyncio.to_thread(_titles, self._archive, ""):
            title = safe_line(summary.title)
            yield DiscoveryHit(
                Text(f"Jump to: {title}"), partial(self._open, summary.id), help="newest article"
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for summary in await asyncio.to_thread(_titles, self._archive, query):
            title = safe_line(summary.title)
            score = matcher.match(title) or 0.5
            yield Hit(
                score,
                Text(f"Jump to: {title}"),
                partial(self._open, summary.id),
                help=safe_line(summary.site) or None,
            )
