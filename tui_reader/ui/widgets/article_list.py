"""The article list: a DataTable fed page by page, so 50,000 articles cost one page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.reactive import var
from textual.widgets import DataTable
from textual.worker import get_current_worker

from tui_reader.archive import Archive
from tui_reader.errors import ReaderError
from tui_reader.models import ArticleSummary, SearchHit, SearchResult
from tui_reader.ui.search import TYPING_EXPANSION, ListSource
from tui_reader.ui.text import safe_line

PAGE = 60
PRELOAD = 20
FIXED_COLUMNS = 49  # the other columns, two cells of padding each, the scrollbar


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the list, as loaded by a worker."""

    generation: int
    offset: int
    hits: tuple[SearchHit, ...]
    total: int
    result: SearchResult | None = None


class ArticleList(DataTable[Text]):
    """Articles newest first, or a query's hits; more rows load as the cursor nears the end."""

    source: var[ListSource] = var(ListSource(), init=False, always_update=True)

    class PageLoaded(Message):
        """A page arrived (the screen shows the count, the suggestion, the notices)."""

        def __init__(self, page: Page) -> None:
            super().__init__()
            self.page = page

    class Failed(Message):
        """The query could not be run."""

        def __init__(self, generation: int, error: str) -> None:
            super().__init__()
            self.generation = generation
            self.error = error

    class Highlighted(Message):
        """The cursor moved to a hit (or to nothing)."""

        def __init__(self, hit: SearchHit | None, generation: int) -> None:
            super().__init__()
            self.hit = hit
            self.generation = generation

    def __init__(self, archive: Archive, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.archive = archive
        self.hits: list[SearchHit] = []
        self.total = 0
        self.generation = 0
        self._loading = False
        self._title_width = 40

    def on_mount(self) -> None:
        self._set_columns()

    def _set_columns(self) -> None:
        width = self.size.width or self.app.size.width
        self._title_width = max(12, width - FIXED_COLUMNS)
        self.clear(columns=True)
        self.add_column(" ", width=2, key="mark")
        self.add_column("Title", width=self._title_width, key="title")
        self.add_column("Site", width=16, key="site")
        self.add_column("Date", width=10, key="date")
        self.add_column("Lang", width=4, key="lang")
        self.add_column("Min", width=3, key="min")

    def watch_source(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Start again from the first page of the current source."""
        self.generation += 1
        self.hits = []
        self.total = 0
        if self.columns:
            self.clear()  # rows only: the columns (and their widths) stay
        else:
            self._set_columns()
        self._loading = True
        self._load(self.generation, self.source, 0)

    @work(thread=True, exclusive=True, group="list-page", exit_on_error=False)
    def _load(self, generation: int, source: ListSource, offset: int) -> None:
        try:
            page = self._fetch(generation, source, offset)
        except ReaderError as exc:
            if not get_current_worker().is_cancelled:
                self.post_message(self.Failed(generation, str(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(page))

    def _fetch(self, generation: int, source: ListSource, offset: int) -> Page:
        if source.is_search:
            # No snippets here: the preview makes its own for the one article it shows.
            result = self.archive.search(
                source.index_query(),
                limit=PAGE,
                offset=offset,
                sort=source.effective_sort(),
                snippets=False,
                max_expansion=TYPING_EXPANSION,
                exact_total=False,
                suggest=source.submitted,
            )
            return Page(generation, offset, result.hits, result.total, result)
        feed, tag = source.feed_id, source.tag
        rows = self.archive.list_articles(
            source.which, feed_id=feed, tag=tag, limit=PAGE, offset=offset
        )
        total = self.archive.count(source.which, feed_id=feed, tag=tag) if offset == 0 else 0
        return Page(generation, offset, tuple(SearchHit(s, 0.0) for s in rows), total)

    @on(PageLoaded)
    def _add_page(self, event: PageLoaded) -> None:
        page = event.page
        if page.generation != self.generation or page.offset != len(self.hits):
            event.stop()
            return
        self._loading = False
        if page.offset == 0:
            self.total = page.total
        if len(page.hits) < PAGE:  # the end: an estimated total is now known exactly
            self.total = page.offset + len(page.hits)
        self.hits.extend(page.hits)
        self.add_rows(self._cells(hit.article) for hit in page.hits)
        if page.offset == 0:
            self.post_message(
                self.Highlighted(self.hits[0] if self.hits else None, self.generation)
            )

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        if event.generation != self.generation:
            event.stop()
            return
        self._loading = False

    def _cells(self, summary: ArticleSummary) -> list[Text]:
        mark = Text("★" if summary.is_starred else ("●" if not summary.is_read else " "))
        mark.stylize("bold" if not summary.is_read else "dim")
        title = Text(safe_line(summary.title) or "(untitled)", no_wrap=True, overflow="ellipsis")
        if not summary.is_read:
            title.stylize("bold")
        return [
            mark,
            title,
            Text(safe_line(summary.site) or "—", no_wrap=True, overflow="ellipsis"),
            Text(_date(summary.date)),
            Text(safe_line(summary.lang)[:4] or "?"),
            Text(str(summary.reading_minutes), justify="right"),
        ]

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        row = event.cursor_row
        hit = self.hits[row] if 0 <= row < len(self.hits) else None
        self.post_message(self.Highlighted(hit, self.generation))
        self._maybe_more(row)

    def _maybe_more(self, row: int) -> None:
        if self._loading or len(self.hits) >= self.total or row < len(self.hits) - PRELOAD:
            return
        self._loading = True
        self._load(self.generation, self.source, len(self.hits))

    def on_resize(self) -> None:
        width = max(12, self.size.width - FIXED_COLUMNS)
        if width != self._title_width and "title" in self.columns:
            self._title_width = width
            self.columns["title"].width = width  # type: ignore[index]
            self.refresh()

    @property
    def current(self) -> SearchHit | None:
        """The hit under the cursor."""
        row = self.cursor_row
        return self.hits[row] if 0 <= row < len(self.hits) and self.row_count else None

    def neighbour(self, article_id: int, delta: int) -> int | None:
        """The article ``delta`` rows from ``article_id``; moves the cursor there."""
        ids = [hit.article.id for hit in self.hits]
        if article_id not in ids:
            return None
        row = ids.index(article_id) + delta
        if not 0 <= row < len(ids):
            return None
        self.move_cursor(row=row)
        return ids[row]

    def update_summary(self, summary: ArticleSummary) -> None:
        """Redraw one article's row after its flags changed."""
        for row, hit in enumerate(self.hits):
            if hit.article.id == summary.id:
                self.hits[row] = SearchHit(summary, hit.score, hit.snippet, hit.marks)
                for column, cell in enumerate(self._cells(summary)):
                    self.update_cell_at((row, column), cell)  # type: ignore[arg-type]
                return


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")
