"""Fixes to Whoosh 2.7.4 (pinned), applied once when the index package is imported.

Each patch replaces one method with the same behaviour minus a measured defect.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from pickle import dumps
from typing import Any

from whoosh import fields, writing
from whoosh.codec import base, whoosh3
from whoosh.filedb.filetables import _lengths as _HASH_LENGTHS
from whoosh.reading import TermNotFound
from whoosh.system import emptybytes, pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

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

    def table(self, fieldname: str) -> list[int | None] | None:
        """`doc_field_length` of every document the column holds, or None when the field
        keeps no lengths (each document then has the default)."""
        self.doc_field_length(0, fieldname)  # read the column
        lengths = self._fields[fieldname]
        if lengths is None:
            return None
        return [BYTE_TO_LENGTH[lbyte] if lbyte else None for lbyte in lengths]


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
    if type(self) is whoosh3.W3FieldWriter and self._codec._inlinelimit <= 1:
        return _TermWriter(self).add_postings(schema, lengths, items)
    return _add_postings(self, schema, lengths, items)


_TERM_INFO = struct.Struct("!BfIBBfII")  # W3TermInfo's header
_F32 = struct.Struct("f")
_FIELD_TERM = itemgetter(0, 1)
# Whoosh means to leave tiny blocks uncompressed, but a slip (it sets the level to 0,
# then back) compresses them all. Many terms of a segment have one posting: their block
# pickles to ~78 bytes, which zlib makes 78 bytes again; blocks of 80-95 bytes shrink by
# ~5 bytes. Below this size blocks are stored as they are (each block says whether it is
# compressed, so every reader reads both): ~60% of the compressions in the refresh
# benchmark's segments, for 0.3% more index.
COMPRESS_MIN = 96


class _TermWriter:
    """Whoosh's ``FieldWriter.add_postings`` for its own codec, in one pass per term.

    Whoosh writes a segment's postings through a dozen calls per term (start, add per
    posting, finish, block, term info, hash table), with type asserts per posting and four
    ``tell()`` system calls per term; most terms of a news segment have one to three
    postings, so those calls were most of the cost of finishing a segment. Here each
    term's postings are gathered, then its blocks, term info and table entry are built
    exactly as Whoosh builds them, and the two files' positions are counted rather than
    asked for. Tests check that both write identical files (but for ``COMPRESS_MIN``).
    """

    def __init__(self, fieldwriter: Any) -> None:
        self.fw = fieldwriter
        self.postfile = fieldwriter._postfile
        self.tindex = fieldwriter._tindex
        self.postpos = self.postfile.tell()
        self.termpos = self.tindex.dbfile.tell()
        self.blocklimit = 128
        self.compression = 3
        self.fixedsize: int | None = None

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        fw = self.fw
        dfl = lengths.doc_field_length if lengths else (lambda docnum, fieldname: 0)
        table: list[int | None] | None = None  # the field's lengths by document, when known
        last: tuple[str, bytes] | None = None
        for key, group in groupby(items, _FIELD_TERM):
            fieldname, btext = key
            if last is not None and key < last:
                what = "Field" if fieldname < last[0] else "Term"
                raise base.OutOfOrderError(f"{what} {last!r} .. {key!r}")
            if last is None or fieldname != last[0]:
                if last is not None:
                    fw.finish_field()
                fw.start_field(fieldname, schema[fieldname])
                self.start_field(fw._postwriter)
                table = lengths.table(fieldname) if isinstance(lengths, _PreloadedLengths) else None
            last = key
            # Whoosh's marker for spelling words (document -1) is not a posting.
            postings = [p for p in group if p[2] != -1]
            if not postings:
                continue
            _, _, ids, weights, values = zip(*postings, strict=True)
            if table is not None and ids[-1] < len(table):
                lens = [table[d] for d in ids]
            else:
                lens = [dfl(d, fieldname) for d in ids]
            if len(ids) == 1:
                self.write_single(btext, ids[0], weights[0], values[0], lens[0])
            else:
                self.write_term(btext, ids, weights, values, lens)
        if last is not None:
            fw.finish_field()

    def start_field(self, postwriter: Any) -> None:
        # Inlined postings (a codec option Whoosh 2.7 cannot write) go the other way.
        assert postwriter._inlinelimit <= 1 and not postwriter._byteids
        self.blocklimit = postwriter._blocklimit
        self.compression = postwriter._compression
        self.fixedsize = self.fw._fieldobj.format.fixed_value_size()

    def write_term(
        self,
        btext: bytes,
        ids: Sequence[int],
        weights: Sequence[float],
        values: Sequence[bytes | None],
        lens: Sequence[int | None],
    ) -> None:
        """The term's blocks (W3PostingsWriter), then its term info and table entry."""
        blocks: list[bytes] = []
        # W3TermInfo's running statistics
        total, maxlength = 0.0, 0
        maxweight: float = 0
        minlength: int | None = None
        size = len(ids)
        limit = self.blocklimit
        for first in range(0, size, limit):
            end = min(first + limit, size)
            block_weights = array("f", weights[first:end])
            heaviest = max(weights[first:end])  # the first of the heaviest, as Whoosh's loop
            block_max: float = heaviest if heaviest > 0 else 0
            known = [length for length in lens[first:end] if length]
            block_min_len = min(known) if known else None
            block_max_len = max(known) if known else 0
            # W3TermInfo.add_block
            total += sum(block_weights)
            minlength = (
                block_min_len if minlength is None else min(minlength, block_min_len)  # type: ignore[type-var]
            )
            maxlength = max(maxlength, block_max_len)
            maxweight = max(maxweight, block_max)
            # W3PostingsWriter._write_block
            block_ids = ids[first:end]
            deltas = tuple(b - a for a, b in zip([0, *block_ids], block_ids, strict=False))
            data = (deltas, _mini_weights(block_weights), self.mini_values(values[first:end]))
            blocks += self.block(
                data,
                end - first,
                block_ids[-1],
                block_max,
                block_min_len,
                block_max_len,
                end == size,
            )
        self.finish_term(
            btext, blocks, total, size, minlength, maxlength, maxweight, ids[0], ids[-1]
        )

    def write_single(
        self, btext: bytes, docnum: int, weight: float, value: bytes | None, length: int | None
    ) -> None:
        """`write_term` for a term with one posting (most terms of a segment), same bytes."""
        stored = _F32.unpack(_F32.pack(weight))[0]  # as array("f") keeps it
        top: float = weight if weight > 0 else 0
        low = length if length else None
        high = length if length else 0
        data = ((docnum,), None if stored == 1.0 else stored, self.mini_values((value,)))
        blocks = self.block(data, 1, docnum, top, low, high, True)
        self.finish_term(btext, blocks, stored, 1, low, high, top, docnum, docnum)

    def block(
        self,
        data: tuple[Any, ...],
        count: int,
        last_id: int,
        maxweight: float,
        minlength: int | None,
        maxlength: int,
        final: bool,
    ) -> list[bytes]:
        """One block's bytes as W3PostingsWriter._write_block writes them: its length
        (negative for the term's last block), its header, then its (compressed) data."""
        pickled = dumps(data, 2)
        comp = self.compression if len(pickled) >= COMPRESS_MIN else 0
        if comp:
            pickled = zlib.compress(pickled, comp)
        info = dumps(
            (count, last_id, maxweight, comp, length_to_byte(minlength), length_to_byte(maxlength)),
            2,
        )
        blocklength = len(info) + len(pickled)
        return [pack_int(-blocklength if final else blocklength), info, pickled]

    def finish_term(
        self,
        btext: bytes,
        blocks: list[bytes],
        weight: float,
        df: int,
        minlength: int | None,
        maxlength: int,
        maxweight: float,
        first_id: int,
        last_id: int,
    ) -> None:
        """The term's postings into the postings file, then its term info (W3TermInfo)
        and its entry in the terms table."""
        chunk = b"".join([whoosh3.WHOOSH3_HEADER_MAGIC, *blocks])
        start = self.postpos
        self.postfile.write(chunk)
        self.postpos += len(chunk)
        terminfo = _TERM_INFO.pack(
            False,
            weight,
            df,
            0 if minlength is None else length_to_byte(minlength),
            length_to_byte(maxlength),
            maxweight,
            first_id,
            last_id,
        )
        self.add_key(
            pack_ushort(self.fw._fieldid) + btext,
            terminfo + pack_long(start) + pack_int(len(chunk)),
        )

    def mini_values(self, values: Sequence[bytes | None]) -> Any:
        """W3PostingsWriter._mini_values (it keeps only non-empty values)."""
        kept = [v for v in values if v]
        fixedsize = self.fixedsize
        if fixedsize is None or fixedsize < 0:
            return tuple(kept)
        if fixedsize == 0:
            return None
        return emptybytes.join(kept)

    def add_key(self, key: bytes, value: bytes) -> None:
        """OrderedHashWriter.add, with the file position counted."""
        tindex = self.tindex
        if key <= tindex.lastkey:
            raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{key!r}")
        pos = self.termpos
        tindex.index.append(pos)
        record = _HASH_LENGTHS.pack(len(key), len(value)) + key + value
        tindex.dbfile.write(record)
        self.termpos += len(record)
        h = tindex.hashfn(key)
        tindex.buckets[h & 255].append((h, pos))
        tindex.lastkey = key


