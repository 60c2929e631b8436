"""The hostile corpus, generated once per session by tools/make_hostile.py."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLOW = os.environ.get("TUI_READER_SLOW") == "1"


def load_generator() -> ModuleType:
    """tools/make_hostile.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_hostile", ROOT / "tools/make_hostile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_hostile"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


GENERATOR = load_generator()


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus in a temporary folder (the 50 MB file included)."""
    out = tmp_path_factory.mktemp("hostile")
    GENERATOR.write_all(out, big=True)
    return out


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip ``@pytest.mark.slow`` tests here unless TUI_READER_SLOW=1."""
    if SLOW:
        return
    skip = pytest.mark.skip(reason="slow: set TUI_READER_SLOW=1")
    for item in items:
        if "slow" in item.keywords and "/hostile/" in str(item.fspath):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the hostile-case figures (handled / tried per kind)."""
    from tests.hostile.test_hostile import TALLY

    if not TALLY:
        return
    handled = sum(v[0] for v in TALLY.values())
    tried = sum(v[1] for v in TALLY.values())
    detail = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in TALLY.items())
    terminalreporter.write_line(f"hostile cases handled / tried: {handled}/{tried} ({detail})")
