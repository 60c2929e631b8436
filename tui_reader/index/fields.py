"""The index schema and how an archived article becomes an index document.

Titles and bodies are indexed once per analyzer family (``_id``, ``_en``, ``_xx``)
so each article is stemmed in its own language, and a query is analysed for each
family. Bodies are not stored: the archive has them.
"""

from __future__ import annotations

import pickle
import struct
from collections.abc import Iterator
from typing import Any

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.util.times import datetime_to_long

from tui_reader.index.analysis import (
    Analysed,
    analyse,
    english_analyzer,
    indonesian_analyzer,
    keyword_analyzer,
    language_kind,
    plain_analyzer,
)
from tui_reader.models import IndexDoc

KINDS = ("id", "en", "xx")
STEMMED_KINDS = ("id", "en")  # their terms are stems: the vocabulary keeps the words
TITLE_BOOST = 2.0
TITLE_FIELDS = tuple(f"title_{k}" for k in KINDS)
BODY_FIELDS = tuple(f"body_{k}" for k in KINDS)
TEXT_FIELDS = TITLE_FIELDS + BODY_FIELDS
FIELD_BOOSTS = {name: TITLE_BOOST for name in TITLE_FIELDS}
# A query's ``title:`` and ``body:`` mean "in whatever language the article is".
FIELD_ALIASES = {"title": TITLE_FIELDS, "body": BODY_FIELDS, "text": BODY_FIELDS}
# Fields whose terms are stems: the vocabulary keeps their words as written.
STEMMED_FIELDS = tuple(f for f in TEXT_FIELDS if f.rsplit("_", 1)[1] in STEMMED_KINDS)
ENTITY_FIELDS = {"PER": "person", "ORG": "org", "LOC": "place"}
USER_FIELDS = ("title", "body", "site", "author", "tag", "lang", "date", "is", "feed") + tuple(
    ENTITY_FIELDS.values()
)


ANALYZERS = {"id": indonesian_analyzer, "en": english_analyzer, "xx": plain_analyzer}


class AnalysedText(TEXT):  # type: ignore[misc]
    """A text field of one analyzer family whose documents are analysed by
    :func:`~tui_reader.index.analysis.analyse` (queries still go through the analyzer).

    Whoosh pickles the schema into the index: renaming this class or its module makes old
    indexes unreadable (they are then rebuilt from the archive).
    """

    def __init__(self, kind: str, field_boost: float = 1.0) -> None:
        super().__init__(analyzer=ANALYZERS[kind](), field_boost=field_boost)
        self.kind = kind

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """(term, frequency, weight, encoded positions) for each term of ``value``, a
        string or its :class:`Analysed` form."""
        analysed = value if isinstance(value, Analysed) else analyse(value, self.kind)
        return analysed_postings(analysed, self.format.field_boost)


def analysed_postings(
    analysed: Analysed, boost: float
) -> Iterator[tuple[bytes, int, float, bytes]]:
    """What Whoosh's ``Positions`` format makes of a text, from its analysed form:
    (term, frequency, weight, encoded positions) for each term."""
    for term, positions in analysed.positions.items():
        count = len(positions)
        yield term.encode("utf-8"), count, count * boost, encode_positions(positions)


_COUNT = struct.Struct("!I")  # Whoosh's pack_uint
# Most words occur once in a document: their encoding is looked up, not pickled (filled
# as positions are met, so that a process that only searches never builds it).
_ONE_POSITION: dict[int, bytes] = {}
_ONE_POSITION_LIMIT = 4096


def encode_positions(positions: list[int]) -> bytes:
    """The bytes of Whoosh's ``Positions.encode`` (the count, then the pickled gaps)."""
    if len(positions) == 1 and (position := positions[0]) < _ONE_POSITION_LIMIT:
        encoded = _ONE_POSITION.get(position)
        if encoded is None:
            encoded = _ONE_POSITION[position] = _COUNT.pack(1) + pickle.dumps(positions, 2)
        return encoded
    gaps = [b - a for a, b in zip([0, *positions], positions, strict=False)]
    return _COUNT.pack(len(gaps)) + pickle.dumps(gaps, 2)


def build_schema() -> Schema:
    """A new schema (analyzers included)."""
    fields: dict[str, Any] = {
        # Looked up by exact value only: one term (Whoosh's default indexes 16 precisions
        # per number for range queries, a third of a short article's postings).
        "article_id": NUMERIC(int, bits=64, stored=True, unique=True, signed=False, shift_step=0),
        "site": TEXT(analyzer=keyword_analyzer()),
        "author": TEXT(analyzer=keyword_analyzer()),
        "tag": KEYWORD(lowercase=True, commas=True),
        "lang": ID(),
        "is": KEYWORD(lowercase=True),
        "feed": ID(),
        "date": DATETIME(),  # for the parser's date syntax only: values go to datecol
        # For sorting only: a column, not indexed.
        "sortdate": COLUMN(NumericColumn("q")),
        # The publication date again, as a column: date ranges are checked against it.
        "datecol": COLUMN(NumericColumn("q")),
    }
    for kind in KINDS:
        fields[f"title_{kind}"] = AnalysedText(kind, field_boost=TITLE_BOOST)
        fields[f"body_{kind}"] = AnalysedText(kind)
    for name in ENTITY_FIELDS.values():
        fields[name] = TEXT(analyzer=keyword_analyzer())
    return Schema(**fields)


def index_fields(doc: IndexDoc) -> dict[str, Any]:
    """The field values of one article's index document; its title and body are given
    in their :class:`Analysed` form (the vocabulary takes their words too)."""
    kind = language_kind(doc.lang)
    flags = ["read" if doc.is_read else "unread"]
    if doc.is_starred:
        flags.append("starred")
    values: dict[str, Any] = {
        "article_id": doc.id,
        f"title_{kind}": analyse(doc.title, kind),
        f"body_{kind}": analyse(doc.text, kind),
        "lang": (doc.lang or "unknown").lower(),
        "is": " ".join(flags),
        "sortdate": datetime_to_long(doc.published or doc.added),
    }
    optional: dict[str, Any] = {
        "site": doc.site,
        "author": doc.author,
        "tag": ",".join(t.lower() for t in doc.tags) or None,
        "feed": str(doc.feed_id) if doc.feed_id is not None else None,
        # date: queries are answered from the column; the DATETIME field (never given
        # a value) is there for the query parser's date syntax.
        "datecol": datetime_to_long(doc.published) if doc.published else None,
    }
    values.update({k: v for k, v in optional.items() if v})
    for entity_type, field in ENTITY_FIELDS.items():
        names = [e.name for e in doc.entities if e.type == entity_type]
        if names:
            # A line per name; a phrase across two names is a rare, harmless match.
            values[field] = "\n".join(names)
    return values
