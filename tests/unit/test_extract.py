import pytest

from tests.helpers import FIXTURES
from tui_reader.errors import ExtractionError
from tui_reader.extract import (
    decode_bytes,
    draft_from_text,
    extract_html,
    site_from_dateline,
    title_from_text,
)


def test_html_page_gives_text_and_metadata() -> None:
    draft = extract_html((FIXTURES / "pages" / "id-banjir.html").read_bytes(), None)
    assert draft.title.startswith("Banjir Rendam Ribuan Rumah di Semarang")
    assert draft.site == "Warta Nusantara"
    assert draft.author == "Rina Kusumawati"
    assert draft.published is not None and draft.published.date().isoformat() == "2024-02-14"
    assert draft.url == "https://warta.example.id/nasional/banjir-semarang"
    assert "Badan Nasional Penanggulangan Bencana" in draft.text
    # clutter is gone, and the title is not repeated as the first line
    for clutter in ("cookie", "Bagikan", "Hak cipta", "Berita Terkait"):
        assert clutter not in draft.text
    assert not draft.text.startswith("#")
    assert draft.raw_html is not None


def test_page_keywords_are_categories_not_user_tags() -> None:
    draft = extract_html((FIXTURES / "pages" / "en-harbour.html").read_bytes(), "https://x.test/a")
    assert draft.categories == ("ports", "infrastructure")
    assert draft.tags == ()
    assert draft.url == "https://x.test/a"


@pytest.mark.parametrize(
    "html", [b"", b"   ", b"<html><body><nav>menu</nav></body></html>", b"\x00\x01\x02binary\x00"]
)
def test_pages_without_an_article_fail_clearly(html: bytes) -> None:
    with pytest.raises(ExtractionError):
        extract_html(html, "https://x.test/")


def test_undeclared_cp1252_page_decodes_right() -> None:
    text = "<html><body><article><p>" + "Café señor naïve résumé déjà vu. " * 20 + "</p></article>"
    decoded = decode_bytes(text.encode("cp1252"))
    assert "Café señor naïve" in decoded


def test_declared_charset_is_used_when_it_fits() -> None:
    raw = "Привет, мир! Новости дня.".encode("windows-1251")
    assert decode_bytes(raw, "windows-1251").startswith("Привет")


@pytest.mark.parametrize(
    ("line", "site"),
    [
        ("TEMPO.CO, Jakarta - Presiden tiba", "TEMPO.CO"),
        ("Jakarta (ANTARA) - Presiden tiba", "ANTARA"),
        ("KOMPAS.com - Hari ini", "KOMPAS.com"),
        ("LONDON (Reuters) - Shares fell", "Reuters"),
        ("Presiden tiba di Jakarta - kata dia", None),
    ],
)
def test_dateline_gives_the_site(line: str, site: str | None) -> None:
    assert site_from_dateline(line) == site


def test_text_file_title_from_first_sentence_when_first_line_is_a_paragraph() -> None:
    draft = draft_from_text((FIXTURES / "id-gempa.txt").read_text(), name="id-gempa")
    assert draft.title.startswith("Gempa berkekuatan magnitudo 5,6 mengguncang wilayah Cianjur")
    assert draft.site == "ANTARA"
    assert draft.text.startswith("Jakarta (ANTARA)")  # the paragraph stays in the body


def test_markdown_heading_is_the_title() -> None:
    draft = draft_from_text((FIXTURES / "en-election.md").read_text(), name="x", is_markdown=True)
    assert draft.title == "Voters head to the polls in a tight regional race"
    assert draft.text.startswith("Polling stations opened")


def test_short_first_line_is_a_headline() -> None:
    assert title_from_text("Harga Beras Naik\nHarga beras naik lagi di pasar.") == (
        "Harga Beras Naik",
        True,
    )


def test_empty_text_file_fails() -> None:
    with pytest.raises(ExtractionError, match="empty"):
        draft_from_text("  \n", name="x")
