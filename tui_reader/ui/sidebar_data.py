"""Gathering the sidebar's entries (called from a worker thread)."""

from __future__ import annotations

from typing import Any

from tui_reader.archive import Archive
from tui_reader.errors import QueryError
from tui_reader.ui.widgets.sidebar import SidebarData

TOP_ENTITIES = 12


def load_sidebar(archive: Archive, fetch_service: Any | None = None) -> SidebarData:
    """Counts, feeds, tags, saved searches (with unread counts) and top entities."""
    saved = []
    for search in archive.saved_searches():
        saved.append((search, _unread(archive, search.query)))
    feeds = tuple(fetch_service.list_feeds()) if fetch_service is not None else ()
    return SidebarData(
        total=archive.count("all"),
        unread=archive.count("unread"),
        starred=archive.count("starred"),
        feeds=feeds,
        tags=tuple(archive.tags()),
        saved=tuple(saved),
        entities=tuple(archive.top_entities(limit=TOP_ENTITIES)),
    )


def _unread(archive: Archive, query: str) -> int:
    try:
        return archive.search(f"({query}) is:unread", limit=1, snippets=False).total
    except QueryError:
        return 0
