"""The full-text index (Whoosh). The only package that imports whoosh."""

from tui_reader.index.engine import Index, RawHit, RawResult, unmark

__all__ = ["Index", "RawHit", "RawResult", "unmark"]
