"""The preview under the list: the selected article's header and its best passage."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tui_reader.models import ArticleSummary, SearchHit
from tui_reader.ui.text import safe, safe_line, snippet_spans


def meta_line(summary: ArticleSummary) -> str:
    """Site · date · language · reading time · flags, as one plain line."""
    parts = [
        safe_line(summary.site) or "unknown site",
        summary.date.strftime("%Y-%m-%d"),
        (safe_line(summary.lang) or "?").upper(),
        f"{summary.reading_minutes} min",
    ]
    if summary.author:
        parts.insert(0, safe_line(summary.author))
    if summary.is_starred:
        parts.append("★ starred")
    parts.append("read" if summary.is_read else "unread")
    if summary.tags:
        parts.append("tags: " + ", ".join(safe_line(t) for t in summary.tags))
    return " · ".join(parts)


class Preview(Widget):
    """Renders the bound hit; the passage's search matches are highlighted."""

    COMPONENT_CLASSES = {"preview--title", "preview--meta", "preview--hit"}

    hit: reactive[SearchHit | None] = reactive(None)
    passage: reactive[str] = reactive("")

    def render(self) -> Text:
        if self.hit is None:
            return Text("No article selected.", style="italic")
        summary = self.hit.article
        text = Text(no_wrap=False)
        text.append(safe_line(summary.title), self.get_component_rich_style("preview--title"))
        text.append("\n")
        text.append(meta_line(summary), self.get_component_rich_style("preview--meta"))
        text.append("\n\n")
        start = len(text)
        if self.hit.snippet:
            text.append(safe(self.hit.snippet).replace("\n", " "))
            hit_style = self.get_component_rich_style("preview--hit")
            for lo, hi in snippet_spans(self.hit.snippet, self.hit.marks):
                text.stylize(hit_style, start + lo, start + hi)
        else:
            text.append(safe(self.passage).replace("\n", " "))
        return text
