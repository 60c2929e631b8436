"""The core never imports Textual; light commands import nothing heavy."""

import json
import pkgutil
import subprocess
import sys

import pytest

import tui_reader

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(tui_reader.__path__, "tui_reader.")
    if not m.name.startswith("tui_reader.ui") and m.name != "tui_reader.__main__"
)


def imported_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_core_module_list_is_not_empty() -> None:
    assert {"tui_reader.archive", "tui_reader.store", "tui_reader.index"} <= set(CORE_MODULES)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    loaded = imported_after(f"import {module}")
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_cli_help_imports_nothing_heavy() -> None:
    loaded = imported_after(
        "import sys\nfrom tui_reader.cli import build_parser\nbuild_parser().format_help()"
    )
    heavy = {"textual", "whoosh", "trafilatura", "httpx", "py3langid", "pycrfsuite", "feedparser"}
    assert not heavy & {m.split(".")[0] for m in loaded}
