"""The full-text index (Whoosh). The only package that imports whoosh."""

from tui_reader.index.engine import Index, RawHit, RawResult

__all__ = ["Index", "RawHit", "RawResult"]
