"""Reading files for ``tui-reader import``: HTML pages, text files and JSONL.

Reading is cheap and happens here; the slow part (extraction, language, entities)
happens in :func:`tui_reader.pipeline.prepare`, possibly in another process.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_reader.errors import ExtractionError, InputError
from tui_reader.extract import decode_bytes, draft_from_text, parse_date
from tui_reader.models import ArticleDraft
from tui_reader.textutil import clean_line

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MAX_FILE_BYTES = 50_000_000
MAX_LINE_CHARS = 5_000_000


@dataclass(frozen=True, slots=True)
class ImportItem:
    """One thing to import: a ready draft, an HTML page to extract, or a failure."""

    source: str
    draft: ArticleDraft | None = None
    html: bytes | None = None
    url: str | None = None
    error: str | None = None


def _kind(path: Path) -> tuple[str, bool]:
    name = path.name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    for kind, suffixes in (
        ("html", HTML_SUFFIXES),
        ("text", TEXT_SUFFIXES),
        ("jsonl", JSONL_SUFFIXES),
    ):
        if name.endswith(suffixes):
            return kind, compressed
    return "", compressed


def expand_paths(paths: list[Path]) -> Iterator[Path | tuple[Path, str]]:
    """Files to import, folders walked in name order; a bad path yields (path, reason)."""
    for path in paths:
        if path.is_dir():
            try:
                children = sorted(p for p in path.rglob("*") if p.is_file() and _kind(p)[0])
            except OSError as exc:
                yield path, f"cannot read the folder ({exc.strerror})"
                continue
            yield from children
        elif path.is_file():
            yield path
        elif path.exists():
            # A FIFO, socket or device would block the import or never end.
            yield path, "not a regular file"
        else:
            yield path, "no such file or folder"


def count_items(paths: list[Path]) -> int:
    """How many items :func:`read_items` will yield (JSONL lines counted), for progress."""
    total = 0
    for entry in expand_paths(paths):
        if isinstance(entry, tuple) or _kind(entry)[0] != "jsonl":
            total += 1
            continue
        try:
            with _open_binary(entry) as stream:
                total += sum(1 for line in stream if line.strip())
        except (OSError, EOFError, zlib.error):
            total += 1
    return total


def read_items(paths: list[Path]) -> Iterator[ImportItem]:
    """Every item in the given files and folders, failures included (never raises)."""
    for entry in expand_paths(paths):
        if isinstance(entry, tuple):
            yield ImportItem(str(entry[0]), error=entry[1])
            continue
        kind, _ = _kind(entry)
        if kind == "jsonl":
            yield from _read_jsonl(entry)
        else:
            yield _read_file(entry, kind)


def _open_binary(path: Path) -> Any:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _read_bytes(path: Path) -> bytes:
    with _open_binary(path) as stream:
        data: bytes = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"file larger than {MAX_FILE_BYTES // 1_000_000} MB")
    return data


def _read_file(path: Path, kind: str) -> ImportItem:
    source = str(path)
    if not kind:
        return ImportItem(source, error="unsupported file type (use .html, .txt, .md or .jsonl)")
    try:
        data = _read_bytes(path)
        if not data.strip():
            raise InputError("empty file")
        if kind == "html":
            decode_bytes(data)  # fail early on binary data
            return ImportItem(source, html=data)
        text = decode_bytes(data)
        return ImportItem(source, draft=draft_from_text(text, name=path.stem))
    except PermissionError:
        return ImportItem(source, error="permission denied")
    except IsADirectoryError:
        return ImportItem(source, error="is a folder")
    except (OSError, EOFError, zlib.error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return ImportItem(source, error=f"cannot read ({reason})")
    except InputError as exc:
        return ImportItem(source, error=str(exc))


def _read_jsonl(path: Path) -> Iterator[ImportItem]:
    try:
        stream = _open_binary(path)
    except OSError as exc:
        yield ImportItem(str(path), error=f"cannot read ({exc.strerror})")
        return
    with stream:
        number = 0
        try:
            for number, line in enumerate(stream, start=1):  # noqa: B007
                if line.strip():
                    yield _jsonl_item(f"{path}:{number}", line)
        except (OSError, EOFError, zlib.error) as exc:
            yield ImportItem(f"{path}:{number + 1}", error=f"cannot read ({exc})")


def _jsonl_item(source: str, line: bytes) -> ImportItem:
    if len(line) > MAX_LINE_CHARS:
        return ImportItem(source, error="line too long")
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ImportItem(source, error="invalid JSON")
    except RecursionError:  # "[[[[...": the stdlib decoder recurses once per level
        return ImportItem(source, error="invalid JSON (nested too deeply)")
    if not isinstance(record, dict):
        return ImportItem(source, error="a line must be a JSON object")
    try:
        return ImportItem(source, draft=draft_from_record(record))
    except (InputError, ExtractionError) as exc:
        return ImportItem(source, error=str(exc))


def _str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{key!r} must be a string")
    return value


def draft_from_record(record: dict[str, Any]) -> ArticleDraft:
    """An article from one JSONL record (the keys ``export`` writes; others ignored).

    Raises:
        InputError: when the record has no text or a value of the wrong type.
    """
    text = (_str(record, "text") or "").strip()
    if not text:
        raise InputError("no 'text'")
    tags = record.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InputError("'tags' must be a list of strings")
    date = _str(record, "date")
    published = parse_date(date)
    if date and published is None:
        raise InputError(f"'date' is not an ISO date: {date!r}")
    base = draft_from_text(text, name="") if not _str(record, "title") else None
    title = clean_line(_str(record, "title") or "") or (base.title if base else "")
    site = clean_line(_str(record, "site") or _str(record, "source") or "")
    lang = clean_line(_str(record, "lang") or "").lower()
    return ArticleDraft(
        title=title,
        text=base.text if base else text,
        url=_str(record, "url") or None,
        # One-line fields are shown on terminals: no escape sequences or bidi controls.
        author=clean_line(_str(record, "author") or "") or None,
        site=site or (base.site if base else None),
        published=published,
        lang=lang[:16] or None,
        tags=tuple(clean_line(t) for t in tags if clean_line(t)),
        origin="file",
    )
