"""The bundled demo: about twenty news pages (half Indonesian) imported through the real
pipeline into a separate demo home, rebuilt whenever the bundled data's version changes.
"""

from __future__ import annotations

import json
import os
import shutil
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from tui_reader.archive import Archive
from tui_reader.errors import InputError
from tui_reader.extract import extract_html
from tui_reader.importer import ImportItem
from tui_reader.paths import HOME_ENV

PAGES = Path(__file__).with_name("pages")
MARKER = "demo-version.json"


def manifest() -> dict[str, Any]:
    """The bundled manifest: its version and, per page, the file, URL and tags."""
    data: dict[str, Any] = json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))
    return data


def demo_home(home: Path | str | None = None) -> Path:
    """Where the demo archive lives: ``HOME/demo`` (or ``$TUI_READER_HOME/demo``), else
    the user's cache folder."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen is not None:
        return Path(chosen).expanduser().absolute() / "demo"
    from platformdirs import PlatformDirs

    return PlatformDirs("tui-reader", appauthor=False).user_cache_path / "demo"


def ensure_demo(home: Path, *, rebuild: bool = False) -> Archive:
    """Open the demo archive at ``home``, (re)building it when needed."""
    wanted = _fingerprint()
    marker = home / MARKER
    if not rebuild and _built_version(marker) == wanted:
        return Archive.open(home)
    if home.exists():
        shutil.rmtree(home)
    archive = Archive.open(home)
    try:
        build_demo(archive)
    except BaseException:
        archive.close()
        raise
    marker.write_text(json.dumps({"version": wanted}), encoding="utf-8")
    return archive


def _built_version(marker: Path) -> str | None:
    try:
        value = json.loads(marker.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _fingerprint() -> str:
    """What the demo archive was built from: the pages, the app and its entity models.

    A new entity model (or app version) rebuilds the demo, so it never shows stale
    entities."""
    from importlib.resources import files

    from tui_reader import __version__

    crc = 0
    models = files("tui_reader.entities")
    for name in ("ner-id.crfsuite", "ner-en.crfsuite", "gazetteer.tsv"):
        resource = models / name
        if resource.is_file():
            crc = zlib.crc32(resource.read_bytes(), crc)
    return f"{manifest()['version']}:{__version__}:{crc:08x}"


def build_demo(archive: Archive) -> None:
    """Import every bundled page (extraction, language, entities, index), then tag them."""
    items = [_item(entry) for entry in manifest()["articles"]]
    report = archive.import_items(items, workers=1)
    if report.failed:
        raise InputError("the demo pages could not be imported: " + "; ".join(report.failures))


def _item(entry: dict[str, Any]) -> ImportItem:
    """Extract one page as the importer would, adding the demo's tags to the draft."""
    source = f"demo:{entry['file']}"
    draft = extract_html((PAGES / entry["file"]).read_bytes(), entry["url"], origin="file")
    tags = tuple(dict.fromkeys([*draft.tags, *entry["tags"]]))
    return ImportItem(source, draft=replace(draft, tags=tags, raw_html=None))
