"""Messages the reader's widgets and screens send upwards."""

from __future__ import annotations

from textual.message import Message

from tui_reader.models import ArticleSummary


class OpenArticle(Message):
    """Request: open this article in the reading view."""

    def __init__(self, article_id: int) -> None:
        super().__init__()
        self.article_id = article_id


class SearchFor(Message):
    """Request: show the library with this query (an entity, a saved search)."""

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query


class ArticleChanged(Message):
    """Event: an article's flags or tags changed; lists should redraw its row."""

    def __init__(self, summary: ArticleSummary) -> None:
        super().__init__()
        self.summary = summary
