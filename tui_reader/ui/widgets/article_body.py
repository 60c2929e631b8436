"""The article body: one widget per block, entity and search highlights by component class.

Spans arrive as offsets into the article's raw text; each block maps them to what it
displays, so a highlight lands on exactly the characters it names.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.reactive import var
from textual.widget import Widget

from tui_reader.models import Article
from tui_reader.ui.text import Block, Span, parse_blocks, spans_in

ENTITY_CLASSES = {"PER": "entity--per", "ORG": "entity--org", "LOC": "entity--loc"}
BLOCK_CLASSES = {"h1": "body--h1", "h2": "body--h2", "h3": "body--h3", "quote": "body--quote"}
INLINE_CLASSES = {
    "bold": "body--bold",
    "italic": "body--italic",
    "code": "body--code",
    "link": "body--link",
}


class BodyBlock(Widget):
    """One paragraph, heading, list item, quote or rule of the body."""

    def __init__(
        self,
        block: Block,
        entities: Sequence[tuple[int, int, str]],
        hits: Sequence[Span],
    ) -> None:
        super().__init__(classes=f"-{block.kind}")
        self.block = block
        self.entities = list(entities)
        self.hits = list(hits)
        self.current: int | None = None

    def render(self) -> Text:
        body = self.query_ancestor(ArticleBody)
        if self.block.kind == "rule":
            return Text("─" * 24, style=body.get_component_rich_style("body--quote"))
        text = Text(self.block.text)
        if self.block.kind in BLOCK_CLASSES:
            text.stylize(body.get_component_rich_style(BLOCK_CLASSES[self.block.kind]))
        for start, end, name in self.block.styles:
            text.stylize(body.get_component_rich_style(INLINE_CLASSES[name]), start, end)
        if body.show_entities:
            for start, end, kind in self.entities:
                text.stylize(body.get_component_rich_style(ENTITY_CLASSES[kind]), start, end)
        hit_style = body.get_component_rich_style("body--hit")
        current_style: Style = body.get_component_rich_style("body--hit-current")
        for index, (start, end) in enumerate(self.hits):
            text.stylize(current_style if index == self.current else hit_style, start, end)
        return text


class ArticleBody(VerticalScroll, can_focus=True):
    """The scrollable body of one article."""

    COMPONENT_CLASSES = {
        *ENTITY_CLASSES.values(),
        *BLOCK_CLASSES.values(),
        *INLINE_CLASSES.values(),
        "body--hit",
        "body--hit-current",
    }

    show_entities: var[bool] = var(True, init=False)
    current_hit: var[int] = var(-1, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hit_places: list[tuple[BodyBlock, int]] = []

    async def show(self, article: Article, hit_spans: Sequence[Span]) -> None:
        """Replace the body with ``article``'s, highlighting ``hit_spans``."""
        await self.remove_children()
        entities = [
            (start, end, mention.type)
            for mention in article.entities
            if mention.type in ENTITY_CLASSES
            for start, end in mention.spans
        ]
        ordered = sorted(hit_spans)
        blocks = []
        self.hit_places = []
        for block in parse_blocks(article.text):
            shown = [(s, e, k) for s, e, k in entities if s < block.raw_end and e > block.raw_start]
            mapped = [(lo, hi, k) for s, e, k in shown for lo, hi in block.map_span(s, e)]
            widget = BodyBlock(block, mapped, list(spans_in(block, ordered)))
            self.hit_places.extend((widget, i) for i in range(len(widget.hits)))
            blocks.append(widget)
        self.set_reactive(ArticleBody.current_hit, -1)
        await self.mount_all(blocks)
        self.scroll_home(animate=False)

    def watch_show_entities(self) -> None:
        for block in self.query(BodyBlock):
            block.refresh()

    def watch_current_hit(self, old: int, new: int) -> None:
        for index in (old, new):
            if 0 <= index < len(self.hit_places):
                block, number = self.hit_places[index]
                block.current = number if index == new else None
                block.refresh()
        if 0 <= new < len(self.hit_places):
            self.scroll_to_center(self.hit_places[new][0], animate=False)

    def step_hit(self, delta: int) -> bool:
        """Move to the next (or previous) search hit, wrapping; False when there are none."""
        if not self.hit_places:
            return False
        if self.current_hit < 0:
            self.current_hit = 0 if delta > 0 else len(self.hit_places) - 1
        else:
            self.current_hit = (self.current_hit + delta) % len(self.hit_places)
        return True

    @property
    def position(self) -> float:
        """How far down the reader is, 0..1."""
        if self.max_scroll_y <= 0:
            return 0.0
        return min(1.0, max(0.0, self.scroll_y / self.max_scroll_y))

    def restore(self, position: float) -> None:
        """Scroll to a remembered position (0..1)."""
        self.scroll_to(y=position * self.max_scroll_y, animate=False)
