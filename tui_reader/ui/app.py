"""The reader app: owns the archive, the UI state and the screens."""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui_reader.archive import Archive
from tui_reader.errors import ReaderError
from tui_reader.models import ArticleSummary
from tui_reader.ui.commands import ArticleProvider
from tui_reader.ui.messages import ArticleChanged, OpenArticle, SearchFor
from tui_reader.ui.screens.article import ArticleScreen
from tui_reader.ui.screens.help import HelpScreen
from tui_reader.ui.screens.library import LibraryScreen
from tui_reader.ui.search import typed_query
from tui_reader.ui.state import UIState, load_state, save_state


class ReaderApp(App[None]):
    """tui-reader: search, read and explore an offline news archive."""

    TITLE = "tui-reader"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ArticleProvider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+p", "command_palette", "Commands", id="app.commands", show=False),
        Binding("a", "add_url", "Add URL", id="app.add_url", show=False),
        Binding("f", "feeds", "Feeds", id="app.feeds", show=False),
    ]

    def __init__(self, archive: Archive, *, heal_index: bool = True) -> None:
        super().__init__()
        self.archive = archive
        self.heal_index = heal_index
        self.state: UIState = load_state(archive.paths.ui_state_path)
        self._fetch_service: Any | None = None
        self._fetch_lock = threading.Lock()
        self._healing_started = False
        self._restore_theme()

    def _restore_theme(self) -> None:
        for name in (self.state.theme, self.archive.config.ui.theme):
            if name and name in self.available_themes:
                self.theme = name
                return

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, lambda theme: self.remember(theme=theme.name))
        self.push_screen(self.library_screen())

    def first_list_shown(self) -> None:
        """Start the slow background work once the first list has painted."""
        if self.heal_index and not self._healing_started:
            self._healing_started = True
            self._heal_index()

    def library_screen(self) -> LibraryScreen:
        """The main screen (made once)."""
        return LibraryScreen(self.archive, self.state.last_query, self.state.sidebar_width)

    @property
    def library(self) -> LibraryScreen:
        """The library screen under whatever is on top."""
        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                return screen
        raise LookupError("no library screen")

    @property
    def fetch_service(self) -> Any | None:
        """The fetching service, when this build has one."""
        with self._fetch_lock:
            if self._fetch_service is None and importlib.util.find_spec("tui_reader.fetching"):
                from tui_reader.fetching import FetchService

                self._fetch_service = FetchService(self.archive, workers=0)
        return self._fetch_service

    # -- background work ---------------------------------------------------------------

    @work(thread=True, exclusive=True, group="heal", exit_on_error=False)
    def _heal_index(self) -> None:
        try:
            note = self.archive.ensure_index()
            # Warm the searcher and the analyzers so the first keystroke is not the slow one.
            self.archive.search(
                "berita OR news", limit=1, snippets=False, suggest=False, exact_total=False
            )
        except ReaderError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        if note:
            self.call_from_thread(self.notify, note.capitalize() + ".", markup=False)
            self.call_from_thread(self.library.action_reload)

    def remember(self, **changes: Any) -> None:
        """Update the UI state and write it in the background."""
        self.state = self.state.with_changes(**changes)
        self._write_state(self.state)

    @work(thread=True, exclusive=True, group="state", exit_on_error=False)
    def _write_state(self, state: UIState) -> None:
        try:
            save_state(self.archive.paths.ui_state_path, state)
        except OSError as exc:
            self.call_from_thread(self.notify, f"Cannot save the UI state: {exc}", markup=False)

    def set_flags(
        self,
        summary: ArticleSummary,
        *,
        read: bool | None = None,
        starred: bool | None = None,
        quiet: bool = False,
    ) -> None:
        """Star/unstar or mark read/unread, then redraw wherever the article shows."""
        self._change(summary.id, read, starred, None, quiet)

    def set_tags(self, summary: ArticleSummary, tags: list[str]) -> None:
        """Replace an article's tags."""
        self._change(summary.id, None, None, tags, False)

    @work(thread=True, group="change", exit_on_error=False)
    def _change(
        self,
        article_id: int,
        read: bool | None,
        starred: bool | None,
        tags: list[str] | None,
        quiet: bool,
    ) -> None:
        try:
            if read is not None:
                self.archive.set_read(article_id, read)
            if starred is not None:
                self.archive.set_starred(article_id, starred)
            if tags is not None:
                self.archive.set_tags(article_id, tags)
            summary = self.archive.get(article_id).summary
        except ReaderError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.call_from_thread(self._changed, summary, quiet)

    def _changed(self, summary: ArticleSummary, quiet: bool) -> None:
        self.library.post_message(ArticleChanged(summary))
        for screen in self.screen_stack:
            if isinstance(screen, ArticleScreen):
                screen.summary_changed(summary)
        if not quiet:
            flags = (
                "★ starred" if summary.is_starred else "not starred",
                "read" if summary.is_read else "unread",
            )
            self.notify(" · ".join(flags), timeout=2)

    def save_position(self, article_id: int, position: float) -> None:
        """Remember where the reader stopped (in the background)."""
        self._save_position(article_id, position)

    @work(thread=True, group="position", exit_on_error=False)
    def _save_position(self, article_id: int, position: float) -> None:
        # Losing a reading position is not worth an interruption.
        with contextlib.suppress(ReaderError):
            self.archive.set_reading_position(article_id, position)

    # -- navigation --------------------------------------------------------------------

    def on_open_article(self, event: OpenArticle) -> None:
        library = self.library
        self.push_screen(
            ArticleScreen(
                self.archive,
                event.article_id,
                query=typed_query(library.source.query),
                navigator=library.neighbour,
                show_entities=self.archive.config.ui.highlight_entities,
            )
        )

    def on_search_for(self, event: SearchFor) -> None:
        while not isinstance(self.screen, LibraryScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        self.library.set_query(event.query)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections: list[tuple[str, list[BindingType]]] = []
        if isinstance(self.screen, Screen) and self.screen.BINDINGS:
            sections.append(
                (type(self.screen).__name__.removesuffix("Screen"), list(self.screen.BINDINGS))
            )
        sections.append(("Everywhere", list(self.BINDINGS)))
        self.push_screen(HelpScreen(sections))

    def action_add_url(self) -> None:
        if self.fetch_service is None:
            self.notify("Adding URLs is not available in this build.", severity="warning")
            return
        from tui_reader.ui.screens.feeds import AddUrlDialog

        self.push_screen(AddUrlDialog())

    def action_feeds(self) -> None:
        if self.fetch_service is None:
            self.notify("Feeds are not available in this build.", severity="warning")
            return
        from tui_reader.ui.screens.feeds import FeedsScreen

        self.push_screen(FeedsScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        yield from super().get_system_commands(screen)
        seen = set()
        for binding in [*screen.BINDINGS, *self.BINDINGS]:
            if isinstance(binding, Binding) and binding.description and binding.id not in seen:
                seen.add(binding.id)
                action = binding.action
                yield SystemCommand(
                    binding.description,
                    f"{binding.description} (key: {binding.key})",
                    lambda action=action, screen=screen: self.run_action(action, screen),
                )

    def archive_changed(self) -> None:
        """New articles landed (or feeds changed): reload the list and the sidebar."""
        self.library.action_reload()

    async def on_unmount(self) -> None:
        service, self._fetch_service = self._fetch_service, None
        if service is not None:
            await service.aclose()