def _mini_weights(weights: Any) -> Any:
    """W3PostingsWriter._mini_weights."""
    if all(w == 1.0 for w in weights):
        return None
    if all(w == weights[0] for w in weights):
        return weights[0]
    return tuple(weights)


_whoosh_pool_add = writing.PostingPool.add


def _pool_add(self: Any, item: tuple[str, bytes, int, float, bytes | None]) -> None:
    """``PostingPool.add`` with the same memory accounting, minus its two type asserts
    per posting (the items come from Whoosh's own writer): a twentieth of indexing."""
    self.fieldnames.add(item[0])
    self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
    if self.currentsize > self.limit:
        self.save()
    self.current.append(item)


_text_index = fields.TEXT.index


# Which TEXT fields use the plain analyzer, by field object (kept here, not on the field:
# Whoosh pickles a field's attributes into the index's schema). Whoosh makes new field
# objects each time it reads the schema, hence the bound.
_PLAIN_FIELDS: dict[int, tuple[Any, bool]] = {}
_PLAIN_FIELDS_LIMIT = 64


def _plain_words(field: Any) -> bool:
    """Whether a TEXT field indexes word positions with the plain analyzer (the names
    of sites, authors and entities), which :func:`analysis.analyse` computes ("xx")."""
    known = _PLAIN_FIELDS.get(id(field))
    if known is not None and known[0] is field:
        return known[1]
    from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
    from whoosh.formats import Positions
    from whoosh.support.charset import accent_map

    from tui_reader.index.analysis import TOKEN_PATTERN

    steps = list(getattr(field.analyzer, "items", ()))
    plain = (
        type(field.format) is Positions
        and [type(step) for step in steps] == [RegexTokenizer, LowercaseFilter, CharsetFilter]
        and steps[0].expression.pattern == TOKEN_PATTERN
        and steps[0].gaps is False
        and steps[2].charmap == accent_map
    )
    if len(_PLAIN_FIELDS) >= _PLAIN_FIELDS_LIMIT:
        _PLAIN_FIELDS.clear()
    _PLAIN_FIELDS[id(field)] = (field, plain)  # the field kept alive: its id stays its own
    return plain


def _text_index_fast(self: Any, value: Any, **kwargs: Any) -> Any:
    """``TEXT.index`` for the plain-analyzer fields through the indexing fast path: the
    same terms, frequencies, weights and positions as Whoosh's token pipeline (a test
    compares them), without a token object per word."""
    if kwargs or not isinstance(value, str) or not _plain_words(self):
        return _text_index(self, value, **kwargs)
    from tui_reader.index.analysis import analyse
    from tui_reader.index.fields import analysed_postings

    return analysed_postings(analyse(value, "xx"), self.format.field_boost)


def apply() -> None:
    """Install the patches (idempotent)."""
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    whoosh3.W3TermsReader._range_for_key = _range_for_key
    whoosh3.W3TermsReader.__contains__ = _contains
    whoosh3.W3TermsReader.term_info = _term_info
    base.FieldWriter.add_postings = _add_postings_preloaded
    fields.TEXT.index = _text_index_fast
    writing.PostingPool.add = _pool_add
