"""Small modal dialogs: save a search, edit tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui_reader.ui.text import safe_line


class _InputDialog(ModalScreen[str | None]):
    """A title, an input and a hint; Enter answers, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, value: str, hint: str) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._value = value
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(Text(self._title), classes="dialog-title")
            yield Input(value=self._value, id="dialog-input")
            yield Label(Text(self._hint), classes="dialog-hint")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SaveSearchDialog(_InputDialog):
    """Name the search to save."""

    def __init__(self, query: str) -> None:
        super().__init__(
            f"Save the search {safe_line(query)!r} as:", safe_line(query), "Enter saves"
        )


class TagDialog(ModalScreen[list[str] | None]):
    """Edit an article's tags, comma-separated."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(classes="dialog")
        self._tags = ", ".join(safe_line(t) for t in tags)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label("Tags (comma-separated):", classes="dialog-title")
            yield Input(value=self._tags, id="dialog-input")
            yield Label("Enter saves · Escape cancels", classes="dialog-hint")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss([t.strip() for t in event.value.split(",") if t.strip()])

    def action_cancel(self) -> None:
        self.dismiss(None)
