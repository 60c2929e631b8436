"""The ``tui-reader`` command.

Imports are lazy so that ``--help`` and ``search`` start fast; the UI (Textual) is
imported only by the commands that open it. Every error is one line on stderr and a
non-zero exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui_reader import __version__
from tui_reader.textutil import clean_line, clean_text

if TYPE_CHECKING:
    from tui_reader.archive import Archive
    from tui_reader.models import Article, SearchResult

PROG = "tui-reader"
Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A terminal news reader with an offline, searchable, entity-aware archive. "
        "Without a command, opens the reader.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--home", type=Path, help="keep everything under this folder (or set TUI_READER_HOME)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_archive_commands(commands)
    from tui_reader import cli_entities, cli_fetch, cli_ui

    cli_entities.add_commands(commands)
    cli_fetch.add_commands(commands)
    cli_ui.add_commands(commands)
    return parser


def _add_archive_commands(commands: Any) -> None:
    p = commands.add_parser("import", help="import HTML, text, Markdown or JSONL files/folders")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--tag", action="append", default=[], help="tag every imported article")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.set_defaults(handler=cmd_import)

    p = commands.add_parser("search", help="search the archive (see the README for the syntax)")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=_positive, default=20)
    p.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_search)

    p = commands.add_parser("show", help="print one article")
    p.add_argument("id", type=int)
    p.add_argument("--format", choices=["md", "text", "json"], default="md")
    p.set_defaults(handler=cmd_show)

    p = commands.add_parser("export", help="export articles (all, or a query's matches)")
    p.add_argument("query", nargs="*")
    p.add_argument("--format", choices=["jsonl", "md"], default="jsonl")
    p.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    p.set_defaults(handler=cmd_export)

    p = commands.add_parser("stats", help="counts by language, site and month; sizes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stats)

    p = commands.add_parser("reindex", help="rebuild the search index from the archive")
    p.set_defaults(handler=cmd_reindex)

    p = commands.add_parser("doctor", help="check the archive and the index")
    p.add_argument("--repair", action="store_true", help="fix what can be fixed")
    p.set_defaults(handler=cmd_doctor)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from tui_reader.errors import ReaderError

    # Everything tui-reader writes (archive, index, exports, state) is private to the user.
    os.umask(0o077)
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        from tui_reader.cli_ui import cmd_open

        handler = cmd_open
    try:
        return handler(args)
    except ReaderError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


@contextmanager
def open_archive(args: argparse.Namespace, *, heal: bool = True) -> Iterator[Archive]:
    """Open the archive named by ``--home``/``TUI_READER_HOME``, healing a lagging index."""
    from tui_reader.archive import Archive

    archive = Archive.open(args.home)
    try:
        if heal:
            with progress_bar("Updating the search index", archive.store.count()) as advance:
                note = archive.ensure_index(progress=advance)
            if note:
                print(f"{PROG}: {note}", file=sys.stderr)
        yield archive
    finally:
        archive.close()


@contextmanager
def progress_bar(
    label: str, total: int | None, *, show: bool = True
) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (only on a terminal); yields an ``advance(n)`` function."""
    if not show or not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def cmd_import(args: argparse.Namespace) -> int:
    """``import PATH...``."""
    from dataclasses import replace

    from tui_reader.importer import count_items, read_items

    total = count_items(args.paths)
    items = read_items(args.paths)
    if args.tag:
        items = (
            replace(i, draft=replace(i.draft, tags=(*i.draft.tags, *args.tag))) if i.draft else i
            for i in items
        )
    with open_archive(args) as archive, progress_bar("Importing", total, show=total > 3) as advance:
        report = archive.import_items(items, progress=advance, workers=args.jobs, expected=total)
    for line in report.failures:
        print(f"{PROG}: failed: {line}", file=sys.stderr)
    print(report.line())
    return 1 if report.failed else 0


def cmd_search(args: argparse.Namespace) -> int:
    """``search QUERY``."""
    query = " ".join(args.query)
    with open_archive(args) as archive:
        result = archive.search(query, limit=args.limit, sort=args.sort)
    if args.json:
        print(json.dumps(search_json(result), ensure_ascii=False, indent=2))
    else:
        print_result(result, sys.stdout)
    return 0


def search_json(result: SearchResult) -> list[dict[str, Any]]:
    """The ``--json`` form of search results."""
    return [
        {
            "id": hit.article.id,
            "title": hit.article.title,
            "url": hit.article.url,
            "site": hit.article.site,
            "date": hit.article.published.isoformat() if hit.article.published else None,
            "lang": hit.article.lang,
            "score": round(hit.score, 4),
            "snippet": hit.snippet,
            "marks": [list(m) for m in hit.marks],
        }
        for hit in result.hits
    ]


def print_result(result: SearchResult, out: TextIO) -> None:
    """Search results for people: title line, then the snippet with matches in bold."""
    bold = out.isatty()
    for notice in result.notices:
        print(f"note: {notice}", file=sys.stderr)
    for hit in result.hits:
        a = hit.article
        date = a.date.date().isoformat()
        where = f"{clean_line(a.site or '') or '-'} {date} {clean_line(a.lang or '') or '?'}"
        print(f"#{a.id}  {clean_line(a.title)}  [{where}]", file=out)
        print(f"    {mark_snippet(hit.snippet, hit.marks, bold)}", file=out)
    shown = len(result.hits)
    print(f"{shown} of {result.total} matching articles", file=sys.stderr)
    if result.suggestion:
        print(f"Did you mean: {result.suggestion}", file=sys.stderr)


