"""Hostile input end to end: each case gets one clear line (no traceback), finishes in
bounded time and memory (a child process under RLIMIT_AS and a timeout), and leaves
the articles already in the archive untouched.

HTTP faults (timeouts, 5xx, redirects, gzip bombs, wrong types) are covered by
tests/service/test_fetching.py and tests/unit/test_fetch.py; they are not repeated here.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from tests.helpers import EN_VISIT, ID_VISIT
from tests.hostile.conftest import GENERATOR
from tests.httpserver import Reply, serving
from tests.reliability.harness import TRACEBACK, article_rows, cli
from tui_reader.archive import Archive
from tui_reader.config import Config, EntitiesConfig
from tui_reader.errors import QueryError
from tui_reader.paths import resolve_paths

MEMORY = 2_500_000_000  # address space, not resident memory: threads reserve a lot
TIMEOUT = 120.0
# What must never reach a terminal from article data.
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\x00", "\u202e", "\u2066", "\u200b", "\ufeff")
TALLY: dict[str, list[int]] = {}  # kind -> [handled, tried], printed at the end


def _tally(kind: str, handled: int, tried: int) -> None:
    seen = TALLY.setdefault(kind, [0, 0])
    seen[0] += handled
    seen[1] += tried


def _seeded_home(home: Path) -> list[tuple[object, ...]]:
    config = Config(entities=EntitiesConfig(enabled=False))
    with Archive(resolve_paths(home), config) as archive:
        archive.add_draft(EN_VISIT)
        archive.add_draft(ID_VISIT)
    return article_rows(home / "data" / "archive.sqlite3")


def _untouched(home: Path, before: list[tuple[object, ...]]) -> None:
    after = {row[0]: row for row in article_rows(home / "data" / "archive.sqlite3")}
    assert [after.get(row[0]) for row in before] == before


def _one_line_each(stderr: str) -> list[str]:
    """Lines that are not one clear message."""
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and (not line.startswith("tui-reader:") or len(line) > 600)
    ]


@dataclass
class Batch:
    """One child run over many cases."""

    home: Path
    before: list[tuple[object, ...]]
    result: CompletedProcess[str]
    seconds: float


def _run(home: Path, *args: str) -> Batch:
    before = _seeded_home(home)
    started = time.perf_counter()
    result = cli(home, *args, timeout=TIMEOUT, max_bytes=MEMORY)
    return Batch(home, before, result, time.perf_counter() - started)


def _judge(kind: str, cases: list[object], lines_for: object, result: Batch) -> list[str]:
    """Check each case's lines against what it expects; returns the failures."""
    failures: list[str] = []
    for case in cases:
        lines = lines_for(case)  # type: ignore[operator]
        expect = case.expect  # type: ignore[attr-defined]
        if (expect == "fail" and not lines) or (expect == "ok" and lines):
            failures.append(f"{case.name}: expected {expect}, got {lines}")  # type: ignore[attr-defined]
    _tally(kind, len(cases) - len(failures), len(cases))
    return failures


# -- files -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def file_batch(hostile_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """``import`` over every hostile file at once (they are also checked one by one)."""
    home = tmp_path_factory.mktemp("files-home")
    paths = [hostile_dir / "files", hostile_dir / "unsupported.pdf", hostile_dir / "fifo.jsonl"]
    return _run(home, "import", *map(str, paths))


def test_hostile_files_each_get_one_clear_line(file_batch: Batch, hostile_dir: Path) -> None:
    cases = [c for c in GENERATOR.write_files(hostile_dir, big=True) if c.kind == "file"]
    err = file_batch.result.stderr
    assert TRACEBACK not in err
    assert not _one_line_each(err)

    def lines_for(case: object) -> list[str]:
        path = case.path  # type: ignore[attr-defined]
        return [line for line in err.splitlines() if f" {path}:" in line]

    failures = _judge("files", cases, lines_for, file_batch)
    assert not failures, failures
    assert file_batch.result.returncode == 1  # some failed, and said so
    assert file_batch.seconds < TIMEOUT
    _untouched(file_batch.home, file_batch.before)


def test_imported_hostile_text_never_reaches_the_terminal(file_batch: Batch) -> None:
    home = file_batch.home
    with Archive.open(home) as archive:
        ids = [s.id for s in archive.list_articles(limit=-1)]
    assert len(ids) > len(file_batch.before)
    outputs = [cli(home, "search", "hostile OR escapes OR harbour").stdout]
    outputs += [cli(home, "export", "--format", "md").stdout]
    outputs += [cli(home, "show", str(i), "--format", "text").stdout for i in ids[-3:]]
    for output in outputs:
        assert output
        assert not [c for c in FORBIDDEN if c in output], output[:400]
    exported = outputs[1]
    assert "<javascript:" not in exported and "](javascript:" not in exported
    assert "secret@" not in exported  # credentials never kept in a stored URL


# -- feeds (served over loopback, fetched by ``refresh``) ---------------------------------


