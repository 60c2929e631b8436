"""Small archives for driving the reader app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui_reader.archive import Archive
from tui_reader.models import ArticleDraft, EntityMention

SEED_TEXT = (
    "TEMPO.CO, Jakarta - Pemimpin Korea Utara Kim Jong Un menerima hadiah dari Rusia.\n"
    "Pada hari Sabtu dia bertemu dengan Menteri Pertahanan Rusia Sergei Shoigu di Vladivostok.\n"
    "Menurut TASS, Shoigu menunjukkan rudal hipersonik kepada Kim Jong Un.\n"
    "## Kunjungan berakhir\n"
    "- Kim kembali dengan kereta lapis baja dari Vladivostok."
)

DRAFTS = [
    ArticleDraft(
        title="Kim Jong Un bertemu Shoigu di Vladivostok",
        text=SEED_TEXT,
        url="https://tempo.example/kim",
        site="tempo.example",
        published=datetime(2023, 9, 18, 8, 0, tzinfo=UTC),
        lang="id",
    ),
    ArticleDraft(
        title="Harbour ferries stop as crews strike",
        text="Ferry crews in Sydney walked off the job on Monday.\n\nCommuters queued at "
        "Circular Quay while the union met the operator.",
        url="https://harbour.example/ferries",
        site="harbour.example",
        published=datetime(2024, 5, 6, 8, 0, tzinfo=UTC),
        lang="en",
    ),
    ArticleDraft(
        title="Rice prices climb before the harvest",
        text="Rice prices in Jakarta rose again this week.\n\nTraders expect relief in April.",
        site="market.example",
        published=datetime(2024, 2, 28, 8, 0, tzinfo=UTC),
        lang="en",
    ),
]


def _spans(text: str, word: str) -> tuple[tuple[int, int], ...]:
    spans, start = [], text.find(word)
    while start >= 0:
        spans.append((start, start + len(word)))
        start = text.find(word, start + 1)
    return tuple(spans)


def build(home: Path, drafts: list[ArticleDraft] = DRAFTS) -> Archive:
    """An archive of ``drafts`` with deterministic entities on the first one."""
    archive = Archive.open(home)
    ids = [archive.add_draft(d).article_id for d in drafts]
    if ids and drafts is DRAFTS:
        text = archive.get(ids[0]).text
        archive.store.set_entities(
            ids[0],
            [
                EntityMention("Sergei Shoigu", "PER", 1, _spans(text, "Sergei Shoigu")),
                EntityMention("Vladivostok", "LOC", 2, _spans(text, "Vladivostok")),
                EntityMention("TASS", "ORG", 1, _spans(text, "TASS")),
            ],
        )
        archive.sync_index()
    return archive


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """The three-article archive."""
    opened = build(tmp_path / "archive")
    yield opened
    opened.close()


@pytest.fixture
def empty_archive(tmp_path: Path) -> Iterator[Archive]:
    """An archive with nothing in it."""
    opened = Archive.open(tmp_path / "empty")
    yield opened
    opened.close()
