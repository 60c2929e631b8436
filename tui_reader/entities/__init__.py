"""Named-entity recognition for articles: people (PER), organisations (ORG) and places (LOC).

Indonesian and English text is tagged by CRF models trained by `tools/train_ner.py` and shipped
in this package (see MODEL_CARD.md for data and licences); other languages fall back to rules
(capitalisation, cue words, a place gazetteer). Importing this module is cheap: the models and
the gazetteer are loaded on first use, once per process, under a lock.

Example:
    >>> [(e.name, e.type, e.count) for e in analyze("Presiden Joko Widodo ke Bandung.", "id")]
    [('Bandung', 'LOC', 1), ('Joko Widodo', 'PER', 1)]
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tui_reader.entities._crf import Span

__all__ = ["ArticleEntity", "Entity", "EntityType", "analyze", "recognize", "summarize"]

EntityType = Literal["PER", "ORG", "LOC"]

_log = logging.getLogger(__name__)
_LANG_ALIASES = {"id": "id", "in": "id", "ind": "id", "ms": "id", "en": "en", "eng": "en"}


@dataclass(frozen=True, slots=True)
class Entity:
    """One mention of a named entity.

    Attributes:
        text: The mention exactly as written: `source[start:end]`.
        type: `PER`, `ORG` or `LOC`.
        start: Character offset of the first character in the source text.
        end: Character offset just past the last character.
    """

    text: str
    type: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ArticleEntity:
    """One canonical entity of an article with all its mentions.

    Attributes:
        name: Canonical name, the longest form used in the article (`Kim Jong Un` for `Kim`).
        type: `PER`, `ORG` or `LOC` (the majority type of its mentions).
        count: Number of mentions.
        spans: `(start, end)` character offsets of every mention, sorted.
    """

    name: str
    type: str
    count: int
    spans: tuple[tuple[int, int], ...]


def _language(lang: str | None) -> str | None:
    """Map a language code (`id`, `en-GB`, `IND` ...) to a model key; None if unknown/absent."""
    if not lang:
        return None
    return _LANG_ALIASES.get(lang.lower().replace("_", "-").split("-")[0], "other")


def _recognize(text: str, lang: str | None) -> list[Entity]:
    # Imported here, once per article, so that importing this package stays cheap.
    from tui_reader.entities import _crf, _rules
    from tui_reader.entities._gazetteer import gazetteer
    from tui_reader.entities._tokens import sentences

    sents = sentences(text)
    if not sents:
        return []
    key = _language(lang) or _rules.guess_language([t for s in sents[:20] for t in s])
    gaz = gazetteer()
    model = key if key in ("id", "en") and _crf.has_model(key) else None
    # The CRF when there is a model, else the rules.
    tagged: list[list[Span]] = (
        [_crf.tag_sentence(tokens, model) for tokens in sents]
        if model
        else [_rules.rule_spans([t.text for t in tokens], gaz) for tokens in sents]
    )
    spans = [
        _rules.media_spans(tokens, _rules.acronym_spans(tokens, _rules.clean_spans(tokens, raw)))
        for tokens, raw in zip(sents, tagged, strict=True)
    ]
    _rules.spread(sents, spans, gaz)
    return [
        Entity(text[tokens[i].start : tokens[j - 1].end], label, tokens[i].start, tokens[j - 1].end)
        for tokens, sent_spans in zip(sents, spans, strict=True)
        for i, j, label in sent_spans
    ]


def recognize(text: str, lang: str | None) -> list[Entity]:
    """Find the named-entity mentions in an article body.

    Args:
        text: Plain text or Markdown; markup, link targets and URLs are never tagged.
        lang: ISO 639-1 code of the text (`id`, `en`, ...); None to guess between `id`/`en`.

    Returns:
        Mentions in text order, with exact character offsets. Never raises: unexpected input
        gives an empty list.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    try:
        return _recognize(text, lang)
    except Exception:  # a news reader must not fail an ingest on one odd article
        _log.exception("entity recognition failed")
        return []


def summarize(text: str, mentions: Sequence[Entity]) -> list[ArticleEntity]:
    """Group mentions into canonical entities (`Putin` -> `Vladimir Putin`).

    Args:
        text: The text the mentions were found in (kept for API symmetry; offsets refer to it).
        mentions: Mentions from `recognize` (or any `Entity` list).

    Returns:
        One `ArticleEntity` per canonical entity, sorted by count (descending), then name.
    """
    from tui_reader.entities._canon import canonical_groups

    try:
        groups = canonical_groups(mentions)
    except Exception:
        _log.exception("entity canonicalisation failed")
        return []
    return [ArticleEntity(g.name(), g.label(), len(g.spans), tuple(g.spans)) for g in groups]


def analyze(text: str, lang: str | None) -> list[ArticleEntity]:
    """Recognise and canonicalise the entities of an article: `summarize(recognize(...))`."""
    return summarize(text, recognize(text, lang))
