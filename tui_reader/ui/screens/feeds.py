"""Adding pages and feeds, and refreshing them (through the fetching service)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, ProgressBar, Static

from tui_reader.errors import ReaderError
from tui_reader.models import Feed, IngestStatus
from tui_reader.ui.text import safe_line

if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


class AddUrlDialog(ModalScreen[None]):
    """Fetch one page (or subscribe to a feed) by its URL."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="add.cancel"),
    ]

    def __init__(self, *, feed: bool = False) -> None:
        super().__init__(classes="dialog")
        self.feed = feed

    def compose(self) -> ComposeResult:
        what = "feed" if self.feed else "page"
        with Vertical(classes="dialog-box"):
            yield Label(f"Add a {what} by its URL", classes="dialog-title")
            yield Input(placeholder="https://…", id="add-url")
            yield Input(placeholder="tags, comma-separated (optional)", id="add-tags")
            yield ProgressBar(total=None, show_eta=False, id="add-progress")
            yield Label("Enter adds · Escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#add-progress").display = False

    @on(Input.Submitted)
    def _submit(self) -> None:
        url = self.query_one("#add-url", Input).value.strip()
        if not url.startswith(("http://", "https://")):
            self.notify("Give an http:// or https:// address.", severity="warning")
            return
        self.query_one("#add-progress").display = True
        self._add(url, _tags(self.query_one("#add-tags", Input).value))

    @work(exclusive=True, group="add", exit_on_error=False)
    async def _add(self, url: str, tags: list[str]) -> None:
        app: ReaderApp = self.app  # type: ignore[assignment]
        service = app.fetch_service
        assert service is not None
        try:
            if self.feed:
                feed: Feed = await service.add_feed(url, tags)
                message = f"Subscribed to {safe_line(feed.title)}"
            else:
                outcome = await service.add_url(url, tags)
                message = _outcome_line(outcome)
        except ReaderError as exc:
            self.query_one("#add-progress").display = False
            self.notify(str(exc), severity="error", markup=False)
            return
        app.notify(message, markup=False)
        app.archive_changed()
        self.dismiss()

    def action_cancel(self) -> None:
        self.dismiss()


def _outcome_line(outcome: Any) -> str:
    if outcome.status is IngestStatus.FAILED:
        return f"Could not add {safe_line(outcome.source)}: {outcome.message}"
    if outcome.status is IngestStatus.DUPLICATE:
        return "Already in the archive."
    return "Added the article."


class FeedsScreen(Screen[None]):
    """The subscribed feeds: add, remove, refresh all."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="feeds.back"),
        Binding("a", "add_feed", "Add feed", id="feeds.add"),
        Binding("d", "remove_feed", "Remove feed", id="feeds.remove"),
        Binding("R", "refresh_all", "Refresh all", id="feeds.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(Text("Feeds", style="bold"), id="feeds-title")
        yield DataTable(id="feeds-table", cursor_type="row")
        yield ProgressBar(id="feeds-progress", show_eta=False)
        yield Static(id="feeds-status", markup=False)
        yield Footer()

    @property
    def reader(self) -> ReaderApp:
        """The app, typed."""
        from tui_reader.ui.app import ReaderApp

        assert isinstance(self.app, ReaderApp)
        return self.app

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (("Title", 36), ("Unread", 7), ("Total", 7), ("Last", 11)):
            table.add_column(label, width=width)
        table.add_column("Status")
        self.query_one(ProgressBar).display = False
        self.load_feeds()

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def load_feeds(self) -> None:
        """Reload the table."""
        service = self.reader.fetch_service
        feeds = service.list_feeds() if service is not None else []
        self.app.call_from_thread(self._show, feeds)

    def _show(self, feeds: list[Feed]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for feed in feeds:
            last = feed.last_success.strftime("%Y-%m-%d") if feed.last_success else "never"
            status = Text(
                safe_line(feed.last_error) or "ok", style="red" if feed.last_error else ""
            )
            table.add_row(
                Text(safe_line(feed.title) or safe_line(feed.url)),
                Text(str(feed.unread)),
                Text(str(feed.total)),
                Text(last),
                status,
                key=str(feed.id),
            )
        self.query_one("#feeds-status", Static).update(
            Text(f"{len(feeds)} feeds" if feeds else "No feeds yet: press a to add one.")
        )

    def action_back(self) -> None:
        self.dismiss()

    def action_add_feed(self) -> None:
        self.app.push_screen(AddUrlDialog(feed=True), self._added)

    def _added(self, _result: None) -> None:
        self.load_feeds()

    def action_remove_feed(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is not None:
            self._remove(int(key))

    @work(thread=True, group="feeds-change", exit_on_error=False)
    def _remove(self, feed_id: int) -> None:
        service = self.reader.fetch_service
        try:
            if service is not None:
                service.remove_feed(feed_id)
        except ReaderError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, "Feed removed (its articles are kept).")
        self.app.call_from_thread(self.reader.archive_changed)
        self.load_feeds()

    def action_refresh_all(self) -> None:
        table = self.query_one(DataTable)
        bar = self.query_one(ProgressBar)
        bar.update(total=max(table.row_count, 1), progress=0)
        bar.display = True
        self._refresh_all()

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _refresh_all(self) -> None:
        service = self.reader.fetch_service
        if service is None:
            return
        bar = self.query_one(ProgressBar)
        try:
            report = await service.refresh(progress=lambda _event: bar.advance(1))
        except ReaderError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        finally:
            bar.display = False
        self.notify(report.line(), markup=False)
        self.reader.archive_changed()
        self.load_feeds()
