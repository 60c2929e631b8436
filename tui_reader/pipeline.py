"""The slow, pure part of ingest: extraction, language, hashing and entities.

Functions here touch no database and no index, so they run in worker processes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tui_reader.errors import ReaderError
from tui_reader.extract import extract_html
from tui_reader.importer import ImportItem
from tui_reader.index.analysis import language_kind, new_indonesian_stems
from tui_reader.language import cache_dir as language_cache_dir
from tui_reader.language import detect_language
from tui_reader.language import set_cache_dir as set_language_cache_dir
from tui_reader.models import Analysis, ArticleDraft, EntityMention, IndexDoc, PreparedArticle
from tui_reader.textutil import clean_line, clean_text, content_hash, word_count
from tui_reader.workers import exit_with_parent, forkserver_context

log = logging.getLogger(__name__)
Prepared = PreparedArticle | tuple[str, str]  # an article, or (source, error message)


def quick_prepare(draft: ArticleDraft) -> PreparedArticle:
    """Everything the store needs except language and entities: cleaned text and
    one-line fields, hash, word count. Cheap enough to run anywhere."""
    text = clean_text(draft.text).strip()
    draft = replace(
        draft,
        title=clean_line(draft.title) or "(untitled)",
        text=text,
        author=clean_line(draft.author or "") or None,
        site=clean_line(draft.site or "") or None,
    )
    return PreparedArticle(
        draft=draft,
        lang=draft.lang,
        content_hash=content_hash(draft.title, text),
        word_count=word_count(text),
    )


def prepare_draft(draft: ArticleDraft, *, entities: bool = True) -> PreparedArticle:
    """Compute language, hash, word count and entities for a draft."""
    return complete(quick_prepare(draft), entities=entities)


def complete(base: PreparedArticle, *, entities: bool = True) -> PreparedArticle:
    """Add language, stems and entities to what :func:`quick_prepare` made."""
    title, text = base.draft.title, base.draft.text
    lang, found = analyse_text(title, text, base.lang, entities)
    # Stemming is the costly part of indexing Indonesian: do it here, in parallel, and
    # hand the stems to the indexing process.
    stems = new_indonesian_stems(f"{title}\n{text}") if language_kind(lang) == "id" else {}
    return replace(base, lang=lang, entities=found, stems=stems)


def analyse_text(
    title: str, text: str, lang: str | None, entities: bool
) -> tuple[str | None, tuple[EntityMention, ...] | None]:
    """An article's language (``lang`` when known, else detected) and its entities (None
    when ``entities`` is off or the recogniser is not available)."""
    lang = lang or detect_language(f"{title}\n{text}")
    return lang, recognize_entities(text, lang) if entities else None


@dataclass(frozen=True, slots=True)
class DocAnalysis:
    """Analysis of stored articles on their way into the index, in the processes that
    write it (a ``prepare`` for :meth:`~tui_reader.archive.Archive.indexing`): each
    document gets its language, when it has none, and its entities; the report holds
    what the store keeps of that. Language models are cached in ``model_cache``.
    """

    entities: bool
    model_cache: Path | None

    def __call__(self, docs: list[IndexDoc]) -> tuple[list[IndexDoc], list[Analysis]]:
        if language_cache_dir() != self.model_cache:
            set_language_cache_dir(self.model_cache)
        analysed: list[IndexDoc] = []
        report: list[Analysis] = []
        for doc in docs:
            lang, found = analyse_text(doc.title, doc.text, doc.lang, self.entities)
            report.append(Analysis(doc.id, lang, found))
            # The index takes names and types, not offsets (as the store gives them).
            named = tuple(EntityMention(e.name, e.type, e.count) for e in found or ())
            analysed.append(replace(doc, lang=lang, entities=named))
        return analysed, report


def recognize_entities(text: str, lang: str | None) -> tuple[EntityMention, ...] | None:
    """The article's entities, or None when the recogniser is not available."""
    try:
        from tui_reader.entities import analyze
    except ImportError:
        return None
    return tuple(
        EntityMention(e.name, e.type, e.count, tuple(e.spans)) for e in analyze(text, lang)
    )


