"""The index schema and how an archived article becomes an index document.

Titles and bodies are indexed once per analyzer family (``_id``, ``_en``, ``_xx``)
so each article is stemmed in its own language, and a query is analysed for each
family. Bodies are not stored: the archive has them.
"""

from __future__ import annotations

from typing import Any

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema

from tui_reader.index.analysis import (
    english_analyzer,
    indonesian_analyzer,
    keyword_analyzer,
    language_kind,
    plain_analyzer,
)
from tui_reader.models import IndexDoc

KINDS = ("id", "en", "xx")
TITLE_BOOST = 2.0
TITLE_FIELDS = tuple(f"title_{k}" for k in KINDS)
BODY_FIELDS = tuple(f"body_{k}" for k in KINDS)
TEXT_FIELDS = TITLE_FIELDS + BODY_FIELDS
FIELD_BOOSTS = {name: TITLE_BOOST for name in TITLE_FIELDS}
# A query's ``title:`` and ``body:`` mean "in whatever language the article is".
FIELD_ALIASES = {"title": TITLE_FIELDS, "body": BODY_FIELDS, "text": BODY_FIELDS}
ENTITY_FIELDS = {"PER": "person", "ORG": "org", "LOC": "place"}
USER_FIELDS = ("title", "body", "site", "author", "tag", "lang", "date", "is", "feed") + tuple(
    ENTITY_FIELDS.values()
)


def build_schema() -> Schema:
    """A new schema (analyzers included)."""
    analyzers = {"id": indonesian_analyzer, "en": english_analyzer, "xx": plain_analyzer}
    fields: dict[str, Any] = {
        "article_id": NUMERIC(int, bits=64, stored=True, unique=True, signed=False),
        "site": TEXT(analyzer=keyword_analyzer()),
        "author": TEXT(analyzer=keyword_analyzer()),
        "tag": KEYWORD(lowercase=True, commas=True),
        "lang": ID(),
        "is": KEYWORD(lowercase=True),
        "feed": ID(),
        "date": DATETIME(),
        "sortdate": DATETIME(sortable=True),
    }
    for kind, make in analyzers.items():
        fields[f"title_{kind}"] = TEXT(analyzer=make(), field_boost=TITLE_BOOST, spelling=True)
        fields[f"body_{kind}"] = TEXT(analyzer=make(), spelling=True)
    for name in ENTITY_FIELDS.values():
        fields[name] = TEXT(analyzer=keyword_analyzer())
    return Schema(**fields)


def index_fields(doc: IndexDoc) -> dict[str, Any]:
    """The field values of one article's index document."""
    kind = language_kind(doc.lang)
    flags = ["read" if doc.is_read else "unread"]
    if doc.is_starred:
        flags.append("starred")
    values: dict[str, Any] = {
        "article_id": doc.id,
        f"title_{kind}": doc.title,
        f"body_{kind}": doc.text,
        "lang": (doc.lang or "unknown").lower(),
        "is": " ".join(flags),
        "sortdate": doc.published or doc.added,
    }
    optional: dict[str, Any] = {
        "site": doc.site,
        "author": doc.author,
        "tag": ",".join(t.lower() for t in doc.tags) or None,
        "feed": str(doc.feed_id) if doc.feed_id is not None else None,
        "date": doc.published,
    }
    values.update({k: v for k, v in optional.items() if v})
    for entity_type, field in ENTITY_FIELDS.items():
        names = [e.name for e in doc.entities if e.type == entity_type]
        if names:
            # A line per name; a phrase across two names is a rare, harmless match.
            values[field] = "\n".join(names)
    return values
