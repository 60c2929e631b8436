"""Refresh benchmark: 200 feeds x 20 items on a loopback server, against newsboat.

    .venv/bin/python benchmarks/refresh.py --corpus ../shared/corpus

Item summaries and the pages behind them are taken from the corpus's extraction pages
at run time (nothing is copied into the repo). Prints, for tui-reader's
``refresh --summary-only`` and for newsboat (same feed list, ``reload-threads`` =
our concurrency, ``download-full-page no``; skipped when it is not installed):

1. the time until the new items are stored and listable,
2. the time until they are also analysed (language, entities) and indexed,
3. a refresh with nothing new (every feed answers 304).

Timings on a small machine move a lot between identical runs: ``--runs N`` repeats
everything N times and prints medians with their ranges; each ratio is taken within
a run (both programs under the same load), then the median of those.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import html
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

if TYPE_CHECKING:
    from tests.httpserver import LoopbackServer, Reply, Request

# Worker processes run this script's top level again (multiprocessing imports a script's
# main module in each of them), so the service is imported where it is used: importing it
# here cost each worker ~0.2 s of CPU that `tui-reader refresh` does not pay (its
# script's top level imports in ~20 ms).

_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)


def load_pages(corpus: Path, limit: int) -> list[bytes]:
    """Up to ``limit`` HTML pages from the corpus's extraction sets."""
    pages: list[bytes] = []
    for path in sorted((corpus / "extraction").glob("*/html/*.html*")):
        data = path.read_bytes()
        pages.append(gzip.decompress(data) if path.suffix == ".gz" else data)
        if len(pages) >= limit:
            break
    if not pages:
        raise SystemExit(f"no pages under {corpus}/extraction")
    return pages


def summary_of(page: bytes, words: int = 80) -> str:
    """The first words of a page's visible text: what a feed's description holds."""
    text = html.unescape(_TAGS.sub(" ", page.decode("utf-8", "replace")))
    return " ".join(text.split()[:words])


def feed_xml(base: str, feed: int, items: int, summaries: list[str]) -> bytes:
    """An RSS 2.0 feed whose items link to pages on the server."""
    entries = []
    for i in range(items):
        n = feed * items + i
        text = summaries[n % len(summaries)]
        entries.append(
            f"<item><title>Feed {feed} item {i}: {html.escape(text[:60])}</title>"
            f"<link>{base}/p/{n}.html</link><guid isPermaLink='false'>f{feed}-{i}</guid>"
            f"<pubDate>Mon, 0{1 + i % 9} Jan 2024 10:00:00 GMT</pubDate>"
            f"<description>{html.escape(f'Item {n}. {text}')}</description></item>"
        )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Feed {feed}</title><link>{base}/</link><description>bench</description>"
        f"{''.join(entries)}</channel></rss>"
    ).encode()