def prepare_item(item: ImportItem, entities: bool = True) -> Prepared:
    """Prepare one import item; failures come back as (source, message), never raised."""
    if item.error is not None:
        return item.source, item.error
    try:
        if item.html is not None:
            draft = extract_html(item.html, item.url, origin="file")
        elif item.draft is not None:
            draft = item.draft
        else:
            return item.source, "nothing to import"
        return prepare_draft(draft, entities=entities)
    except ReaderError as exc:
        return item.source, str(exc)
    except Exception as exc:  # a library failing on hostile input must not stop a batch
        log.debug("preparing %s failed", item.source, exc_info=True)
        return item.source, f"cannot process ({type(exc).__name__}: {exc})"


def _prepare_chunk(items: list[ImportItem], entities: bool) -> list[Prepared]:
    return [prepare_item(item, entities) for item in items]


def prepare_many(
    items: Iterable[ImportItem],
    *,
    entities: bool = True,
    workers: int = 1,
    chunk: int = 16,
    stems_path: Path | None = None,
) -> Iterator[tuple[ImportItem, Prepared]]:
    """Prepare items in order, in ``workers`` processes when more than one (which start
    with the stems cached at ``stems_path``)."""
    if workers <= 1:
        for item in items:
            yield item, prepare_item(item, entities)
        return
    with process_pool(workers, stems_path=stems_path, entities=entities) as pool:
        yield from _ordered_parallel(pool, items, entities, chunk, window=workers * 4)


def process_pool(
    workers: int, *, stems_path: Path | None = None, entities: bool = False, models: bool = True
) -> Executor:
    """A pool of ``workers`` processes started safely (forkserver) for CPU-bound work;
    each loads the known Indonesian stems as it starts, and the language and entity
    models too with ``models`` (else on first use: a refresh parses feeds first)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=forkserver_context(),
        initializer=warm_worker,
        initargs=(
            str(stems_path) if stems_path else None,
            entities and models,
            models,
            os.getpid(),
            language_cache_dir(),
        ),
    )


def warm_worker(
    stems_path: str | None,
    entities: bool,
    language: bool = True,
    parent_pid: int | None = None,
    model_cache: Path | None = None,
) -> None:
    """A worker's start: exit with the parent; load the language model, the entity models
    and the stems cache once, so no job pays for them (and no word is stemmed twice).
    The language model is read from ``model_cache`` (the parent's cache folder)."""
    if parent_pid is not None:
        exit_with_parent(parent_pid)
    set_language_cache_dir(model_cache)
    try:
        if stems_path:
            from tui_reader.index.analysis import load_stems

            load_stems(Path(stems_path))
        if language:
            detect_language("Presiden berkunjung ke kota itu pada hari Senin pagi.")
        if entities:
            recognize_entities("Presiden Joko Widodo berkunjung ke Jakarta.", "id")
            recognize_entities("President Joe Biden visited London.", "en")
    except Exception:  # a job would meet the same problem and report it properly
        log.debug("warming a worker failed", exc_info=True)


def _ordered_parallel(
    pool: Executor, items: Iterable[ImportItem], entities: bool, chunk: int, window: int
) -> Iterator[tuple[ImportItem, Prepared]]:
    pending: list[tuple[list[ImportItem], Any]] = []
    batch: list[ImportItem] = []
    for item in items:
        batch.append(item)
        if len(batch) >= chunk:
            pending.append((batch, pool.submit(_prepare_chunk, batch, entities)))
            batch = []
            if len(pending) >= window:
                done_items, future = pending.pop(0)
                yield from zip(done_items, future.result(), strict=True)
    if batch:
        pending.append((batch, pool.submit(_prepare_chunk, batch, entities)))
    for done_items, future in pending:
        yield from zip(done_items, future.result(), strict=True)
