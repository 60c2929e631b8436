"""Ingest throughput against the bare cost of its steps, and index builds from the store.

    .venv/bin/python benchmarks/ingest.py --corpus ../shared/corpus [--articles 2000]

JSONL import: the first N corpus news records (Indonesian and English in proportion),
written without their ``lang`` key so language id runs, imported into a new archive
through ``Archive.import_items(read_items([file]))`` (what ``tui-reader import`` does:
worker processes for language id and entities, then store, then one bulk index).
HTML import: corpus extraction pages (both page sets, alternating), same path.

Bare costs, single process, on the same input: py3langid via ``detect_language``,
entity ``analyze``, trafilatura's ``bare_extraction`` (same options as ours) for the
pages, and the index alone via ``reindex`` of the archive just built. The ratio is
our wall time over the sum of the bare steps (below 1: the parallel workers won).

Reindex: a copy of an archive's database cut to each size, then ``reindex``; the
index size on disk is the folder's size afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import (
    Goal,
    Section,
    db_path,
    environment,
    html_pages,
    load_line,
    news_records,
    table,
    write_jsonl,
)

INGEST_GOAL = 100.0
REINDEX_GOAL = 250.0


def import_file(home: Path, paths: list[Path]) -> dict[str, Any]:
    """Import through the service the CLI uses; wall time and counts."""
    from tui_reader.archive import Archive
    from tui_reader.importer import count_items, read_items

    expected = count_items(paths)
    with Archive.open(home) as archive:
        began = time.perf_counter()
        report = archive.import_items(read_items(paths), expected=expected)
        seconds = time.perf_counter() - began
        stored = archive.count()
    return {
        "items": expected,
        "stored": stored,
        "added": report.added,
        "failed": report.failed,
        "duplicates": report.duplicates,
        "seconds": seconds,
        "per_s": report.added / seconds if seconds else 0.0,
    }


def time_reindex(home: Path) -> tuple[float, int, int]:
    """(seconds, documents, index bytes) for a full ``reindex`` of ``home``."""
    from tui_reader.archive import Archive

    with Archive.open(home) as archive:
        began = time.perf_counter()
        count = archive.reindex()
        seconds = time.perf_counter() - began
        size = archive.index.size_bytes()
    return seconds, count, size


def bare_language(texts: Sequence[str]) -> float:
    """Seconds for language id alone (model load excluded)."""
    from tui_reader.language import detect_language

    detect_language("warm up the model with a sentence long enough")
    began = time.perf_counter()
    for text in texts:
        detect_language(text)
    return time.perf_counter() - began


def bare_entities(items: Sequence[tuple[str, str | None]]) -> float:
    """Seconds for entity recognition alone (model load excluded)."""
    from tui_reader.entities import analyze

    analyze("Presiden Joko Widodo berkunjung ke Jakarta.", "id")
    analyze("Tony Blair visited London.", "en")
    began = time.perf_counter()
    for text, lang in items:
        analyze(text, lang)
    return time.perf_counter() - began


def bare_trafilatura(pages: Sequence[Path]) -> tuple[float, list[tuple[str, str]]]:
    """Seconds for trafilatura alone on the pages, and (title, text) of each."""
    import gzip

    from trafilatura import bare_extraction

    from tui_reader.extract import TRAFILATURA_OPTIONS, decode_bytes

    decoded = []
    for path in pages:
        data = path.read_bytes()
        decoded.append(decode_bytes(gzip.decompress(data) if path.suffix == ".gz" else data))
    out: list[tuple[str, str]] = []
    began = time.perf_counter()
    for html in decoded:
        try:
            doc = bare_extraction(html, **TRAFILATURA_OPTIONS)
        except Exception:  # the same pages fail in ours; keep the comparison whole
            continue
        if doc is not None:
            fields = doc if isinstance(doc, dict) else doc.as_dict()
            out.append((fields.get("title") or "", fields.get("text") or ""))
    return time.perf_counter() - began, out


def _bare_rows(label: str, ours: dict[str, Any], bare: dict[str, float]) -> list[list[Any]]:
    total = sum(bare.values())
    rows: list[list[Any]] = [
        [f"{label}: ours (import_items)", ours["added"], ours["seconds"], ours["per_s"], None]
    ]
    for step, seconds in bare.items():
        rows.append([f"  bare: {step}", ours["items"], seconds, ours["items"] / seconds, None])
    rows.append(
        [
            "  bare: sum of the steps",
            ours["items"],
            total,
            ours["items"] / total,
            ours["seconds"] / total,
        ]
    )
    return rows


def run_ingest(corpus: Path, articles: int, pages: int, scratch: Path) -> Section:
    """JSONL and HTML import, each next to its bare steps."""
    section = Section("ingest")
    section.emit(f"ingest: {articles:,} JSONL records, {pages} HTML pages; {load_line()}")
    records = list(news_records(corpus, articles))
    scratch.mkdir(parents=True, exist_ok=True)
    jsonl = scratch / "ingest.jsonl"
    write_jsonl(iter(records), jsonl, drop_lang=True)
    ours = import_file(scratch / "jsonl-home", [jsonl])
    texts = [f"{r.get('title', '')}\n{r['text']}" for r in records]
    bare = {
        "language id (py3langid)": bare_language(texts),
        "entities (analyze)": bare_entities([(r["text"], r.get("lang")) for r in records]),
        "index (reindex)": time_reindex(scratch / "jsonl-home")[0],
    }
    rows = _bare_rows("JSONL", ours, bare)
    figures: dict[str, Any] = {"jsonl": {**ours, "bare_s": bare}}
    page_paths = html_pages(corpus, pages)
    if page_paths:
        html_ours = import_file(scratch / "html-home", page_paths)
        extract_s, extracted = bare_trafilatura(page_paths)
        html_bare = {
            "trafilatura (bare_extraction)": extract_s,
            "language id (py3langid)": bare_language([f"{t}\n{x}" for t, x in extracted]),
            "entities (analyze)": bare_entities([(x, None) for _, x in extracted]),
            "index (reindex)": time_reindex(scratch / "html-home")[0],
        }
        rows.extend(_bare_rows("HTML", html_ours, html_bare))
        figures["html"] = {**html_ours, "bare_s": html_bare}
    else:
        section.note(f"no extraction pages under {corpus / 'extraction'}: HTML skipped")
    section.emit(table(["step", "articles", "seconds", "articles/s", "ours / sum of bare"], rows))
    section.note(
        f"ours runs language id and entities in {os.cpu_count()} worker processes; "
        "bare steps run in this one (entities without a language for HTML: detected inside)"
    )
    section.figures.update(figures)
    rate = ours["per_s"]
    section.goals.append(
        Goal(
            "JSONL ingest with entities",
            rate,
            f">= {INGEST_GOAL:.0f}/s",
            rate >= INGEST_GOAL,
            " articles/s",
        )
    )
    return section


def cut_copy(source_home: Path, target_home: Path, size: int) -> int:
    """Copy an archive's database to ``target_home`` keeping its first ``size`` articles."""
    from tui_reader.paths import ensure_dir, resolve_paths

    target = resolve_paths(target_home)
    ensure_dir(target.data_dir)
    src = sqlite3.connect(f"file:{db_path(source_home)}?mode=ro", uri=True)
    dst = sqlite3.connect(target.db_path)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA foreign_keys = ON")
    with dst:
        dst.execute(
            "DELETE FROM articles WHERE id NOT IN (SELECT id FROM articles ORDER BY id LIMIT ?)",
            (size,),
        )
    kept: int = dst.execute("SELECT count(*) FROM articles").fetchone()[0]
    dst.close()
    return kept


