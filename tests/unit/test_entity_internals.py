"""Tests for the fast paths inside tui_reader.entities: each must agree with the plain version.

The shipped CRF models depend on the exact feature strings, and the tokenizer, gazetteer and
sentence splitter examine only candidate tokens; these tests compare them with straightforward
per-token reference implementations.
"""

from __future__ import annotations

import pytest

from tui_reader.entities._features import (
    _gazetteer_features,
    _word_features,
    encoded_sentence_features,
    sentence_features,
)
from tui_reader.entities._gazetteer import Gazetteer, gazetteer
from tui_reader.entities._tokens import (
    _MARKUP,
    _TOKEN,
    MAX_SENTENCE,
    Token,
    _mask,
    sentences,
    tokenize,
)

SENTENCES = [
    [],
    ["Kim"],
    ["Presiden", "Joko"],
    ["Pemimpin", "Korea", "Utara", "Kim", "Jong", "Un", "tiba", "di", "Vladivostok", "."],
    ["KPK", "MENAHAN", "DUA", "TERSANGKA"],
    ["Dia", "ke", "Jawa", "Barat", "dan", "New", "York", "\ud800x", "2023", "U.S."],
]


def _reference_features(words: list[str]) -> list[list[str]]:
    """The features as they were first computed, one token at a time."""
    cached = [_word_features(w) for w in words]
    gaz_tags = gazetteer().match([c[2] for c in cached])
    gaz_rows = _gazetteer_features(gaz_tags) if any(gaz_tags) else None
    letters = [w for w in words if w[:1].isalpha()]
    sent: list[str] = []
    if len(letters) >= 2 and all(w.isupper() for w in letters):
        sent = ["S:upper"]
    elif len(letters) >= 2 and sum(w[:1].isupper() for w in letters) >= 0.8 * len(letters):
        sent = ["S:title"]
    n = len(words)
    rows: list[list[str]] = []
    for i in range(n):
        row = [*cached[i][0], *sent]
        if i >= 2:
            row += cached[i - 2][1][0]
        if i >= 1:
            row += cached[i - 1][1][1]
        else:
            row += ["BOS", "cap@0"] if words[0][:1].isupper() else ["BOS"]
        row += cached[i + 1][1][2] if i + 1 < n else ["EOS"]
        if i + 2 < n:
            row += cached[i + 2][1][3]
        if gaz_rows:
            row += gaz_rows[i]
        rows.append(row)
    return rows


@pytest.mark.parametrize("words", SENTENCES)
def test_features_match_the_per_token_reference(words: list[str]) -> None:
    expected = _reference_features(words)
    assert sentence_features(words, gazetteer()) == expected
    encoded = [[f.encode() for f in row] for row in expected]
    assert encoded_sentence_features(words, gazetteer()) == encoded


def test_tokens_match_the_token_pattern() -> None:
    text = "Kata *Joko* Widodo (BEI) di [Kompas.com](https://kompas.com/x) U.S. John's\n  a- ."
    expected = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(_mask(text))]
    tokens = tokenize(text)
    assert [tuple(t) for t in tokens] == expected
    assert all(type(t) is Token and text[t.start : t.end] == t.text for t in tokens)
    assert tokenize("") == [] and tokenize("  \n") == []


def test_long_lines_are_cut_and_breaks_are_kept() -> None:
    text = " ".join(["kata"] * (2 * MAX_SENTENCE + 5)) + "\nGeorge W. Bush tiba! Dia"
    sents = sentences(text)
    assert [len(s) for s in sents] == [MAX_SENTENCE, MAX_SENTENCE, 5, 6, 1]
    assert [t.text for t in sents[3]] == ["George", "W", ".", "Bush", "tiba", "!"]
    assert all(text[t.start : t.end] == t.text for s in sents for t in s)
    assert sentences("") == [] and sentences(" \n ") == []


def test_gazetteer_prefers_the_longest_name_and_the_first_of_equal_ones() -> None:
    gaz = Gazetteer()
    for name, cls in [
        ("jawa", "A"),
        ("jawa barat", "B"),
        ("jawa barat daya", "C"),
        ("jawa barat", "D"),
    ]:
        gaz.add(name.split(" "), cls)
    gaz.finish()
    assert gaz.match(["di", "jawa", "barat", "daya"]) == ["", "B-C", "I-C", "I-C"]
    assert gaz.match(["di", "jawa", "barat", "dan", "jawa"]) == ["", "B-B", "I-B", "", "B-A"]
    assert gaz.match(["jawa", "jawa", "barat"]) == ["B-A", "B-B", "I-B"]


def test_spacing_in_mentions_is_normalised() -> None:
    from tui_reader.entities import analyze

    text = "Presiden Joko\u00a0 Widodo tiba. Joko Widodo pulang."
    people = [e for e in analyze(text, "id") if e.type == "PER"]
    assert [(e.name, e.count) for e in people] == [("Joko Widodo", 2)]


@pytest.mark.parametrize(
    "text",
    [
        "Kata *Joko* di [Kompas.com](https://kompas.com/x) <b>tebal</b> www.tempo.co ok",
        "Hubungi redaksi@tempo.co.id atau @tempodotco, *segera*",
        "a@b c@d.e [x](y) user@@host.org <i>",
        "",
    ],
)
def test_masking_without_at_signs_skips_only_the_address_pattern(text: str) -> None:
    assert _mask(text) == _MARKUP.sub(lambda m: " " * (m.end() - m.start()), text)
    assert len(_mask(text)) == len(text)
