"""Reliability tests: long parts run only with TUI_READER_SLOW=1."""

from __future__ import annotations

import os

import pytest

SLOW = os.environ.get("TUI_READER_SLOW") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip ``@pytest.mark.slow`` tests unless TUI_READER_SLOW=1."""
    if SLOW:
        return
    skip = pytest.mark.skip(reason="slow: set TUI_READER_SLOW=1")
    for item in items:
        if (
            "slow" in item.keywords
            and "/reliability/" in str(item.fspath)
            or ("slow" in item.keywords and "/hostile/" in str(item.fspath))
        ):
            item.add_marker(skip)
