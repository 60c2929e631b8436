"""Whole-list query evaluation: every matching document's score in one pass per term.

Whoosh walks a query's matchers a document at a time: for each document, a method call
per field per word to move, another to score, a column read for the field length. With
every word searched in six fields, that is tens of Python calls per candidate document,
and it is most of a search's time. Here each term's posting list is read whole, block by
block (as Whoosh stores it), and scored in one comprehension against the field lengths
loaded once per segment; ``And`` and ``Or`` are then set operations on dictionaries,
which run in C.

The scores are Whoosh's BM25F (same statistics, same formula, same boosts), so rankings
match the document-at-a-time path. Query shapes this module does not know raise
:class:`Unsupported`, and the caller falls back to Whoosh's own search.
"""

from __future__ import annotations

import heapq
import pickle
from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import accumulate
from typing import Any

from whoosh import formats
from whoosh import query as wq
from whoosh.formats import _INT_SIZE
from whoosh.matching import ListMatcher
from whoosh.scoring import BM25F

from tui_reader.index.matching import ColumnRange, HeapOr, column_values
from tui_reader.index.patches import BYTE_TO_LENGTH, field_length_bytes

Scores = dict[int, float]


class _Within:
    """The documents a part of a query may still match: the survivors of an AND's
    earlier parts. Posting blocks holding none of them are not decoded."""

    __slots__ = ("docs", "_ordered")

    def __init__(self, docs: Collection[int]) -> None:
        self.docs = docs
        self._ordered: list[int] | None = None

    @property
    def ordered(self) -> list[int]:
        if self._ordered is None:
            self._ordered = sorted(self.docs)
        return self._ordered


Docs = _Within | None


class Unsupported(Exception):
    """The query has a part this evaluator does not handle; use Whoosh's search."""


class _Statistics:
    """What BM25F takes from the whole index: IDF, average field lengths, K1 and B."""

    def __init__(self, searcher: Any) -> None:
        weighting = searcher.weighting
        if type(weighting) is not BM25F or weighting._field_B:
            raise Unsupported("only plain BM25F is reproduced")
        self.searcher = searcher
        self.schema = searcher.schema
        self.k1 = float(weighting.K1)
        self.b = float(weighting.B)
        self._idf: dict[tuple[str, bytes], float] = {}

    def idf(self, field: str, text: bytes) -> float:
        key = (field, text)
        value = self._idf.get(key)
        if value is None:
            value = self._idf[key] = float(self.searcher.idf(field, text))
        return value

    def avg_length(self, field: str) -> float:
        return float(self.searcher.avg_field_length(field) or 1)


