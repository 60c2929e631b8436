"""The help screen: every key of the app and of the screen underneath."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "escape": "Esc",
    "space": "Space",
    "enter": "Enter",
}
SEARCH_HELP = (
    'Search: words (all must match), "a phrase", word*, a OR b, NOT x, '
    "title:x, site:x, author:x, tag:x, lang:id, is:unread, is:starred, "
    'person:"Name", org:"Name", place:"Name", date:2024-05, date:[2024-01 to 2024-03].'
)


def key_label(keys: str) -> str:
    """``left_square_bracket,q`` -> ``[ / q``."""
    return " / ".join(KEY_NAMES.get(k, k) for k in keys.split(","))


def bindings_table(title: str, bindings: Iterable[BindingType]) -> Table:
    """A two-column table of keys and what they do."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, expand=True)
    table.add_column("Key", style="bold", width=14, no_wrap=True)
    table.add_column("Action")
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description:
            table.add_row(Text(key_label(binding.key)), Text(binding.description))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close help", id="help.close"),
    ]

    def __init__(self, sections: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__(classes="dialog")
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("tui-reader — keys", style="bold"), id="help-title")
            for title, bindings in self.sections:
                yield Static(bindings_table(title, bindings), classes="help-section")
            yield Static(Text(SEARCH_HELP), classes="help-section")
            yield Static(Text("Esc, q or ? closes this help.", style="dim"))

    def action_close(self) -> None:
        self.dismiss()
