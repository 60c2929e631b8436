"""Parsing the search language, and keeping wildcard expansions bounded.

The syntax is Whoosh's (AND/OR/NOT, ``"phrases"``, ``*`` wildcards, ``field:value``,
``date:`` ranges) over our fields, with ``title:``/``body:`` meaning every language.
"""

from __future__ import annotations

import copy
import re
from itertools import islice
from typing import Any

from whoosh import qparser
from whoosh import query as wq
from whoosh.qparser import syntax

from tui_reader.errors import QueryError
from tui_reader.index.analysis import plain_analyzer, word_normalizer
from tui_reader.index.fields import (
    FIELD_ALIASES,
    FIELD_BOOSTS,
    STEMMED_FIELDS,
    TEXT_FIELDS,
    USER_FIELDS,
)
from tui_reader.index.matching import ColumnRange, HeapOr
from tui_reader.index.vocabulary import Vocabulary, WordReader

MAX_QUERY_CHARS = 2000
MAX_RAW_EXPANSION = 5000
_DATE_VALUE = re.compile(r"\d{4}(?:-?\d{2}(?:-?\d{2})?)?")
# A bare date ends at a space or a closing bracket: "(banjir date:2019)" is how the search
# box sends a typed query.
_DATE_TERM = re.compile(r"\bdate:(\[[^\]]*\]|\{[^}]*\}|[<>]=?[^\s)]*|[^\s)]*)", re.I)
_FOLD = plain_analyzer()
_PAIRS = {"(": ")", "[": "]", "{": "}"}


class FieldAliasPlugin(qparser.Plugin):  # type: ignore[misc]
    """Turns ``title:x`` into ``(title_id:x OR title_en:x OR title_xx:x)``."""

    def __init__(self, aliases: dict[str, tuple[str, ...]]) -> None:
        self.aliases = aliases

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        # After FieldsPlugin names the fields (100), before MultifieldPlugin (110).
        return [(self.fan_out, 105)]

    def fan_out(self, parser: Any, group: Any) -> Any:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.fan_out(parser, node)
            elif node.has_fieldname and node.fieldname in self.aliases:
                copies = []
                for name in self.aliases[node.fieldname]:
                    twin = copy.copy(node)
                    twin.set_fieldname(name, override=True)
                    twin.set_boost(FIELD_BOOSTS.get(name, 1.0))
                    copies.append(twin)
                group[i] = syntax.OrGroup(copies)
        return group


class ReaderQueryParser(qparser.QueryParser):  # type: ignore[misc]
    """Whoosh's parser, except that wildcard patterns are not stemmed.

    Whoosh runs ``mengata*`` through the field's analyzer, and Sastrawi turns it into
    ``kata*``. We keep the typed pattern (lower-cased, accent-folded) and expand it over
    the field's unstemmed words in :func:`cap_expansions`.
    """

    def term_query(
        self,
        fieldname: str,
        text: str,
        termclass: Any,
        boost: float = 1.0,
        tokenize: bool = True,
        removestops: bool = True,
    ) -> Any:
        if isinstance(termclass, type) and issubclass(termclass, wq.MultiTerm):
            folded = "".join(t.text for t in _FOLD(text, tokenize=False))
            return termclass(fieldname, folded, boost=boost)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)


def make_parser(schema: Any) -> Any:
    """A query parser over every language's title and body."""
    parser = ReaderQueryParser(None, schema, group=qparser.AndGroup)
    parser.remove_plugin_class(qparser.FieldsPlugin)
    parser.add_plugin(qparser.FieldsPlugin(remove_unknown=False))
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(qparser.MultifieldPlugin(list(TEXT_FIELDS), fieldboosts=FIELD_BOOSTS))
    parser.add_plugin(qparser.GtLtPlugin())
    return parser