def conditional(body: bytes) -> object:
    """A route answering 304 to a matching If-None-Match or If-Modified-Since."""
    from tests.httpserver import Reply

    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    modified = "Mon, 01 Jan 2024 10:00:00 GMT"
    headers = {"Content-Type": "application/rss+xml", "ETag": etag, "Last-Modified": modified}

    def handler(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag or (
            "if-none-match" not in request.headers
            and request.headers.get("if-modified-since") == modified
        ):
            return Reply(304, headers={"ETag": etag})
        return Reply(body=body, headers=headers)

    return handler


def serve(server: LoopbackServer, pages: list[bytes], feeds: int, items: int) -> list[str]:
    """Routes for every feed and page; returns the feed URLs."""
    from tests.httpserver import Reply

    summaries = [summary_of(p) for p in pages]
    for n in range(feeds * items):
        server.route(f"/p/{n}.html", Reply(body=pages[n % len(pages)]))
    urls = []
    for f in range(feeds):
        body = feed_xml(server.base, f, items, summaries)
        urls.append(server.route(f"/feeds/{f}.xml", conditional(body)))  # type: ignore[arg-type]
    return urls


async def run_ours(urls: list[str], home: Path, concurrency: int) -> dict[str, float]:
    """Two refreshes in one process: fresh (stored, then indexed), then all 304."""
    from tui_reader.archive import Archive
    from tui_reader.fetch import FetchSettings
    from tui_reader.fetching import FetchService
    from tui_reader.paths import resolve_paths

    settings = FetchSettings(max_connections=concurrency, max_per_host=concurrency)
    figures: dict[str, float] = {}
    with Archive(resolve_paths(home)) as archive:
        service = FetchService(archive, settings=settings)
        outlines = "".join(f'<outline type="rss" xmlUrl="{u}"/>' for u in urls)
        service.import_opml(f"<opml><body>{outlines}</body></opml>".encode())
        started = time.perf_counter()

        def stored(_: int) -> None:
            figures.setdefault("stored", time.perf_counter() - started)

        report = await service.refresh(summary_only=True, on_stored=stored)
        figures["indexed"] = time.perf_counter() - started
        figures["new"] = report.new_articles
        figures["listable"] = archive.count()
        figures["index_docs"] = archive.index.doc_count()
        started = time.perf_counter()
        again = await service.refresh(summary_only=True)
        figures["unchanged"] = time.perf_counter() - started
        figures["new_again"] = again.new_articles
        await service.aclose()
    return figures


def run_cli_refresh(home: Path) -> float:
    """A whole ``tui-reader refresh --summary-only`` process with nothing new."""
    env = {**os.environ, "TUI_READER_HOME": str(home)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tui_reader", "refresh", "--summary-only"],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def run_newsboat(urls: list[str], workdir: Path, threads: int) -> tuple[list[float], float] | None:
    """Three ``newsboat -x reload`` runs (fresh, second, third) and the max RSS in MB."""
    exe = shutil.which("newsboat")
    if exe is None:
        return None
    (workdir / "urls").write_text("\n".join(urls) + "\n")
    (workdir / "config").write_text(
        f"reload-threads {threads}\ndownload-full-page no\nshow-read-feeds yes\n"
    )
    command = [
        exe,
        "-u", str(workdir / "urls"),
        "-c", str(workdir / "cache.db"),
        "-C", str(workdir / "config"),
        "-x", "reload",
    ]  # fmt: skip
    env = {**os.environ, "HOME": str(workdir), "XDG_CONFIG_HOME": str(workdir)}
    # The child's own ru_maxrss would include this Python process it was forked from;
    # GNU time reports newsboat's alone.
    timer = shutil.which("time") or "/usr/bin/time"
    measure = [timer, "-f", "%M", "-o", str(workdir / "rss")] if Path(timer).exists() else []
    times, rss = [], 0.0
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([*measure, *command], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
        if measure:
            rss = max(rss, int((workdir / "rss").read_text().split()[-1]) / 1024)
    return times, rss


def spread(values: list[float]) -> str:
    """The median, and the range when there are several runs."""
    middle = statistics.median(values)
    if len(values) == 1:
        return f"{middle:.2f}s"
    return f"{middle:.2f}s [{min(values):.2f}-{max(values):.2f}]"


def run_once(urls: list[str], concurrency: int) -> dict[str, Any]:
    """One run of everything, each in a fresh folder: ours, our CLI, newsboat."""
    with tempfile.TemporaryDirectory() as tmp:
        ours = asyncio.run(run_ours(urls, Path(tmp) / "home", concurrency))
        ours["cli"] = run_cli_refresh(Path(tmp) / "home")
        (Path(tmp) / "nb").mkdir()
        newsboat = run_newsboat(urls, Path(tmp) / "nb", concurrency)
    return {"ours": ours, "newsboat": newsboat}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--runs", type=int, default=1, help="repeat everything; medians (and ranges) shown"
    )
    args = parser.parse_args()
    pages = load_pages(args.corpus, 1000)
    from tests.httpserver import serving

    with serving() as server:
        urls = serve(server, pages, args.feeds, args.items)
        runs = [run_once(urls, args.concurrency) for _ in range(max(1, args.runs))]
    ours_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mine = [r["ours"] for r in runs]
    theirs = [r["newsboat"][0] for r in runs if r["newsboat"]]
    nb_rss = max((r["newsboat"][1] for r in runs if r["newsboat"]), default=0.0)
    total = args.feeds * args.items
    print(
        f"{args.feeds} feeds x {args.items} items, concurrency {args.concurrency}, loopback, "
        f"{len(runs)} run(s): median [min-max]"
    )
    for ours in mine:
        print(
            f"tui-reader: {ours['new']:.0f} new, {ours['listable']:.0f} listable, "
            f"{ours['index_docs']:.0f} indexed; second refresh: {ours['new_again']:.0f} new"
        )
    print(f"{'figure':<42} {'tui-reader':>22} {'newsboat':>22} {'ratio':>7}")
    rows = [
        ("(1) new items stored and listable", "stored", 0),
        ("(2) ... and analysed + indexed", "indexed", None),
        ("(3) nothing new (all 304) vs 2nd reload", "unchanged", 1),
        ("(3) nothing new (all 304) vs 3rd reload", "unchanged", 2),
        ("(3') same, whole CLI process", "cli", 2),
    ]
    for label, key, reload in rows:
        ours_values = [o[key] for o in mine]
        other = [t[reload] for t in theirs] if reload is not None and theirs else None
        shown = spread(other) if other else "skipped"
        # Each run's ratio is taken within the run (same load), then the median of those.
        paired = (
            f"{statistics.median(o / t for o, t in zip(ours_values, other, strict=True)):.2f}x"
            if other
            else "-"
        )
        print(f"{label:<42} {spread(ours_values):>22} {shown:>22} {paired:>7}")
    rates = [total / o["indexed"] for o in mine]
    shown_rates = f"{statistics.median(rates):.0f}" + (
        f" [{min(rates):.0f}-{max(rates):.0f}]" if len(rates) > 1 else ""
    )
    print(f"(2) throughput: {shown_rates} summary items/s (goal >= 300)")
    nb = f"{nb_rss:.0f} MB" if nb_rss else "-"
    print(f"max RSS: tui-reader {ours_rss:.0f} MB (main process), newsboat {nb}")
    if not theirs:
        print("newsboat is not installed: its columns are skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
