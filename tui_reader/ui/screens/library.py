"""The library: search bar, sidebar, article list and preview."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from tui_reader.archive import Archive
from tui_reader.errors import ReaderError
from tui_reader.models import ArticleSummary, SearchHit, SortOrder
from tui_reader.ui.messages import ArticleChanged, OpenArticle
from tui_reader.ui.search import ListSource, typed_query
from tui_reader.ui.sidebar_data import load_sidebar
from tui_reader.ui.text import passage
from tui_reader.ui.widgets.article_list import ArticleList
from tui_reader.ui.widgets.preview import Preview
from tui_reader.ui.widgets.sidebar import Sidebar

if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp

DEBOUNCE = 0.12  # seconds of quiet typing before a search starts
PASSAGE_CHARS = 600


class LibraryScreen(Screen[None]):
    """Find articles: type to search, pick a view on the left, read the preview.

    | Key | Action |
    | --- | --- |
    | `/` | focus the search bar |
    | `escape` | back to the list |
    | `enter` | open the article |
    | `s` / `r` | star / toggle read |
    | `o` | sort by relevance or date |
    | `ctrl+s` | save the search |
    """

    AUTO_FOCUS = "#articles"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", id="library.search"),
        Binding("escape", "focus_list", "List", id="library.list", show=False),
        Binding("s", "toggle_star", "Star", id="library.star"),
        Binding("r", "toggle_read", "Read/unread", id="library.read"),
        Binding("o", "toggle_sort", "Sort", id="library.sort"),
        Binding("ctrl+s", "save_search", "Save search", id="library.save_search"),
        Binding(
            "left_square_bracket",
            "sidebar_width(-2)",
            "Narrower sidebar",
            id="library.sidebar_narrower",
            show=False,
        ),
        Binding(
            "right_square_bracket",
            "sidebar_width(2)",
            "Wider sidebar",
            id="library.sidebar_wider",
            show=False,
        ),
        Binding("ctrl+r", "reload", "Reload", id="library.reload", show=False),
    ]

    debounce: ClassVar[float] = DEBOUNCE
    source: var[ListSource] = var(ListSource(), init=False)
    sidebar_width: var[int] = var(28, init=False)

    def __init__(self, archive: Archive, query: str = "", sidebar_width: int = 28) -> None:
        super().__init__()
        self.archive = archive
        self._initial_query = query
        self._debounce: Timer | None = None
        self._preview_timer: Timer | None = None
        self.set_reactive(LibraryScreen.sidebar_width, sidebar_width)
        self.set_reactive(LibraryScreen.source, ListSource(query=query))

    @property
    def reader(self) -> ReaderApp:
        """The app, typed."""
        from tui_reader.ui.app import ReaderApp

        assert isinstance(self.app, ReaderApp)
        return self.app

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                yield Input(
                    value=self._initial_query,
                    placeholder='Search (/): words, "phrases", person:Name, tag:x, date:2024',
                    id="search",
                )
                yield Static(id="status", markup=False)
                yield ArticleList(self.archive, id="articles").data_bind(LibraryScreen.source)
                yield Preview(id="preview")
        yield Footer()

    def on_mount(self) -> None:
        self.watch_sidebar_width(self.sidebar_width)
        self.refresh_sidebar()

    # -- searching -------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        if self.debounce <= 0:
            self.call_later(self._apply_query)
        else:
            self._debounce = self.set_timer(self.debounce, self._apply_query)

    @on(Input.Submitted, "#search")
    def _submitted(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        query = self.query_one("#search", Input).value
        self.source = _replace(self.source, query=query, submitted=True)
        self.reader.remember(last_query=query)
        self.action_focus_list()

    def _apply_query(self) -> None:
        query = self.query_one("#search", Input).value
        if len(query.strip()) == 1:
            self._status(Text("Keep typing…"), error=False)
            return  # one letter matches too much to be worth a search
        if query != self.source.query:
            self.source = _replace(self.source, query=query, submitted=False)
            self.reader.remember(last_query=query)

    def set_query(self, query: str) -> None:
        """Show ``query``'s results over the whole archive (an entity, a saved search)."""
        self.query_one("#search", Input).value = query
        self.source = ListSource(query=query, sort=self.source.sort)
        self.reader.remember(last_query=query)
        self.action_focus_list()

    @on(ArticleList.PageLoaded)
    def _page_loaded(self, event: ArticleList.PageLoaded) -> None:
        page = event.page
        if page.offset or page.generation != self.query_one(ArticleList).generation:
            return
        self.call_after_refresh(self.reader.first_list_shown)
        about = "" if page.result is None or page.result.total_exact else "about "
        text = Text(f"{about}{page.total:,} article{'s' if page.total != 1 else ''}")
        if self.source.is_search:
            text.append(f" · sorted by {self.source.effective_sort()}", style="dim")
        if page.result and page.result.suggestion:
            text.append(" · did you mean ")
            text.append(page.result.suggestion, style="bold")
            text.append("?")
        for notice in page.result.notices if page.result else ():
            text.append(f" · {notice}", style="dim")
        self._status(text, error=False)

    @on(ArticleList.Failed)
    def _failed(self, event: ArticleList.Failed) -> None:
        if event.generation != self.query_one(ArticleList).generation:
            return
        self._status(Text(event.error), error=True)

    def _status(self, text: Text, *, error: bool) -> None:
        status = self.query_one("#status", Static)
        status.set_class(error, "-error")
        status.update(text, layout=False)  # one line of fixed size: no layout pass

    # -- preview ---------------------------------------------------------------------

    @on(ArticleList.Highlighted)
    def _highlighted(self, event: ArticleList.Highlighted) -> None:
        if event.generation != self.query_one(ArticleList).generation:
            return
        preview = self.query_one(Preview)
        preview.hit = event.hit
        preview.passage = ""
        if event.hit is None:
            return
        hit, query = event.hit, typed_query(self.source.query)
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if self.debounce <= 0:
            self._load_passage(hit, query)
        else:  # wait for the cursor (or the typing) to rest: keystrokes come first
            self._preview_timer = self.set_timer(
                self.debounce, lambda: self._load_passage(hit, query)
            )

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _load_passage(self, hit: SearchHit, query: str) -> None:
        try:
            article = self.archive.get(hit.article.id)
            spans = self.archive.match_spans(article, query) if query else []
        except ReaderError:
            return
        if spans:
            snippet, marks = passage(article.text, spans, PASSAGE_CHARS)
            shown = SearchHit(hit.article, hit.score, snippet, tuple(marks))
        else:
            shown = hit
        text = "" if spans else (article.description or article.text)[:PASSAGE_CHARS]
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_passage, shown, text)

    def _show_passage(self, hit: SearchHit, text: str) -> None:
        preview = self.query_one(Preview)
        if preview.hit is not None and preview.hit.article.id == hit.article.id:
            preview.hit = hit
            preview.passage = text

    # -- sidebar ---------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sidebar", exit_on_error=False)
    def refresh_sidebar(self) -> None:
        """Reload the sidebar's entries and counts."""
        try:
            data = load_sidebar(self.archive, self.reader.fetch_service)
        except ReaderError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self.query_one(Sidebar).show, data)

    @on(Sidebar.Chosen)
    def _chosen(self, event: Sidebar.Chosen) -> None:
        if event.kind in ("saved", "entity"):
            if event.kind == "entity":
                from tui_reader.ui.search import entity_query

                kind, name = event.value.split("\t", 1)
                self.set_query(entity_query(name, kind))
            else:
                self.set_query(event.value)
            return
        which = event.value if event.kind == "view" else "all"
        self.source = ListSource(
            query=self.source.query,
            which=which,  # type: ignore[arg-type]
            tag=event.value if event.kind == "tag" else None,
            feed_id=int(event.value) if event.kind == "feed" else None,
            sort=self.source.sort,
        )
        self.action_focus_list()

    def watch_sidebar_width(self, width: int) -> None:
        self.query_one(Sidebar).styles.width = width

    # -- actions ---------------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one(ArticleList).focus()

    def action_toggle_sort(self) -> None:
        order: SortOrder = "date" if self.source.sort == "relevance" else "relevance"
        self.source = _replace(self.source, sort=order)
        self.notify(f"Sorted by {order}" if self.source.is_search else "Lists are by date")

    def action_sidebar_width(self, delta: int) -> None:
        from tui_reader.ui.state import MAX_SIDEBAR, MIN_SIDEBAR

        self.sidebar_width = min(max(self.sidebar_width + delta, MIN_SIDEBAR), MAX_SIDEBAR)
        self.reader.remember(sidebar_width=self.sidebar_width)

    def action_reload(self) -> None:
        self.query_one(ArticleList).reload()
        self.refresh_sidebar()

    def action_save_search(self) -> None:
        from tui_reader.ui.screens.dialogs import SaveSearchDialog

        query = self.source.query.strip()
        if not query:
            self.notify("Type a search first, then save it.", severity="warning")
            return
        self.app.push_screen(SaveSearchDialog(query), self._save_search)

    def _save_search(self, name: str | None) -> None:
        if name is not None:
            self._run_save_search(self.source.query.strip(), name)

    @work(thread=True, group="change", exit_on_error=False)
    def _run_save_search(self, query: str, name: str) -> None:
        try:
            self.archive.save_search(query, name or query)
        except ReaderError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"Saved search: {name or query}", markup=False)
        self.refresh_sidebar()

    def action_toggle_star(self) -> None:
        hit = self.query_one(ArticleList).current
        if hit is not None:
            self.reader.set_flags(hit.article, starred=not hit.article.is_starred)

    def action_toggle_read(self) -> None:
        hit = self.query_one(ArticleList).current
        if hit is not None:
            self.reader.set_flags(hit.article, read=not hit.article.is_read)

    @on(DataTable.RowSelected, "#articles")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        hit = self.query_one(ArticleList).current
        if hit is not None:
            self.post_message(OpenArticle(hit.article.id))

    def article_changed(self, summary: ArticleSummary) -> None:
        """Redraw an article whose flags changed, and the counts."""
        self.query_one(ArticleList).update_summary(summary)
        preview = self.query_one(Preview)
        if preview.hit is not None and preview.hit.article.id == summary.id:
            articles = self.query_one(ArticleList)
            self._highlighted(ArticleList.Highlighted(articles.current, articles.generation))
        self.refresh_sidebar()

    def on_article_changed(self, event: ArticleChanged) -> None:
        self.article_changed(event.summary)

    def neighbour(self, article_id: int, delta: int) -> int | None:
        """The article before/after ``article_id`` in the list."""
        return self.query_one(ArticleList).neighbour(article_id, delta)


def _replace(source: ListSource, **changes: object) -> ListSource:
    from dataclasses import replace

    return replace(source, **changes)  # type: ignore[arg-type]
