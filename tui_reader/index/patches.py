"""Fixes to Whoosh 2.7.4 (pinned), applied once when the index package is imported.

Each patch replaces one method with the same behaviour minus a measured defect.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec import whoosh3
from whoosh.reading import TermNotFound

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


MAX_CACHED_TERMS = 50_000


def _term_range(self: Any, fieldname: str, tbytes: bytes) -> tuple[int, int] | None:
    """Where a term's information lies in the terms file, or None: looked up once.

    Each lookup in Whoosh's on-disk hash table is a dozen small reads in Python, and one
    search asks about the same terms many times (is it there, how frequent, its
    postings), in every segment. A segment's terms never change, so the answers are
    kept, per segment, up to a bound.
    """
    cache = self.__dict__.get("_term_ranges")
    if cache is None:
        cache = self._term_ranges = {}
    key = (fieldname, tbytes)
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = next(iter(self._tindex.ranges_for_key(self._keycoder(fieldname, tbytes))), None)
        if len(cache) >= MAX_CACHED_TERMS:
            cache.clear()
        cache[key] = found
    return found  # type: ignore[no-any-return]


def _range_for_key(self: Any, fieldname: str, tbytes: bytes) -> tuple[int, int]:
    found = _term_range(self, fieldname, tbytes)
    if found is None:
        raise KeyError((fieldname, tbytes))
    return found


def _contains(self: Any, term: tuple[str, bytes]) -> bool:
    return _term_range(self, *term) is not None


def _term_info(self: Any, fieldname: str, tbytes: bytes) -> Any:
    found = _term_range(self, fieldname, tbytes)
    if found is None:
        raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
    datapos, datalen = found
    return whoosh3.W3TermInfo.from_bytes(self._dbfile.get(datapos, datalen))


def apply() -> None:
    """Install the patches (idempotent)."""
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    whoosh3.W3TermsReader._range_for_key = _range_for_key
    whoosh3.W3TermsReader.__contains__ = _contains
    whoosh3.W3TermsReader.term_info = _term_info
