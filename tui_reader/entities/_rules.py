"""Rules: language guessing, a capitalisation-based fallback recogniser for languages without a
model, and the clean-up applied to every recogniser's output."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tui_reader.entities._crf import Span
from tui_reader.entities._features import _CUES
from tui_reader.entities._gazetteer import Gazetteer
from tui_reader.entities._tokens import Token

_ID_WORDS = frozenset(
    str.split("yang dan di ke dari dengan ini itu untuk tidak dalam pada akan juga")
)
_EN_WORDS = frozenset(str.split("the and of to in is that for with was on as by at from"))
_MEDIA = re.compile(r"[A-Z][\w-]{2,}\.(?:com|co|id|net|org|co\.id|or\.id|go\.id)", re.IGNORECASE)
# Words that make a name an organisation whatever the model says ("... Federal University").
_ORG_HEADS = frozenset(
    str.split(
        "universitas university partai party kementerian ministry pt tbk inc corp corporation"
        " ltd llc plc fc institut institute kepolisian komisi"
    )
)
_PLACE_HEADS = frozenset(
    str.split("desa kecamatan kabupaten jalan dusun kelurahan wilayah kawasan gedung kompleks")
)
_CONNECTORS = frozenset(["of", "de", "la", "van", "von", "der", "bin", "binti", "al", "el"])


def guess_language(tokens: Sequence[Token]) -> str | None:
    """`id` or `en` from function-word counts in the first 400 tokens, else None."""
    words = [tok.text.lower() for tok in tokens[:400]]
    ind = sum(w in _ID_WORDS for w in words)
    eng = sum(w in _EN_WORDS for w in words)
    if max(ind, eng) < 2:
        return None
    return "id" if ind >= eng else "en"


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and word[:1].isalpha()


def _cap_runs(words: Sequence[str]) -> list[tuple[int, int]]:
    """Runs of capitalised words, allowing lower-case connectors inside (`Bank of England`)."""
    n = len(words)
    caps = [w[:1].isupper() and w[:1].isalpha() for w in words]  # _capitalised, inlined
    runs: list[tuple[int, int]] = []
    end = 0  # the first word after the last run
    for i in [i for i, cap in enumerate(caps) if cap]:
        if i < end or _CUES.get(words[i].lower()) == "day":
            continue
        j = i + 1
        while j < n and (caps[j] or (words[j] in _CONNECTORS and j + 1 < n and caps[j + 1])):
            j += 1
        runs.append((i, j))
        end = j
    return runs


def _rule_type(
    words: Sequence[str], lowered: Sequence[str], i: int, j: int, gaz_tags: Sequence[str]
) -> str:
    """Type of the capitalised run words[i:j], or "" to drop it."""
    before = _CUES.get(lowered[i - 1], "") if i else ""
    if gaz_tags[i].startswith("B-") and (j == len(words) or not gaz_tags[j].startswith("I-")):
        return "LOC"
    if any(_CUES.get(w) == "org" for w in lowered[i:j]) or (
        j - i == 1 and words[i].isupper() and 2 <= len(words[i]) <= 6
    ):
        return "ORG"
    if before == "title":
        return "PER"
    if before == "place":
        return "LOC"
    if i == 0 and j - i == 1:
        return ""  # a capital at the start of a sentence says nothing
    return "PER" if 2 <= j - i <= 3 else ""


def rule_spans(words: Sequence[str], gaz: Gazetteer) -> list[Span]:
    """Entity spans of one sentence from capitalisation, cue words and the gazetteer."""
    runs = _cap_runs(words)
    if not runs:
        return []
    lowered = [w.lower() for w in words]
    gaz_tags = gaz.match(lowered)
    spans: list[Span] = []
    for i, j in runs:
        while i < j and _CUES.get(lowered[i]) == "title":
            i += 1  # a title is not part of the name: "Presiden Joko Widodo"
        if i < j and (label := _rule_type(words, lowered, i, j, gaz_tags)):
            spans.append((i, j, label))
    return spans


def _edge_word(text: str) -> bool:
    """Whether a token may start or end a name: a capitalised word, a number, an acronym."""
    return text[:1].isupper() or text[:1].isdigit()


def _kept_head(tokens: Sequence[Token], i: int, j: int, label: str) -> bool:
    """Whether the model put a lower-case place word before a name (`desa Gondang`), which
    the Indonesian sets annotate as part of the place (`kota` is left out: readers and most
    annotations name the town alone)."""
    return (
        label == "LOC"
        and tokens[i].text in _PLACE_HEADS
        and i + 1 < j
        and _capitalised(tokens[i + 1].text)
    )


def clean_spans(tokens: Sequence[Token], spans: list[Span]) -> list[Span]:
    """Trim punctuation and lower-case words at span edges (`kota Artyom` -> `Artyom`), drop
    lone day/month names, and join a name broken after a hyphen (`Komsomolsk-on- Amur`)."""
    out: list[Span] = []
    for i, j, label in spans:
        while i < j and not _edge_word(tokens[i].text) and not _kept_head(tokens, i, j, label):
            i += 1
        while j > i and not (_edge_word(tokens[j - 1].text) or tokens[j - 1].text[:1].isalpha()):
            j -= 1
        while label == "PER" and j - i > 1 and _CUES.get(tokens[i].text.lower()) == "title":
            i += 1  # no training set includes the title: "Paus Pius XII" -> "Pius XII"
        if i >= j or (j - i == 1 and _CUES.get(tokens[i].text.lower()) == "day"):
            continue
        if any(tok.text.lower() in _ORG_HEADS for tok in tokens[i:j]):
            label = "ORG"
        if i and tokens[i - 1].text.endswith("-") and _edge_word(tokens[i - 1].text):
            i -= 1
        if tokens[j - 1].text.endswith("-") and j < len(tokens) and _capitalised(tokens[j].text):
            j += 1
        if out and out[-1][1] > i:
            out[-1] = (out[-1][0], max(j, out[-1][1]), out[-1][2])
            continue
        out.append((i, j, label))
    return out


def _glued_acronym(tokens: Sequence[Token], j: int) -> bool:
    """Whether tokens[j:j + 3] are `(`, a capitalised word, `)` written without spaces."""
    if j + 2 >= len(tokens) or tokens[j].text != "(" or tokens[j + 2].text != ")":
        return False
    inner = tokens[j + 1]
    return (
        tokens[j].end == inner.start
        and inner.end == tokens[j + 2].start
        and inner.text[:1].isupper()
        and tokens[j - 1].end < tokens[j].start
    )


def acronym_spans(tokens: Sequence[Token], spans: list[Span]) -> list[Span]:
    """Keep a bracketed acronym with the name it abbreviates: `Bursa Efek Indonesia (BEI)`.

    Indonesian news writes the full name with its acronym; the annotated news sets
    (idner-news-2k) take both as one mention. Only organisations, one word inside: a place in
    brackets after a place is a second place (`Jakarta (Indonesia)`).
    """
    out: list[Span] = []
    skip_until = -1
    for i, j, label in spans:
        if i < skip_until:
            continue
        if label == "ORG" and _glued_acronym(tokens, j):
            out.append((i, j + 3, label))
            skip_until = j + 3
            continue
        out.append((i, j, label))
    return out


def media_spans(tokens: Sequence[Token], spans: list[Span]) -> list[Span]:
    """Tag news sites written as domains (`TEMPO.CO`, `Kompas.com`) ORG, also when missed."""
    # Only a token with a dot can be a domain: the others need no regular expression.
    media = {i for i, tok in enumerate(tokens) if "." in tok.text and _MEDIA.fullmatch(tok.text)}
    if not media:
        return list(spans)
    # A news site written as a domain is an organisation whatever the model says.
    spans = [(i, j, "ORG" if j - i == 1 and i in media else label) for i, j, label in spans]
    taken = {k for i, j, _ in spans for k in range(i, j)}
    extra = [(i, i + 1, "ORG") for i in sorted(media) if i not in taken]
    return sorted(spans + extra) if extra else spans


def _spreadable(words: tuple[str, ...], gaz: Gazetteer) -> bool:
    """Whether a found name may be copied to its other, untagged mentions.

    Place names and cue words are left out: the model tags those well in context, and a
    gazetteer word that collides with a name would spread the collision.
    """
    if len(words[0]) < 2 or not all(w in _CONNECTORS or _capitalised(w) for w in words):
        return False
    if len(words) > 1:
        return True
    low = words[0].lower()
    return not (low in gaz.single or low in _CUES)


def _known_forms(
    sents: Sequence[list[str]], spans: Sequence[list[Span]], gaz: Gazetteer
) -> dict[tuple[str, ...], str]:
    """Names found in the document (and surnames of people) with their majority type."""
    # Plain dicts in insertion order: max() keeps the first of equal counts, as
    # Counter.most_common(1) does.
    votes: dict[tuple[str, ...], dict[str, int]] = {}
    spreadable: dict[tuple[str, ...], bool] = {}
    for sent, sent_spans in zip(sents, spans, strict=True):
        for i, j, label in sent_spans:
            words = tuple(sent[i:j])
            forms = [words]
            if label == "PER" and len(words) >= 2:
                forms.append(words[-1:])  # "Vladimir Putin" ... "Putin"
            if label == "PER" and len(words) >= 3:
                forms.append(words[:1])  # family name first: "Kim Jong Un" ... "Kim"
            for form in forms:
                ok = spreadable.get(form)
                if ok is None:
                    ok = spreadable[form] = _spreadable(form, gaz)
                if ok:
                    counts = votes.setdefault(form, {})
                    counts[label] = counts.get(label, 0) + 1
    return {form: max(counts, key=counts.__getitem__) for form, counts in votes.items()}


def spread(sents: Sequence[Sequence[Token]], spans: list[list[Span]], gaz: Gazetteer) -> None:
    """Tag untagged mentions of names found elsewhere in the same document (in place)."""
    sent_words = [[tok.text for tok in tokens] for tokens in sents]
    known = _known_forms(sent_words, spans, gaz)
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for form in sorted(known, key=len, reverse=True):
        by_first.setdefault(form[0], []).append(form)
    for words, sent_spans in zip(sent_words, spans, strict=True):
        # Only words that begin a known name are examined.
        starts = [i for i, word in enumerate(words) if word in by_first]
        if starts:
            _spread_sentence(words, starts, by_first, known, sent_spans)
        sent_spans.sort()


def _spread_sentence(
    words: list[str],
    starts: list[int],
    by_first: dict[str, list[tuple[str, ...]]],
    known: dict[tuple[str, ...], str],
    sent_spans: list[Span],
) -> None:
    """Add the untagged mentions of known names in one sentence (longest first, left to right)."""
    taken = {k for i, j, _ in sent_spans for k in range(i, j)}
    end = 0  # the first word after the last mention added
    for i in starts:
        if i < end:
            continue
        for form in by_first[words[i]]:
            stop = i + len(form)
            if tuple(words[i:stop]) == form and not taken.intersection(range(i, stop)):
                sent_spans.append((i, stop, known[form]))
                end = stop
                break
