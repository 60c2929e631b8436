"""The reading view: header, body with entity and search highlights, entities, related."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, Static
from textual.worker import get_current_worker

from tui_reader.archive import Archive
from tui_reader.errors import ReaderError
from tui_reader.models import Article, ArticleSummary
from tui_reader.ui.messages import OpenArticle
from tui_reader.ui.related import related_articles
from tui_reader.ui.text import Span, safe_line
from tui_reader.ui.widgets.article_body import ArticleBody
from tui_reader.ui.widgets.entity_panel import EntityPanel, RelatedList
from tui_reader.ui.widgets.preview import meta_line

if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp

Navigator = Callable[[int, int], "int | None"]


class ArticleScreen(Screen[None]):
    """Read one article.

    | Key | Action |
    | --- | --- |
    | `n` / `N` | next / previous search hit |
    | `]` / `[` | next / previous article |
    | `e` | entity colours on/off |
    | `o` / `c` | open in browser / copy URL |
    | `s` / `r` / `t` | star / read / tags |
    """

    AUTO_FOCUS = "#article-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="article.back"),
        Binding("n", "step_hit(1)", "Next hit", id="article.next_hit"),
        Binding("N", "step_hit(-1)", "Prev hit", id="article.previous_hit", show=False),
        Binding("right_square_bracket", "step_article(1)", "Next article", id="article.next"),
        Binding(
            "left_square_bracket",
            "step_article(-1)",
            "Prev article",
            id="article.previous",
            show=False,
        ),
        Binding("e", "toggle_entities", "Entities", id="article.entities"),
        Binding("s", "toggle_star", "Star", id="article.star"),
        Binding("r", "toggle_read", "Read/unread", id="article.read", show=False),
        Binding("t", "edit_tags", "Tags", id="article.tags", show=False),
        Binding("o", "open_browser", "Browser", id="article.browser"),
        Binding("c", "copy_url", "Copy URL", id="article.copy_url", show=False),
        Binding("j", "scroll(1)", "Down", id="article.down", show=False),
        Binding("k", "scroll(-1)", "Up", id="article.up", show=False),
        Binding("space", "page(1)", "Page down", id="article.page_down", show=False),
        Binding("b", "page(-1)", "Page up", id="article.page_up", show=False),
        Binding("g", "top", "Top", id="article.top", show=False),
        Binding("G", "bottom", "Bottom", id="article.bottom", show=False),
    ]

    class Loaded(Message):
        """The article (and the spans of the query's words in it) arrived."""

        def __init__(self, article: Article, hits: list[Span]) -> None:
            super().__init__()
            self.article = article
            self.hits = hits

    def __init__(
        self,
        archive: Archive,
        article_id: int,
        *,
        query: str = "",
        navigator: Navigator | None = None,
        show_entities: bool = True,
    ) -> None:
        super().__init__()
        self.archive = archive
        self.article_id = article_id
        self.search_query = query
        self.navigator = navigator
        self.article: Article | None = None
        self._show_entities = show_entities

    @property
    def reader(self) -> ReaderApp:
        """The app, typed."""
        from tui_reader.ui.app import ReaderApp

        assert isinstance(self.app, ReaderApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading…"), id="article-header")
        with Horizontal(id="article-main"):
            yield ArticleBody(id="article-body")
            with Vertical(id="article-side"):
                yield Label("Entities", classes="side-title")
                yield EntityPanel(id="entities")
                yield Label("Related", classes="side-title")
                yield RelatedList(id="related")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ArticleBody).set_reactive(ArticleBody.show_entities, self._show_entities)
        self.load(self.article_id)

    def load(self, article_id: int) -> None:
        """Show another article in this view."""
        self.article_id = article_id
        self._load(article_id, self.search_query)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def _load(self, article_id: int, query: str) -> None:
        try:
            article = self.archive.get(article_id)
            hits = self.archive.match_spans(article, query) if query.strip() else []
        except ReaderError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(article, hits))

    @on(Loaded)
    async def _loaded(self, event: Loaded) -> None:
        if event.article.id != self.article_id:
            return
        self.article = event.article
        self.show_header(event.article.summary)
        self.query_one(EntityPanel).show(event.article.entities)
        self.query_one(RelatedList).show([])
        body = self.query_one(ArticleBody)
        await body.show(event.article, event.hits)
        position = event.article.reading_position
        if position > 0:
            self.call_after_refresh(body.restore, position)
        self._load_related(event.article)
        if not event.article.summary.is_read:
            self.reader.set_flags(event.article.summary, read=True, quiet=True)

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def _load_related(self, article: Article) -> None:
        related = related_articles(self.archive, article)
        if not get_current_worker().is_cancelled and article.id == self.article_id:
            self.app.call_from_thread(self.query_one(RelatedList).show, related)

    def show_header(self, summary: ArticleSummary) -> None:
        """Draw the header for ``summary`` (also after its flags change)."""
        text = Text()
        text.append(safe_line(summary.title) or "(untitled)", style="bold")
        text.append("\n" + meta_line(summary), style="dim")
        if summary.url:
            text.append("\n" + safe_line(summary.url), style="underline dim")
        self.query_one("#article-header", Static).update(text)

    def summary_changed(self, summary: ArticleSummary) -> None:
        """Called by the app when this article's flags changed."""
        if self.article is not None and self.article.id == summary.id:
            from dataclasses import replace

            self.article = replace(self.article, summary=summary)
            self.show_header(summary)

    # -- actions ---------------------------------------------------------------------

    def _save_position(self) -> None:
        if self.article is not None:
            self.reader.save_position(self.article.id, self.query_one(ArticleBody).position)

    def action_back(self) -> None:
        self._save_position()
        self.dismiss()

    def action_step_hit(self, delta: int) -> None:
        if not self.query_one(ArticleBody).step_hit(delta):
            self.notify("No search hits in this article.", severity="warning")

    def action_step_article(self, delta: int) -> None:
        target = self.navigator(self.article_id, delta) if self.navigator else None
        if target is None:
            self.notify("No more articles in the list.", severity="warning")
            return
        self._save_position()
        self.load(target)

    def action_toggle_entities(self) -> None:
        body = self.query_one(ArticleBody)
        body.show_entities = not body.show_entities

    def action_toggle_star(self) -> None:
        if self.article is not None:
            self.reader.set_flags(self.article.summary, starred=not self.article.summary.is_starred)

    def action_toggle_read(self) -> None:
        if self.article is not None:
            self.reader.set_flags(self.article.summary, read=not self.article.summary.is_read)

    def action_edit_tags(self) -> None:
        from tui_reader.ui.screens.dialogs import TagDialog

        if self.article is not None:
            summary = self.article.summary
            self.app.push_screen(
                TagDialog(summary.tags), lambda tags: self._set_tags(summary, tags)
            )

    def _set_tags(self, summary: ArticleSummary, tags: list[str] | None) -> None:
        if tags is not None:
            self.reader.set_tags(summary, tags)

    def action_open_browser(self) -> None:
        url = self.article.summary.url if self.article else None
        if not url or urlsplit(url).scheme not in ("http", "https"):
            self.notify("This article has no web address to open.", severity="warning")
            return
        self._open_url(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_url(self, url: str) -> None:
        import webbrowser

        opened = webbrowser.open(url)
        if not opened:
            self.app.call_from_thread(self.notify, "No web browser found.", severity="warning")

    def action_copy_url(self) -> None:
        url = self.article.summary.url if self.article else None
        if not url:
            self.notify("This article has no web address.", severity="warning")
            return
        self.app.copy_to_clipboard(url)
        self.notify("Copied the URL.")

    def action_scroll(self, lines: int) -> None:
        body = self.query_one(ArticleBody)
        body.scroll_relative(y=lines, animate=False)

    def action_page(self, direction: int) -> None:
        body = self.query_one(ArticleBody)
        body.scroll_relative(y=direction * max(1, body.size.height - 2), animate=False)

    def action_top(self) -> None:
        self.query_one(ArticleBody).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one(ArticleBody).scroll_end(animate=False)

    @on(OpenArticle)
    def _open_related(self, event: OpenArticle) -> None:
        event.stop()
        self._save_position()
        self.load(event.article_id)
        self.query_one(ArticleBody).focus()
