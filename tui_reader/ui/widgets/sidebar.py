"""The sidebar: views, feeds, tags, saved searches and top entities, with counts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_reader.models import EntityCount, Feed, SavedSearch
from tui_reader.ui.text import safe_line

KIND_STYLES = {"PER": "entity--per", "ORG": "entity--org", "LOC": "entity--loc"}


@dataclass(frozen=True, slots=True)
class SidebarData:
    """Everything the sidebar shows, loaded in one worker."""

    total: int = 0
    unread: int = 0
    starred: int = 0
    feeds: tuple[Feed, ...] = ()
    tags: tuple[tuple[str, int], ...] = ()
    saved: tuple[tuple[SavedSearch, int], ...] = ()
    entities: tuple[EntityCount, ...] = ()


class Sidebar(OptionList):
    """A list of places to look; choosing one posts :class:`Sidebar.Chosen`."""

    COMPONENT_CLASSES = {"sidebar--heading", "sidebar--count", *KIND_STYLES.values()}

    class Chosen(Message):
        """The user picked an entry: ``kind`` is view/feed/tag/saved/entity."""

        def __init__(self, kind: str, value: str) -> None:
            super().__init__()
            self.kind = kind
            self.value = value

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data = SidebarData()
        self._values: dict[str, tuple[str, str]] = {}

    def show(self, data: SidebarData) -> None:
        """Replace the entries, keeping the highlighted one when it still exists."""
        self.data = data
        keep = self.highlighted_option.id if self.highlighted_option else None
        self._values = {}
        self.clear_options()
        self.add_options(self._build_options(data))
        if keep and keep in self._values:
            self.highlighted = self.get_option_index(keep)

    def _build_options(self, data: SidebarData) -> list[Option]:
        options = [
            self._entry("view", "all", "All", data.total),
            self._entry("view", "unread", "Unread", data.unread),
            self._entry("view", "starred", "Starred", data.starred),
        ]
        sections: list[tuple[str, list[Option]]] = [
            ("Feeds", [self._entry("feed", str(f.id), f.title, f.unread) for f in data.feeds]),
            ("Tags", [self._entry("tag", t, t, n) for t, n in data.tags]),
            ("Saved searches", [self._entry("saved", s.query, s.name, n) for s, n in data.saved]),
            ("Top entities", [self._entity(e) for e in data.entities]),
        ]
        for heading, entries in sections:
            if entries:
                options.append(self._heading(heading))
                options.extend(entries)
        return options

    def _heading(self, title: str) -> Option:
        label = Text(title.upper(), style=self.get_component_rich_style("sidebar--heading"))
        return Option(label, disabled=True)

    def _entry(
        self, kind: str, value: str, label: str, count: int, style: Style | str = ""
    ) -> Option:
        key = f"{kind}:{value}"
        self._values[key] = (kind, value)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(safe_line(label) or "—", style=style)
        text.append(f" {count}", style=self.get_component_rich_style("sidebar--count"))
        return Option(text, id=key)

    def _entity(self, entity: EntityCount) -> Option:
        style = self.get_component_rich_style(KIND_STYLES.get(entity.type, "sidebar--count"))
        value = f"{entity.type}\t{entity.name}"
        return self._entry("entity", value, entity.name, entity.articles, style)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id in self._values:
            kind, value = self._values[event.option.id]
            self.post_message(self.Chosen(kind, value))
