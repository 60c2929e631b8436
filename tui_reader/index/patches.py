"""Fixes to Whoosh 2.7.4 (pinned), applied once when the index package is imported.

Each patch replaces one method with the same behaviour minus a measured defect.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec import whoosh3

_MISSING = object()


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    """Whoosh caches a segment's column readers, but not a column's absence: writing a
    segment asks for the length of every posting's field, and for the fields that keep
    no lengths (ids, keywords, dates) each ask was a ``stat()`` of a missing file, a
    fifth of the indexing time. Absence is cached too (a segment never gains columns)."""
    reader = self._readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
    return reader


def apply() -> None:
    """Install the patches (idempotent)."""
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
