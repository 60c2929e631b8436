"""Web text is data: never markup, never terminal control sequences; offsets stay exact."""

from __future__ import annotations

from rich.text import Text

from tui_reader.ui.search import entity_query, typed_query
from tui_reader.ui.text import parse_blocks, safe, safe_line

HOSTILE = "[bold red]x[/] \x1b[2J\u202eevil\u202c \x07"


def test_safe_keeps_offsets_and_drops_controls() -> None:
    cleaned = safe(HOSTILE)
    assert len(cleaned) == len(HOSTILE)
    assert "\x1b" not in cleaned and "\u202e" not in cleaned and "\x07" not in cleaned
    assert "[bold red]x[/]" in cleaned
    assert "\x1b" not in safe_line(HOSTILE)


def test_markup_in_titles_is_shown_literally() -> None:
    assert Text(safe_line(HOSTILE)).plain.startswith("[bold red]x[/]")


def test_blocks_map_raw_offsets_to_display() -> None:
    raw = "# Head\nSee **Shoigu** in [Vladivostok](https://x.example) now.\n\n- item\n> quote"
    blocks = parse_blocks(raw)
    assert [b.kind for b in blocks] == ["h1", "paragraph", "item", "quote"]
    para = blocks[1]
    for word in ("Shoigu", "Vladivostok"):
        start = raw.index(word)
        ((lo, hi),) = para.map_span(start, start + len(word))
        assert para.text[lo:hi] == word
    assert blocks[2].text == "• item"


def test_typed_query_widens_the_last_word() -> None:
    assert typed_query("kim jon") == "kim (jon OR title:jon*)"
    assert typed_query("kim jo") == "kim jo"  # two letters match too much to widen
    assert typed_query("kim ") == "kim"
    assert typed_query('person:"Kim"') == 'person:"Kim"'
    assert typed_query("a OR") == "a OR"
    assert entity_query('Sa"y', "ORG") == 'org:"Sa y"'