class Evaluator:
    """Evaluates queries against one searcher (one snapshot of the index)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        stats = _Statistics(searcher)
        self._segments = [
            _Segment(stats, sub.reader(), offset) for sub, offset in searcher.leaf_searchers()
        ]

    # -- queries ---------------------------------------------------------------------

    def top(
        self, q: Any, limit: int, sort_by_date: bool = False
    ) -> tuple[list[tuple[int, float]], int]:
        """The first ``limit`` (document, score) pairs in order, and how many match.

        Relevance order breaks ties to the lower document number and date order (newest
        first, from the ``sortdate`` column) to the higher one, as Whoosh does.

        Raises:
            Unsupported: for a query shape Whoosh must run.
        """
        if isinstance(q, wq.Not):
            raise Unsupported("a query of only NOT")
        limit = max(limit, 0)
        total = 0
        # (sort key, document, score); dates stay integers (beyond a float's precision)
        best: list[tuple[float, int, float]] = []
        for segment in self._segments:
            scores = segment.evaluate(q, None)
            for doc in segment.deleted:
                scores.pop(doc, None)
            total += len(scores)
            if not scores:
                continue
            if sort_by_date:
                dates = segment.column("sortdate")
                keys: Mapping[int, float] = {d: dates[d] if d < len(dates) else 0 for d in scores}
            else:
                keys = scores
            offset = segment.offset
            first = _first(keys, limit, sort_by_date)
            best.extend((keys[d], d + offset, scores[d]) for d in first)
        tie = -1 if sort_by_date else 1
        best.sort(key=lambda item: (-item[0], tie * item[1]))
        return [(doc, score) for _, doc, score in best[:limit]], total


def _first(keys: Mapping[int, float], limit: int, ties_high: bool) -> list[int]:
    """The ``limit`` documents with the highest keys; ties to the lowest document, or
    the highest with ``ties_high``."""
    if len(keys) <= limit:
        return list(keys)
    if limit == 0:
        return []
    kth = heapq.nlargest(limit, keys.values())[-1]
    above = [d for d, k in keys.items() if k > kth]
    pick = heapq.nlargest if ties_high else heapq.nsmallest
    tied = pick(limit - len(above), (d for d, k in keys.items() if k == kth))
    return above + tied


class _Segment:
    """One segment's part of an evaluation, with its field lengths cached."""

    def __init__(self, stats: _Statistics, reader: Any, offset: int) -> None:
        terms = getattr(reader, "_terms", None)
        perdoc = getattr(reader, "_perdoc", None)
        if terms is None or perdoc is None:
            raise Unsupported("not a plain segment reader")
        self.stats = stats
        self.reader = reader
        self.offset = offset
        self.doc_count = int(reader.doc_count_all())
        self.deleted = frozenset(perdoc.deleted_docs()) if reader.has_deletions() else frozenset()
        self._terms = terms
        self._perdoc = perdoc
        self._norms: dict[str, list[float]] = {}

    # -- building blocks -------------------------------------------------------------

    def column(self, field: str) -> list[int]:
        if not self.reader.has_column(field):
            return []
        return column_values(self.reader, field)

    def norms(self, field: str) -> list[float]:
        """Per document, the length part of BM25's denominator: K1·(1 − B + B·len/avg)."""
        norms = self._norms.get(field)
        if norms is None:
            k1, b = self.stats.k1, self.stats.b
            avg = self.stats.avg_length(field)
            lengths = self._lengths(field)
            table = [k1 * ((1 - b) + b * length / avg) for length in BYTE_TO_LENGTH]
            if lengths is None:  # no length column: Whoosh scores with a length of 1
                norms = [k1 * ((1 - b) + b / avg)] * self.doc_count
            else:
                norms = [table[byte] for byte in lengths]
            self._norms[field] = norms
        return norms

    def _lengths(self, field: str) -> bytes | None:
        raw = field_length_bytes(self._perdoc, field)
        if raw is None:
            return None
        return raw[: self.doc_count] + bytes(max(self.doc_count - len(raw), 0))

    def postings(
        self, field: str, text: bytes, values: bool = False, within: Docs = None
    ) -> tuple[Any, ...] | None:
        """(ids, weights[, values]) of a term in this segment, or None when absent.

        With ``within``, blocks that cannot hold one of its documents are skipped
        (their header gives the last document; the data is never decoded), so the
        lists may hold only part of the term's postings.
        """
        if (field, text) not in self.reader:
            return None
        fmt = self.schema_field(field).format
        m = self._terms.matcher(field, text, fmt)
        if isinstance(m, ListMatcher):
            ids = list(m._ids)
            weights = list(m._weights) if m._weights is not None else [1.0] * len(ids)
            found: tuple[Any, ...] = (ids, weights)
            if values:
                found += (list(m._values) if m._values is not None else [None] * len(ids),)
            return found
        wanted = within.ordered if within is not None else None
        next_wanted = 0
        ids_out: list[int] = []
        weights_out: list[float] = []
        values_out: list[Any] = []
        first = 0  # the lowest document the current block can hold
        while m.is_active():
            last = m._maxid
            if wanted is not None:
                next_wanted = bisect_left(wanted, first, next_wanted)
                if next_wanted == len(wanted):
                    break
                if wanted[next_wanted] > last:
                    first = last + 1
                    m._next_block()
                    continue
            m._read_ids()
            m._read_weights()
            ids_out.extend(m._ids)
            weights_out.extend(m._weights)
            if values:
                m._read_values()
                values_out.extend(m._values)
            first = last + 1
            m._next_block()
        return (ids_out, weights_out, values_out) if values else (ids_out, weights_out)

    def schema_field(self, field: str) -> Any:
        return self.stats.schema[field]

    def _term_scores(
        self, field: str, text: bytes, ids: Sequence[int], weights: Any, within: Docs
    ) -> Scores:
        pairs: Iterable[tuple[int, float]] = zip(ids, weights, strict=True)
        if within is not None:
            docs = within.docs
            pairs = [(d, w) for d, w in pairs if d in docs]
        if not self.schema_field(field).scorable:  # Whoosh scores these by weight alone
            return {d: float(w) for d, w in pairs}
        factor = self.stats.idf(field, text) * (self.stats.k1 + 1)
        norms = self.norms(field)
        return {d: factor * w / (w + norms[d]) for d, w in pairs}

    # -- the query tree --------------------------------------------------------------

    def evaluate(self, q: Any, within: Docs) -> Scores:
        """The documents matching ``q`` (only among ``within`` when given), scored."""
        kind = type(q)
        if q is wq.NullQuery or isinstance(q, wq.qcore._NullQuery):
            return {}
        if kind is wq.Term:
            scores = self._term(q, within)
        elif kind is wq.Or or kind is HeapOr:
            if q.minmatch or q.scale:
                raise Unsupported("Or with minmatch or scale")
            scores = _union([self.evaluate(sub, within) for sub in q.subqueries])
        elif kind is wq.And:
            scores = self._and(q.subqueries, within)
        elif kind is wq.AndNot:
            scores = self.evaluate(q.a, within)
            if scores:
                scores = _without(scores, self.evaluate(q.b, _Within(scores.keys())))
        elif kind is wq.Phrase:
            scores = self._phrase(q, within)
        elif kind is ColumnRange:
            return self._range(q, within)
        else:
            raise Unsupported(f"query type {kind.__name__}")
        if q.boost != 1.0 and scores:
            boost = q.boost
            scores = {d: s * boost for d, s in scores.items()}
        return scores

    def _term(self, q: Any, within: Docs) -> Scores:
        field = q.fieldname
        if field not in self.stats.schema:
            return {}
        try:
            text = self.schema_field(field).to_bytes(q.text)
        except ValueError:
            return {}
        found = self.postings(field, text, within=within)
        if found is None:
            return {}
        return self._term_scores(field, text, found[0], found[1], within)

    def _and(self, subs: Sequence[Any], within: Docs) -> Scores:
        """Cheap parts first; each later part is evaluated only on what is left."""
        negatives = [s.query for s in subs if isinstance(s, wq.Not)]
        positives = [s for s in subs if not isinstance(s, wq.Not)]
        if not positives:
            raise Unsupported("an AND of only NOT")
        positives.sort(key=self._cost)
        scores: Scores | None = None
        for sub in positives:
            part = self.evaluate(sub, within if scores is None else _Within(scores.keys()))
            scores = part if scores is None else _intersection(scores, part)
            if not scores:
                return {}
        assert scores is not None
        for negative in negatives:
            # Whoosh matches a NOT inside an AND with a constant score of 1.
            excluded = self.evaluate(negative, _Within(scores.keys()))
            scores = {d: s + 1.0 for d, s in scores.items() if d not in excluded}
            if not scores:
                return {}
        return scores

    def _cost(self, q: Any) -> tuple[int, int]:
        """Evaluation order within an AND: ranges and phrases last, then by size."""
        if type(q) is ColumnRange:
            return (2, 0)
        if any(type(leaf) is wq.Phrase for leaf in q.leaves()) or type(q) is wq.Phrase:
            return (1, 0)
        try:
            return (0, int(q.estimate_size(self.reader)))
        except Exception:  # an estimate is only an ordering hint
            return (0, self.doc_count)

    def _range(self, q: ColumnRange, within: Docs) -> Scores:
        """A date range: its documents (among ``within``), at the range's constant score,
        as Whoosh's matcher gives them."""
        values = self.column(q.fieldname)
        if not values:
            return {}
        low, high = q.bounds()
        boost = float(q.boost)
        if within is None:
            return {d: boost for d, v in enumerate(values) if low <= v <= high}
        return {d: boost for d in within.docs if low <= values[d] <= high}

    def _phrase(self, q: Any, within: Docs) -> Scores:
        field = q.fieldname
        if field not in self.stats.schema or not q.words:
            return {}
        schema_field = self.schema_field(field)
        fmt = schema_field.format
        if not fmt or not fmt.supports("positions"):
            raise Unsupported("phrase on a field without positions")
        lists = []
        for word in q.words:
            try:
                text = schema_field.to_bytes(word)
            except ValueError:
                return {}
            found = self.postings(field, text, values=True, within=within)
            if found is None:
                return {}
            lists.append((text, found))
        # Candidates: documents with every word (and in ``within``).
        shortest: list[int] = min((found[0] for _, found in lists), key=len)
        candidates = set(shortest)
        if within is not None:
            candidates.intersection_update(within.docs)
        for _, (ids, _w, _v) in lists:
            candidates.intersection_update(ids)
            if not candidates:
                return {}
        where = [{d: i for i, d in enumerate(ids) if d in candidates} for _, (ids, _w, _v) in lists]
        decode = _positions if type(fmt) is formats.Positions else fmt.decode_positions
        slop = max(int(q.slop), 1)
        values = [found[2] for _, found in lists]
        matched = [
            doc
            for doc in candidates
            if _in_order([decode(v[w[doc]]) for v, w in zip(values, where, strict=True)], slop)
        ]
        if not matched:
            return {}
        # A phrase scores as the sum of its words' scores (Whoosh's SpanNear2).
        keep = set(matched)
        scores: Scores = dict.fromkeys(matched, 0.0)
        for text, (ids, weights, _v) in lists:
            for d, s in self._term_scores(field, text, ids, weights, _Within(keep)).items():
                scores[d] += s
        return scores