def mark_snippet(snippet: str, marks: Sequence[tuple[int, int]], bold: bool) -> str:
    """The snippet with its matches in bold (terminal) or between ``**`` (pipe)."""
    left, right = ("\x1b[1m", "\x1b[0m") if bold else ("**", "**")
    out, last = [], 0
    for start, end in marks:
        out += [snippet[last:start], left, snippet[start:end], right]
        last = end
    out.append(snippet[last:])
    return "".join(out)


def cmd_show(args: argparse.Namespace) -> int:
    """``show ID``."""
    with open_archive(args, heal=False) as archive:
        article = archive.get(args.id)
    if args.format == "json":
        print(json.dumps(article_json(article), ensure_ascii=False, indent=2))
    elif args.format == "md":
        print(article_markdown(article))
    else:
        print(f"{article.title}\n\n{article.text}")
    return 0


def article_json(article: Article) -> dict[str, Any]:
    """An article as the JSONL export/import record (plus id and entities)."""
    s = article.summary
    return {
        "id": s.id,
        "title": s.title,
        "text": article.text,
        "url": s.url,
        "date": s.published.isoformat() if s.published else None,
        "lang": s.lang,
        "site": s.site,
        "author": s.author,
        "tags": list(s.tags),
        "read": s.is_read,
        "starred": s.is_starred,
        "entities": [{"name": e.name, "type": e.type, "count": e.count} for e in article.entities],
    }


def article_markdown(article: Article) -> str:
    """An article as a Markdown document with a metadata block."""
    s = article.summary
    lines = [f"# {_md_escape(s.title)}", ""]
    meta = [
        ("Site", s.site),
        ("Author", s.author),
        ("Date", s.published.date().isoformat() if s.published else None),
        ("Language", s.lang),
        ("URL", _md_url(s.url) if s.url else None),
        ("Tags", ", ".join(s.tags) or None),
    ]
    lines += [f"- **{k}:** {_md_escape(v) if k != 'URL' else v}" for k, v in meta if v]
    return "\n".join([*lines, "", _md_body(article.text), ""])


# Raw HTML (``<script``, ``<img onerror=``), autolinks (``<javascript:...>``) and link
# targets with a scheme other than http(s)/mailto are what a Markdown viewer would
# execute or make clickable; the body's own Markdown (headings, lists) is kept.
_MD_HTML = re.compile(r"<(?=[A-Za-z/!?])")
_MD_LINK_TARGET = re.compile(r"\]\(\s*<?(?!(?:https?|mailto):|#|/)(?=[A-Za-z][\w+.-]*:)")
_SAFE_URL = re.compile(r"https?://[^\s<>]+", re.I)


def _md_body(text: str) -> str:
    """The article's Markdown with raw HTML and unsafe link schemes neutralised."""
    text = clean_text(text)
    text = _MD_HTML.sub(r"\\<", text)
    return _MD_LINK_TARGET.sub(r"]\\(", text)


def _md_url(url: str) -> str:
    """An http(s) URL as an autolink; anything else as escaped text, never a link."""
    url = clean_line(url)
    return f"<{url}>" if _SAFE_URL.fullmatch(url) else _md_escape(url)


def _md_escape(text: str) -> str:
    """Escape Markdown and HTML specials in untrusted one-line text."""
    out = []
    for char in clean_line(text):
        if char in "\\`*_{}[]<>()#+!|":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def cmd_export(args: argparse.Namespace) -> int:
    """``export [QUERY]``."""
    query = " ".join(args.query) or None
    with open_archive(args) as archive:
        if args.output:
            tmp = args.output.with_name(args.output.name + ".part")
            with open_private(tmp) as out:
                count = _write_export(archive, query, args.format, out)
            tmp.replace(args.output)
        else:
            count = _write_export(archive, query, args.format, sys.stdout)
    print(f"exported {count} articles", file=sys.stderr)
    return 0


def open_private(path: Path) -> TextIO:
    """Open ``path`` for writing, readable by the user only (exports hold the archive)."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
    return open(fd, "w", encoding="utf-8")  # noqa: SIM115 - the caller closes it


def _write_export(archive: Archive, query: str | None, fmt: str, out: TextIO) -> int:
    count = 0
    for article in archive.export(query):
        if fmt == "jsonl":
            record = article_json(article)
            for key in ("id", "read", "starred", "entities"):
                record.pop(key)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            out.write(article_markdown(article) + "\n---\n\n")
        count += 1
    return count


def cmd_stats(args: argparse.Namespace) -> int:
    """``stats``."""
    with open_archive(args) as archive:
        figures = archive.stats()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    print(
        f"Articles: {figures['articles']} "
        f"({figures['unread']} unread, {figures['starred']} starred)"
    )
    print(
        f"Database: {figures['database_bytes'] / 1e6:.1f} MB; "
        f"index: {figures['index_bytes'] / 1e6:.1f} MB, {figures['index_documents']} documents"
    )
    for title, key in (("Languages", "by_language"), ("Sites", "by_site"), ("Months", "by_month")):
        print(f"\n{title}:")
        for name, count in figures[key].items():
            print(f"  {count:>7}  {name}")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    """``reindex``."""
    import time

    with open_archive(args, heal=False) as archive:
        started = time.perf_counter()
        with progress_bar("Indexing", archive.store.count()) as advance:
            count = archive.reindex(progress=advance)
        elapsed = time.perf_counter() - started
    print(f"indexed {count} articles in {elapsed:.1f} s")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """``doctor [--repair]``."""
    with open_archive(args, heal=False) as archive:
        report = archive.doctor(repair=args.repair)
    print(f"{report.articles} articles in the archive, {report.indexed} in the search index")
    for line in report.fixed:
        print(f"fixed: {line}")
    for line in report.problems:
        print(f"problem: {line}")
    if report.ok:
        print("all good")
        return 0
    if not args.repair:
        print("run `tui-reader doctor --repair` to fix what can be fixed")
    return 1
