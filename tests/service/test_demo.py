"""The bundled demo archive is built through the real pipeline and reused."""

import json
from pathlib import Path

from tui_reader.demo import MARKER, demo_home, ensure_demo, manifest


def test_demo_is_built_once_and_searchable(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    archive = ensure_demo(home)
    try:
        assert archive.count() == len(manifest()["articles"]) >= 20
        langs = {s.lang for s in archive.list_articles(limit=100)}
        assert {"id", "en"} <= langs
        assert archive.top_entities(limit=5), "the demo shows entities"
        assert archive.search("banjir").total >= 1
        assert archive.doctor().ok
        first = archive.list_articles(limit=1)[0].id
        archive.set_starred(first)
    finally:
        archive.close()
    built = json.loads((home / MARKER).read_text())["version"]
    again = ensure_demo(home)  # same pages, app and models: reused, star kept
    try:
        assert again.get(first).summary.is_starred
    finally:
        again.close()
    (home / MARKER).write_text(json.dumps({"version": "stale"}))
    rebuilt = ensure_demo(home)  # anything else: rebuilt from scratch
    try:
        assert not rebuilt.get(first).summary.is_starred
        assert json.loads((home / MARKER).read_text())["version"] == built
    finally:
        rebuilt.close()


def test_demo_home_follows_the_reader_home(reader_home: Path) -> None:
    assert demo_home() == reader_home / "demo"
