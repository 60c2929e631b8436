"""Tests for tui_reader.entities: offsets, canonicalisation, robustness, lazy loading.

The sentences below were written for these tests; they need no corpus and no network.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.entities import ArticleEntity, Entity, analyze, recognize, summarize

ID_TEXT = (
    "Presiden Joko Widodo bertemu dengan Perdana Menteri Jepang Fumio Kishida di Jakarta "
    "pada hari Senin. Widodo mengatakan kerja sama dengan Bank Indonesia akan diperkuat."
)
EN_TEXT = (
    "President Emmanuel Macron met German Chancellor Olaf Scholz in Berlin on Tuesday. "
    "Macron said the European Commission would back the plan."
)
KIM_TEXT = (
    "Pemimpin Korea Utara Kim Jong Un tiba di Vladivostok, Rusia, untuk bertemu Presiden "
    "Vladimir Putin. Kim kemudian berbicara dengan Putin selama empat jam."
)


def _found(text: str, lang: str | None) -> set[tuple[str, str]]:
    return {(e.text, e.type) for e in recognize(text, lang)}


def test_indonesian_sentence_entities() -> None:
    found = _found(ID_TEXT, "id")
    assert {("Joko Widodo", "PER"), ("Jakarta", "LOC"), ("Fumio Kishida", "PER")} <= found
    assert ("Bank Indonesia", "ORG") in found


def test_english_sentence_entities() -> None:
    found = _found(EN_TEXT, "en")
    assert {("Emmanuel Macron", "PER"), ("Olaf Scholz", "PER"), ("Berlin", "LOC")} <= found


@pytest.mark.parametrize(("text", "lang"), [(ID_TEXT, "id"), (EN_TEXT, "en"), (KIM_TEXT, None)])
def test_offsets_are_exact(text: str, lang: str | None) -> None:
    mentions = recognize(text, lang)
    assert mentions
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.type in ("PER", "ORG", "LOC")
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


def test_titles_are_not_part_of_names_and_media_sites_are_org() -> None:
    text = "TEMPO.CO, Jakarta - Paus Fransiskus bertemu Presiden Prabowo Subianto di Roma."
    found = _found(text, "id")
    assert {("TEMPO.CO", "ORG"), ("Prabowo Subianto", "PER")} <= found
    assert not any(name.startswith(("Paus", "Presiden")) for name, _ in found)


def test_university_is_an_organisation() -> None:
    text = "Dia belajar di Far Eastern Federal University sejak 2019."
    assert ("Far Eastern Federal University", "ORG") in _found(text, "id")


def test_bracketed_acronym_stays_with_its_organisation() -> None:
    from tui_reader.entities._rules import acronym_spans
    from tui_reader.entities._tokens import tokenize

    tokens = tokenize("kata Bursa Efek Indonesia (BEI) dan ( KPK ) di Jakarta (Indonesia)")
    spans = [(1, 4, "ORG"), (5, 6, "ORG"), (9, 10, "ORG"), (12, 13, "LOC"), (14, 15, "LOC")]
    # Only a glued "(ACR)" right after an organisation joins it; spaced brackets stay apart.
    expected = [(1, 7, "ORG"), (9, 10, "ORG"), (12, 13, "LOC"), (14, 15, "LOC")]
    assert acronym_spans(tokens, spans) == expected


def test_name_initial_does_not_end_a_sentence() -> None:
    from tui_reader.entities._tokens import sentences

    sents = sentences("Presiden George W. Bush tiba. Dia disambut.")
    assert [[t.text for t in s] for s in sents] == [
        ["Presiden", "George", "W", ".", "Bush", "tiba", "."],
        ["Dia", "disambut", "."],
    ]


def test_word_table_is_shipped_and_parsed() -> None:
    from tui_reader.entities._words import usual_forms, word_stats

    codes = word_stats()
    assert len(codes) > 10_000
    assert codes["yang"][0] == "0"  # never capitalised inside a sentence
    assert codes["jakarta"][0] == "4"
    forms = usual_forms()
    assert forms["kpk"] == "KPK"
    assert "yang" not in forms


def test_markup_and_urls_are_not_tagged() -> None:
    text = (
        "# Kabar\n\n**Presiden Joko Widodo** tiba di [Surabaya](https://Surabaya.example/Jakarta)."
    )
    mentions = recognize(text, "id")
    assert ("Surabaya", "LOC") in {(m.text, m.type) for m in mentions}
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert "*" not in m.text and "http" not in text[m.start - 1 : m.end + 1]
    url_start = text.index("https")
    assert all(m.end <= url_start for m in mentions)


def test_short_names_fold_into_full_names() -> None:
    entities = {e.name: e for e in analyze(KIM_TEXT, "id")}
    assert entities["Kim Jong Un"].count == 2
    assert entities["Vladimir Putin"].count == 2
    assert "Kim" not in entities and "Putin" not in entities
    kim = entities["Kim Jong Un"]
    assert [KIM_TEXT[s:e] for s, e in kim.spans] == ["Kim Jong Un", "Kim"]


def test_summarize_counts_and_order() -> None:
    text = "Putin. Vladimir Putin. TASS. Tass. Rusia."
    mentions = [
        Entity("Putin", "PER", 0, 5),
        Entity("Vladimir Putin", "PER", 7, 21),
        Entity("TASS", "ORG", 23, 27),
        Entity("Tass", "ORG", 29, 33),
        Entity("Rusia", "LOC", 35, 40),
    ]
    assert summarize(text, mentions) == [
        ArticleEntity("TASS", "ORG", 2, ((23, 27), (29, 33))),
        ArticleEntity("Vladimir Putin", "PER", 2, ((0, 5), (7, 21))),
        ArticleEntity("Rusia", "LOC", 1, ((35, 40),)),
    ]


def test_summarize_picks_majority_type_and_empty_input() -> None:
    mentions = [Entity("Jordan", "LOC", 0, 6), Entity("Jordan", "LOC", 10, 16)]
    mentions.append(Entity("Jordan", "PER", 20, 26))
    (entity,) = summarize("", mentions)
    assert (entity.type, entity.count) == ("LOC", 3)
    assert summarize("", []) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        "\x00\x01\x02\ufffd\ud800 garbage \udfff",
        "ÄÖÜ ﬁ ǅ ß İstanbul 東京 Москва ٱلْعَرَبِيَّة",
        "Kim " * 20_000,
        "-" * 5000,
        "A" * 10_000,
        "[](http://x) ** __ ## > | `code`",
    ],
)
@pytest.mark.parametrize("lang", ["id", "en", "de", None, ""])
def test_never_raises(text: str, lang: str | None) -> None:
    mentions = recognize(text, lang)
    for m in mentions:
        assert text[m.start : m.end] == m.text
    assert isinstance(analyze(text, lang), list)


_NEWSY = st.text(
    alphabet=st.sampled_from(list("KimJongUn Rusia Jakarta.,-*[]()#\n\u201c\u2019'") + ["\ud800"]),
    max_size=300,
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    text=st.one_of(st.text(max_size=300), _NEWSY), lang=st.sampled_from(["id", "en", "fr", None])
)
def test_fuzz_offsets_exact_and_no_exceptions(text: str, lang: str | None) -> None:
    for m in recognize(text, lang):
        assert text[m.start : m.end] == m.text
        assert m.start < m.end
    for entity in analyze(text, lang):
        assert entity.count == len(entity.spans) > 0


def test_bytes_like_garbage_decoded_loosely() -> None:
    text = bytes(range(256)).decode("latin-1") * 10
    assert isinstance(recognize(text, "id"), list)


def test_other_language_uses_rules() -> None:
    text = "Le président Emmanuel Macron a reçu Olaf Scholz à Paris avec la BCE."
    found = _found(text, "fr")
    assert {("Paris", "LOC"), ("Emmanuel Macron", "PER"), ("Olaf Scholz", "PER")} <= found
    assert ("BCE", "ORG") in found


def test_shipped_model_loads_and_tags() -> None:
    from tui_reader.entities import _crf

    assert _crf.has_model("id") and _crf.has_model("en")
    assert recognize("Gubernur Anies Baswedan", "id")


def test_import_is_lazy() -> None:
    code = textwrap.dedent(
        """
        import sys
        import tui_reader.entities
        heavy = [m for m in ("pycrfsuite", "tui_reader.entities._gazetteer") if m in sys.modules]
        print(",".join(heavy))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_threads_share_the_model_safely() -> None:
    from concurrent.futures import ThreadPoolExecutor

    expected = analyze(KIM_TEXT, "id")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: analyze(KIM_TEXT, "id"), range(16)))
    assert all(r == expected for r in results)


def test_works_in_a_fresh_worker_process() -> None:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1) as pool:
        result = pool.submit(analyze, KIM_TEXT, "id").result(timeout=60)
    assert result == analyze(KIM_TEXT, "id")
