"""Canonicalisation: group an article's mentions into one entity per real-world name."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

_SPACE = re.compile(r"\s+")
_TYPE_ORDER = {"PER": 0, "ORG": 1, "LOC": 2}


class Mention(Protocol):
    """What canonicalisation needs from a mention (the public `Entity`)."""

    @property
    def text(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(slots=True)
class Group:
    """Mentions that share one normalised key."""

    key: tuple[str, ...]
    forms: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    spans: list[tuple[int, int]] = field(default_factory=list)

    def absorb(self, other: Group) -> None:
        """Take over another group's mentions."""
        self.forms.update(other.forms)
        self.types.update(other.types)
        self.spans.extend(other.spans)

    def label(self) -> str:
        """The majority type; ties go to PER, then ORG, then LOC."""
        return min(self.types, key=lambda t: (-self.types[t], _TYPE_ORDER.get(t, 9), t))

    def name(self) -> str:
        """The most frequent written form of the longest key (first written on ties)."""
        full = [f for f in self.forms if _key(f) == self.key] or list(self.forms)
        return max(full, key=lambda f: self.forms[f])


# Both are pure functions of a mention's text, and names recur within and across articles.
@lru_cache(maxsize=16_384)
def _key(text: str) -> tuple[str, ...]:
    """Case- and spacing-insensitive key: `TASS` and `Tass` are one name."""
    return tuple(_SPACE.sub(" ", text).strip(" .,'\"\u2019").casefold().split(" "))


@lru_cache(maxsize=16_384)
def _form(text: str) -> str:
    """A mention as written, with its spacing normalised."""
    return _SPACE.sub(" ", text).strip()


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    """Whether `short` is a contiguous run of whole words of `long`."""
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))


def _group(mentions: Sequence[Mention]) -> dict[tuple[str, ...], Group]:
    groups: dict[tuple[str, ...], Group] = {}
    for m in mentions:
        key = _key(m.text)
        if not any(key):
            continue
        group = groups.setdefault(key, Group(key))
        group.forms[_form(m.text)] += 1
        group.types[m.type] += 1
        group.spans.append((m.start, m.end))
    return groups


def _merge_short_names(groups: dict[tuple[str, ...], Group]) -> None:
    """Fold a person's short name into the longest full name containing it (in place).

    `Kim` -> `Kim Jong Un`, `Putin` -> `Vladimir Putin`. With several candidates the most
    mentioned wins, so `Kim` goes to the Kim the article is about.
    """
    people = sorted((g for g in groups.values() if g.label() == "PER"), key=lambda g: -len(g.key))
    # Shortest first: a host is longer, so it is still in `groups` when a name is folded into
    # it, and it carries the folded mentions along if it is folded into a longer name later.
    for short in reversed(people):
        hosts = [g for g in people if len(g.key) > len(short.key) and _contains(g.key, short.key)]
        if not hosts:
            continue
        host = max(hosts, key=lambda g: (len(g.spans), len(g.key)))
        host.absorb(short)
        del groups[short.key]


def canonical_groups(mentions: Sequence[Mention]) -> list[Group]:
    """Group mentions into canonical entities, most mentioned first, then by name."""
    groups = _group(mentions)
    _merge_short_names(groups)
    result = list(groups.values())
    for group in result:
        group.spans.sort()
    result.sort(key=lambda g: (-len(g.spans), g.name()))
    return result
