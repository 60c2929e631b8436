"""The full-text index (Whoosh). The only package that imports whoosh."""

from tui_reader.index.engine import Index, IndexSession, RawHit, RawResult

__all__ = ["Index", "IndexSession", "RawHit", "RawResult"]
