import pytest

from tui_reader.index.analysis import (
    WORD_PATTERN,
    analyse,
    english_analyzer,
    find_words,
    indonesian_analyzer,
    language_kind,
    plain_analyzer,
    word_normalizer,
)


def words(analyzer: object, text: str) -> list[str]:
    return [t.text for t in analyzer(text)]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("berkunjung", "kunjung"),
        ("kunjungan", "kunjung"),
        ("kunjungannya", "kunjung"),
        ("menghabiskan", "habis"),
        ("pembicaraan", "bicara"),
        ("dikunjungi", "kunjung"),
        ("mengunjungi", "kunjung"),  # Sastrawi alone: "unjung"
        ("pengunjung", "kunjung"),
        ("penyelidikan", "selidik"),  # Sastrawi alone: "lidi"
        ("pemilu", "pemilu"),  # Sastrawi alone: "pilu"
    ],
)
def test_indonesian_morphology_meets_at_the_stem(word: str, stem: str) -> None:
    assert words(indonesian_analyzer(), word) == [stem]


def test_indonesian_stopwords_are_dropped_and_case_folded() -> None:
    assert words(indonesian_analyzer(), "Dia dan PRESIDEN yang") == ["presiden"]


def test_indonesian_reduplication_stays_one_token() -> None:
    assert len(words(indonesian_analyzer(), "senjata-senjata")) == 1


@pytest.mark.parametrize("word", ["visiting", "visited", "visits", "visit"])
def test_english_variants_share_a_stem(word: str) -> None:
    assert words(english_analyzer(), word) == ["visit"]


def test_other_languages_are_folded_not_stemmed() -> None:
    assert words(plain_analyzer(), "Élysée Kraków") == ["elysee", "krakow"]


def test_language_kinds() -> None:
    assert language_kind("id") == "id"
    assert language_kind("ms") == "id"
    assert language_kind("en") == "en"
    assert language_kind("de") == "xx"
    assert language_kind(None) == "xx"


def test_stems_travel_between_processes_and_runs(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from tui_reader.index import analysis

    monkeypatch.setattr(analysis, "_STEMS", {})  # a fresh process

    fresh = analysis.new_indonesian_stems("Para pengunjung berkunjung dan yang lain")
    assert fresh["berkunjung"] == "kunjung"
    assert "yang" not in fresh  # stopwords are never indexed, so never stemmed
    assert analysis.new_indonesian_stems("berkunjung") == {}  # known now
    path = Path(str(tmp_path)) / "stems.marshal"
    analysis.save_stems(path)
    assert analysis.load_stems(path) >= 2
    path.write_bytes(b"garbage")
    assert analysis.load_stems(path) == 0


ODD_TEXTS = [
    "Presiden Jokowi berkunjung ke Vladivostok, dan kunjungannya disambut meriah.",
    "The ministers were meeting in Berlin; the talks ran late.",
    "yang dan di ke — stopwords first, then words: Café São Paulo’s naïve façade",
    "senjata-senjata Geran-25 rock'n'roll d’Artagnan ÆØÅ straße İstanbul ǅemal",
    "",
    "   \n\t",
    "日本語のテキスト 北京 Москва Ελλάδα 123 4,5 _under_score_",
]


@pytest.mark.parametrize("kind", ["id", "en", "xx"])
@pytest.mark.parametrize("text", ODD_TEXTS)
def test_fast_analysis_equals_the_analyzers(kind: str, text: str) -> None:
    # Indexing uses analyse(); queries use the analyzers: they must agree exactly.
    analyzer = {"id": indonesian_analyzer, "en": english_analyzer, "xx": plain_analyzer}[kind]()
    expected: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True):  # type: ignore[operator]
        expected.setdefault(token.text, []).append(token.pos)
    got = analyse(text, kind)
    assert got.positions == expected
    unstemmed = {t.text for t in analyzer(text, no_morph=True)}  # type: ignore[operator]
    assert got.words == unstemmed


@pytest.mark.parametrize(
    ("kind", "text", "query"),
    [
        ("id", "Banjir-banjir melanda; banjir datang, BANJIR pergi (banjir)", "banjir"),
        ("id", "Warga berkunjung ke kunjungan-kunjungan di pekunjungan dikunjungi.", "kunjungan"),
        ("en", "O'Brien visited; the visitor's visit-visa and re-visited visits.", "visit"),
        ("en", "rock'n'roll rocks ’rock’ rock-", "rock"),
        ("xx", "Zürich zurich ZÜRICH-Zurich zurich’s", "zurich"),
        ("id", "tidak ada kata yang cocok di sini", "banjir"),
    ],
)
def test_find_words_matches_a_word_by_word_scan(kind: str, text: str, query: str) -> None:
    normalize = word_normalizer(kind)
    terms = frozenset(filter(None, [normalize(query)]))
    expected = [
        (m.start(), m.end()) for m in WORD_PATTERN.finditer(text) if normalize(m.group()) in terms
    ]
    assert find_words(text, kind, terms) == expected
