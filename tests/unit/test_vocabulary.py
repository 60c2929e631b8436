from pathlib import Path

from whoosh import query as wq

from tui_reader.index.fields import build_schema
from tui_reader.index.vocabulary import Vocabulary, WordReader, suggest_words


def make(tmp_path: Path) -> Vocabulary:
    vocabulary = Vocabulary(tmp_path)
    vocabulary.create()
    vocabulary.add(
        {
            "body_id": ["berkunjung", "kunjungan", "berkunjunglah", "bermain", "kota"],
            "body_en": ["visit", "visited", "berkunjung"],
        }
    )
    return vocabulary


def test_words_are_kept_per_language_and_only_once(tmp_path: Path) -> None:
    vocabulary = make(tmp_path)
    vocabulary.add({"body_id": ["kota", "kotak"]})
    assert vocabulary.count("body_id") == 6
    assert vocabulary.count("body_en") == 3
    assert list(vocabulary.iter_prefix("body_id", "berk")) == ["berkunjung", "berkunjunglah"]
    assert list(vocabulary.iter_prefix("body_en", "berk")) == ["berkunjung"]


def test_prefix_reads_page_by_page(tmp_path: Path) -> None:
    vocabulary = Vocabulary(tmp_path)
    vocabulary.add({"body_id": [f"kata{i:04d}" for i in range(45)] + ["lain"]})
    assert list(vocabulary.iter_prefix("body_id", "kata", page=10)) == [
        f"kata{i:04d}" for i in range(45)
    ]


def test_whoosh_patterns_expand_over_the_words(tmp_path: Path) -> None:
    words = WordReader(make(tmp_path), build_schema())
    prefix = wq.Prefix("body_id", "berkunj")
    wildcard = wq.Wildcard("body_id", "*unjung*")
    assert list(prefix._btexts(words)) == [b"berkunjung", b"berkunjunglah"]
    assert list(wildcard._btexts(words)) == [b"berkunjung", b"berkunjunglah", b"kunjungan"]


def test_shortest_words_first(tmp_path: Path) -> None:
    vocabulary = make(tmp_path)
    assert vocabulary.shortest_with_prefix("body_id", "ber", 2) == ["bermain", "berkunjung"]


def test_suggestions_are_within_two_edits(tmp_path: Path) -> None:
    vocabulary = make(tmp_path)
    assert suggest_words(vocabulary, "body_id", "berkunjng") == ["berkunjung"]
    assert suggest_words(vocabulary, "body_id", "kota") == []  # the word itself is no suggestion
    assert suggest_words(vocabulary, "body_id", "xyzzy") == []


def test_a_vocabulary_reopens_after_close(tmp_path: Path) -> None:
    vocabulary = make(tmp_path)
    vocabulary.close()
    assert Vocabulary(tmp_path).count("body_id") == 5
