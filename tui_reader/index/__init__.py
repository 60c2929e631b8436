"""The full-text index (Whoosh). The only package that imports whoosh."""

from tui_reader.index.engine import Index, RawHit, RawResult
from tui_reader.index.session import IndexSession

__all__ = ["Index", "IndexSession", "RawHit", "RawResult"]
