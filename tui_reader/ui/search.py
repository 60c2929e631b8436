"""How the search box turns what is being typed into a query (no Textual here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from tui_reader.models import SortOrder

Which = Literal["all", "unread", "starred"]
_PLAIN_WORD = re.compile(r"\w{3,}$")  # shorter prefixes match too much to help
_OPERATORS = {"and", "or", "not", "to"}

# A half-typed word stands for its most common completions only: enough to show the
# article being looked for, few enough to answer before the next keystroke.
TYPING_EXPANSION = 8


@dataclass(frozen=True, slots=True)
class ListSource:
    """What the article list shows: a query and/or a filter, and the order."""

    query: str = ""
    which: Which = "all"
    feed_id: int | None = None
    tag: str | None = None
    sort: SortOrder = "relevance"
    # Enter was pressed: the query is finished, so a "did you mean" is worth its cost.
    submitted: bool = False

    @property
    def is_search(self) -> bool:
        """True when the index answers (a query was typed)."""
        return bool(self.query.strip())

    def index_query(self) -> str:
        """The query sent to the index, with the sidebar's filter folded in."""
        parts = [f"({typed_query(self.query)})"]
        if self.which != "all":
            parts.append(f"is:{self.which}")
        if self.tag is not None:
            parts.append(f'tag:"{self.tag}"')
        if self.feed_id is not None:
            parts.append(f"feed:{self.feed_id}")
        return " ".join(parts)

    def effective_sort(self) -> SortOrder:
        """Date order when there is no query to rank by."""
        return self.sort if self.is_search else "date"


def typed_query(text: str) -> str:
    """Treat the last word being typed as the start of a title word too:
    ``kim jon`` -> ``kim (jon OR title:jon*)``.

    Only a plain last word of three letters or more is widened (no field, quote,
    wildcard or operator). A finished word still matches its stemmed form anywhere; a
    half-typed one matches titles early. Completing it in titles only keeps each
    keystroke fast on a large archive (a body-wide ``ber*`` touches most articles).
    """
    stripped = text.rstrip()
    if not stripped or stripped != text or stripped.count('"') % 2:
        return stripped
    head, _, last = stripped.rpartition(" ")
    if not _PLAIN_WORD.fullmatch(last) or last.lower() in _OPERATORS:
        return stripped
    widened = f"({last} OR title:{last}*)"
    return f"{head} {widened}" if head else widened


def entity_query(name: str, kind: str) -> str:
    """The query for every article mentioning an entity."""
    field = {"PER": "person", "ORG": "org", "LOC": "place"}.get(kind.upper())
    quoted = '"' + name.replace('"', " ") + '"'
    return f"{field}:{quoted}" if field else quoted
