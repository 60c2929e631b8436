"""Fixes to Whoosh 2.7.4 (pinned), applied once when the index package is imported.

Each patch replaces one method with the same behaviour minus a measured defect.
"""

from __future__ import annotations

from typing import Any

from whoosh import writing
from whoosh.codec import base, whoosh3
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

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


class _PreloadedLengths:
    """A per-document reader's field lengths, each field's column read in one piece.

    Writing a segment asks for the field length of every posting (for the blocks'
    length bounds), one small file read each: about a tenth of indexing time.
    """

    def __init__(self, perdoc: Any) -> None:
        self._perdoc = perdoc
        self._fields: dict[str, Any] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self._fields.get(fieldname, _MISSING)
        if lengths is _MISSING:
            lengths = self._fields[fieldname] = field_length_bytes(self._perdoc, fieldname)
        if lengths is None:
            return default
        lbyte = lengths[docnum] if docnum < len(lengths) else 0
        return BYTE_TO_LENGTH[lbyte] if lbyte else None  # as Whoosh: None for 0


def field_length_bytes(perdoc: Any, fieldname: str) -> bytes | None:
    """A segment's field lengths (Whoosh's one-byte codes), one per document from the
    first; documents past the end have none (0). None when the field keeps no lengths."""
    column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    if column is None:
        return None
    return bytes(column._dbfile.get(column._basepos, column._count)) if column._count else b""


# Whoosh stores a field length as a one-byte code; its value for each code.
BYTE_TO_LENGTH = [int(byte_to_length(i)) for i in range(256)]
_add_postings = base.FieldWriter.add_postings


def _add_postings_preloaded(self: Any, schema: Any, lengths: Any, items: Any) -> Any:
    if isinstance(lengths, whoosh3.W3PerDocReader):
        lengths = _PreloadedLengths(lengths)
    return _add_postings(self, schema, lengths, items)


_whoosh_pool_add = writing.PostingPool.add


def _pool_add(self: Any, item: tuple[str, bytes, int, float, bytes | None]) -> None:
    """``PostingPool.add`` with the same memory accounting, minus its two type asserts
    per posting (the items come from Whoosh's own writer): a twentieth of indexing."""
    self.fieldnames.add(item[0])
    self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
    if self.currentsize > self.limit:
        self.save()
    self.current.append(item)


def apply() -> None:
    """Install the patches (idempotent)."""
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    whoosh3.W3TermsReader._range_for_key = _range_for_key
    whoosh3.W3TermsReader.__contains__ = _contains
    whoosh3.W3TermsReader.term_info = _term_info
    base.FieldWriter.add_postings = _add_postings_preloaded
    writing.PostingPool.add = _pool_add