def test_hostile_feeds_fail_one_by_one(hostile_dir: Path, tmp_path: Path) -> None:
    cases = [c for c in GENERATOR.write_feeds(hostile_dir) if c.kind == "feed"]
    home = tmp_path / "home"
    with serving() as server:
        outlines = ""
        for case in cases:
            body = Path(case.path).read_bytes()
            server.route(f"/feeds/{case.name}", Reply(body=body, headers={"Content-Type": ""}))
            outlines += (
                f'<outline text="{case.name}" xmlUrl="{server.url("/feeds/" + case.name)}"/>'
            )
        opml = tmp_path / "feeds.opml"
        opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>', encoding="utf-8")
        before = _seeded_home(home)
        assert cli(home, "feed", "import", str(opml)).returncode == 0
        started = time.perf_counter()
        batch = Batch(home, before, cli(home, "refresh", timeout=TIMEOUT, max_bytes=MEMORY), 0)
        batch.seconds = time.perf_counter() - started
    err = batch.result.stderr
    assert TRACEBACK not in err and not _one_line_each(err), err[-2000:]

    def lines_for(case: object) -> list[str]:
        name = f"/feeds/{case.name}"  # type: ignore[attr-defined]
        return [line for line in err.splitlines() if name in line or f" {case.name}:" in line]  # type: ignore[attr-defined]

    failures = _judge("feeds", cases, lines_for, batch)
    assert not failures, (failures, err)
    _untouched(home, before)
    with Archive.open(home) as archive:
        texts = [archive.get(s.id).text for s in archive.list_articles(limit=-1)]
        titles = [s.title for s in archive.list_articles(limit=-1)]
    assert not any("root:" in t for t in texts)  # the external entity was never read
    assert not [t for t in titles + texts if any(c in t for c in FORBIDDEN)]
    assert len(titles) <= len(before) + 500 + 10  # the 100k-item feed was cut short


# -- OPML, URLs, queries ---------------------------------------------------------------------


def test_hostile_opml_files(hostile_dir: Path, tmp_path: Path) -> None:
    cases = [c for c in GENERATOR.write_opml(hostile_dir) if c.kind == "opml"]
    home = tmp_path / "home"
    before = _seeded_home(home)
    failures = []
    for case in cases:
        result = cli(home, "feed", "import", case.path, timeout=60, max_bytes=MEMORY)
        broken = TRACEBACK in result.stderr or _one_line_each(result.stderr)
        failed = result.returncode != 0
        if broken or (case.expect == "fail" and not failed) or (case.expect == "ok" and failed):
            failures.append(f"{case.name}: exit {result.returncode} {result.stderr[-300:]}")
    _tally("opml", len(cases) - len(failures), len(cases))
    assert not failures, failures
    listed = cli(home, "feed", "list", "--json")
    feeds = json.loads(listed.stdout or "[]")
    assert all(f["url"].startswith(("http://", "https://")) for f in feeds), feeds
    _untouched(home, before)


def test_odd_urls_are_refused_and_credentials_are_not_stored(tmp_path: Path) -> None:
    home = tmp_path / "home"
    before = _seeded_home(home)
    with serving() as server:
        page = (Path(__file__).parents[1] / "fixtures/fetch/article-en.html").read_bytes()
        server.route("/page.html", Reply(body=page))
        with_credentials = server.url("/page.html").replace("http://", "http://user:pw@")
        result = cli(home, "add", "--", *GENERATOR.URLS, with_credentials, timeout=TIMEOUT)
    err = result.stderr
    assert TRACEBACK not in err and not _one_line_each(err), err
    failed = [u for u in GENERATOR.URLS if not any(u in line for line in err.splitlines())]
    _tally("urls", len(GENERATOR.URLS) - len(failed), len(GENERATOR.URLS))
    assert not failed, err
    rows = article_rows(home / "data" / "archive.sqlite3")
    assert not any("pw@" in str(row[1]) for row in rows)
    _untouched(home, before)


def test_hostile_queries_raise_only_query_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    before = _seeded_home(home)
    handled = 0
    with Archive.open(home) as archive:
        for query in GENERATOR.QUERIES:
            started = time.perf_counter()
            try:
                archive.search(query)
            except QueryError as exc:
                assert "\n" not in str(exc)
            assert time.perf_counter() - started < 5
            handled += 1
    _tally("queries", handled, len(GENERATOR.QUERIES))
    for query in ('"unbalanced', "(open", "a" * 10_000):
        result = cli(home, "search", query)
        assert result.returncode == 1 and TRACEBACK not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    _untouched(home, before)


@pytest.mark.slow
def test_each_hostile_file_alone(hostile_dir: Path, tmp_path: Path) -> None:
    """Every file in its own child: a hang or a blow-up is pinned on one case."""
    cases = [c for c in GENERATOR.write_files(hostile_dir, big=True) if c.kind == "file"]
    for i, case in enumerate(cases):
        batch = _run(tmp_path / f"home{i}", "import", case.path)
        assert TRACEBACK not in batch.result.stderr, case.name
        assert not _one_line_each(batch.result.stderr), (case.name, batch.result.stderr)
        _untouched(batch.home, batch.before)
