"""The entity panel and the related-articles list beside an article."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_reader.models import ArticleSummary, EntityMention
from tui_reader.ui.messages import OpenArticle, SearchFor
from tui_reader.ui.search import entity_query
from tui_reader.ui.text import safe_line

KIND_CLASSES = {"PER": "entity--per", "ORG": "entity--org", "LOC": "entity--loc"}


class EntityPanel(OptionList):
    """Each entity with its count; Enter searches every article that mentions it."""

    COMPONENT_CLASSES = {*KIND_CLASSES.values(), "entity--count"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entities: list[EntityMention] = []

    def show(self, entities: Sequence[EntityMention]) -> None:
        """List ``entities``, most mentioned first."""
        self.entities = sorted(
            (e for e in entities if e.type in KIND_CLASSES), key=lambda e: (-e.count, e.name)
        )
        self.clear_options()
        self.add_options(self._option(i, e) for i, e in enumerate(self.entities))
        if not self.entities:
            self.add_option(
                Option(Text("No people, places or organisations found."), disabled=True)
            )

    def _option(self, index: int, entity: EntityMention) -> Option:
        text = Text(no_wrap=True, overflow="ellipsis")
        style = self.get_component_rich_style(KIND_CLASSES[entity.type])
        # PER/ORG/LOC, not an initial: "person" and "place" share theirs.
        text.append(f"{entity.type} ", style="dim")
        text.append(safe_line(entity.name), style=style)
        text.append(f" ×{entity.count}", style=self.get_component_rich_style("entity--count"))
        return Option(text, id=str(index))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            entity = self.entities[int(event.option.id)]
            self.post_message(SearchFor(entity_query(entity.name, entity.type)))


class RelatedList(OptionList):
    """Articles like this one; Enter opens one."""

    def show(self, related: Sequence[tuple[ArticleSummary, str]]) -> None:
        """List ``(summary, why)`` pairs."""
        self.clear_options()
        for summary, why in related:
            text = Text(no_wrap=False)
            text.append(safe_line(summary.title) or "(untitled)")
            text.append(f"\n{safe_line(summary.site) or ''} · {why}", style="dim")
            self.add_option(Option(text, id=str(summary.id)))
        if not related:
            self.add_option(Option(Text("Nothing related yet."), disabled=True))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(OpenArticle(int(event.option.id)))