def _positions(value: bytes) -> list[int]:
    """Whoosh's ``Positions.decode_positions`` without its Python loop."""
    body = value[_INT_SIZE:]
    return list(accumulate(pickle.loads(body if body.endswith(b".") else body + b".")))


def _in_order(positions: Sequence[Sequence[int]], slop: int) -> bool:
    """True when the words occur in order, each 1 to ``slop`` positions after the last
    (Whoosh's ``SpanNear2(ordered=True, mindist=1)``)."""
    ends = set(positions[0])
    for following in positions[1:]:
        if slop == 1:
            ends = {p for p in following if p - 1 in ends}
        else:
            ends = {p for p in following if any(1 <= p - e <= slop for e in ends)}
        if not ends:
            return False
    return True


def _union(parts: Iterable[Scores]) -> Scores:
    ordered = sorted((p for p in parts if p), key=len, reverse=True)
    if not ordered:
        return {}
    total = dict(ordered[0])
    get = total.get
    for part in ordered[1:]:
        for d, s in part.items():
            total[d] = get(d, 0.0) + s
    return total


def _intersection(a: Scores, b: Scores) -> Scores:
    if len(a) > len(b):
        a, b = b, a
    return {d: s + b[d] for d, s in a.items() if d in b}


def _without(a: Scores, b: Scores) -> Scores:
    if not b:
        return a
    return {d: s for d, s in a.items() if d not in b}