def run_reindex(home: Path, sizes: Sequence[int], scratch: Path) -> Section:
    """``reindex`` on copies of ``home`` cut to each size (the original is not touched)."""
    section = Section("reindex")
    section.emit(f"reindex from the store, on copies of {home}; {load_line()}")
    rows: list[list[Any]] = []
    results: list[dict[str, Any]] = []
    for size in sizes:
        copy = scratch / f"reindex-{size}"
        kept = cut_copy(home, copy, size)
        seconds, docs, size_bytes = time_reindex(copy)
        shutil.rmtree(copy, ignore_errors=True)
        result = {
            "articles": kept,
            "seconds": seconds,
            "per_s": docs / seconds,
            "index_mb": size_bytes / 1e6,
        }
        results.append(result)
        rows.append([f"{kept:,} articles", seconds, docs / seconds, size_bytes / 1e6])
        section.emit(f"  {kept:,} articles: {seconds:.1f} s, {docs / seconds:.0f} articles/s")
    section.emit(table(["archive", "seconds", "articles/s", "index MB"], rows))
    section.figures["runs"] = results
    if results:
        largest = results[-1]
        section.goals.append(
            Goal(
                f"reindex ({largest['articles']:,} articles)",
                largest["per_s"],
                f">= {REINDEX_GOAL:.0f}/s",
                largest["per_s"] >= REINDEX_GOAL,
                " articles/s",
            )
        )
    return section


def main() -> int:
    """Run the ingest section alone."""
    from common import write_json

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--html-pages", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        section = run_ingest(args.corpus, args.articles, args.html_pages, Path(tmp))
    print(table(["goal", "measured", "target", "verdict"], [g.row() for g in section.goals]))
    write_json(args.out, "ingest", {"env": environment(), **section.figures})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