def check_syntax(text: str) -> None:
    """Reject what Whoosh would silently misread: unbalanced quotes and brackets.

    Raises:
        QueryError: naming the problem.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    if text.count('"') % 2:
        raise QueryError('unbalanced quote: a phrase needs a closing "')
    stack: list[str] = []
    in_phrase = False
    for char in text:
        if char == '"':
            in_phrase = not in_phrase
        elif in_phrase:
            continue
        elif char in _PAIRS:
            stack.append(_PAIRS[char])
        elif char in _PAIRS.values() and (not stack or stack.pop() != char):
            raise QueryError(f"unbalanced brackets: unexpected {char!r}")
    if stack:
        raise QueryError(f"unbalanced brackets: missing {stack[-1]!r}")
    _check_dates(text)


def _check_dates(text: str) -> None:
    for match in _DATE_TERM.finditer(text):
        value = match.group(1)
        if value[:1] in "[{":
            ends = re.split(r"\s+to\s+", value[1:-1].strip(), flags=re.I)
        else:
            ends = [value.lstrip("<>=")]
        for end in ends:
            if end and not _DATE_VALUE.fullmatch(end.strip()):
                raise QueryError(
                    f"date:{value}: use a date like 2023, 2023-09, 2023-09-16, "
                    "[2023-09-01 to 2023-09-30] or >2023-09-01"
                )


def parse_query(parser: Any, text: str) -> Any:
    """Parse ``text``; errors become :class:`QueryError` with a readable message."""
    check_syntax(text)
    try:
        parsed = parser.parse(text)
    except Exception as exc:  # Whoosh raises assorted errors on odd input
        raise QueryError(f"cannot understand the query ({exc})") from None
    _check_fields(parsed)
    return parsed


def _check_fields(q: Any) -> None:
    for leaf in _leaves(q):
        if isinstance(leaf, wq.qcore._NullQuery):
            continue
        if getattr(leaf, "error", None):
            raise QueryError(f"{leaf.fieldname}: {leaf.error}")
        name = getattr(leaf, "fieldname", None)
        if name is not None and name not in parser_fields():
            known = ", ".join(f"{f}:" for f in USER_FIELDS)
            raise QueryError(f"unknown field {name}: (known fields: {known})")


def parser_fields() -> frozenset[str]:
    """Field names a parsed query may contain."""
    from tui_reader.index.fields import ENTITY_FIELDS

    internal = {"site", "author", "tag", "lang", "is", "feed", "date"}
    return frozenset(TEXT_FIELDS) | internal | frozenset(ENTITY_FIELDS.values())


def _leaves(q: Any) -> list[Any]:
    if q.is_leaf():
        return [q]
    found: list[Any] = []
    for child in q.children():
        found.extend(_leaves(child))
    return found


def cap_expansions(
    q: Any, reader: Any, limit: int, vocabulary: Vocabulary | None = None
) -> tuple[Any, list[str]]:
    """Expand wildcards and prefixes over the words people type, bounded.

    A prefix such as ``berkunj*`` is matched against the unstemmed words of the field's
    language (the ``vocabulary``) and each match is analysed to the stem that is indexed, so it
    finds ``kunjungan`` too. When a pattern matches more than ``limit`` stems, only the
    ``limit`` most frequent are searched. Returns the new query and the capped patterns.
    """
    capped: list[str] = []

    def visit(node: Any) -> Any:
        if isinstance(node, wq.NumericRange) and node.fieldname == "date":
            return _date_range(node)
        if isinstance(node, wq.MultiTerm):
            words = _expand(node, reader, limit, vocabulary)
            if len(words) > limit:
                field = node.fieldname
                words = sorted(words, key=lambda w: reader.doc_frequency(field, w), reverse=True)
                words = words[:limit]
                if node.text not in capped:
                    capped.append(node.text)
            terms = [wq.Term(node.fieldname, w, boost=node.boost) for w in words]
            return HeapOr(terms) if terms else wq.NullQuery
        if node.is_leaf():
            return node
        node = node.apply(visit)
        if type(node) is wq.Or:  # a word in every field, a field alias: many alternatives
            return HeapOr(node.subqueries, boost=node.boost, minmatch=node.minmatch)
        return node

    return visit(q), capped


def _date_range(node: Any) -> Any:
    """A ``date:`` range, checked against the publication-date column."""
    start, end = node.start, node.end
    if start is not None and node.startexcl:
        start += 1
    if end is not None and node.endexcl:
        end -= 1
    return ColumnRange("datecol", start, end, boost=node.boost)


def _expand(node: Any, reader: Any, limit: int, vocabulary: Vocabulary | None) -> list[str]:
    """The indexed words a wildcard/prefix node stands for.

    Shorter words are taken first (they are the common ones a half-typed word is
    heading for), and at most ``4 * limit`` distinct stems are gathered, so a one-letter
    prefix costs no more than a long one.
    """
    field = node.fieldname
    if field not in STEMMED_FIELDS or vocabulary is None or not isinstance(node, wq.PatternQuery):
        plain = [_text(w) for w in islice(node._btexts(reader), MAX_RAW_EXPANSION)]
        return sorted(plain, key=len)[: 4 * limit]
    if isinstance(node, wq.Prefix):
        words = vocabulary.shortest_with_prefix(field, node.text, MAX_RAW_EXPANSION)
    else:
        listed = islice(node._btexts(WordReader(vocabulary, reader.schema)), MAX_RAW_EXPANSION)
        words = sorted((_text(w) for w in listed), key=len)
    normalize = word_normalizer(field.rsplit("_", 1)[-1])
    stems: dict[str, None] = {}
    for word in words:
        stem = normalize(word)
        if stem and stem not in stems and (field, stem) in reader:
            stems[stem] = None
            if len(stems) >= 4 * limit:
                break
    return list(stems)


def _text(word: bytes | str) -> str:
    return word.decode("utf-8") if isinstance(word, bytes) else word
