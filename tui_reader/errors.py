"""The exception tree: one root, one subclass per kind of failure.

Every message is written for the person at the terminal: one line, no traceback.
"""

from __future__ import annotations


class ReaderError(Exception):
    """Root of every error tui-reader raises on purpose."""


class ConfigError(ReaderError):
    """The configuration file is invalid."""


class InputError(ReaderError):
    """A file, record or argument given to tui-reader cannot be used."""


class ExtractionError(InputError):
    """A page or file held no readable article."""


class QueryError(ReaderError):
    """A search query could not be understood."""


class NotFoundError(ReaderError):
    """The requested article, feed or entity does not exist."""


class StoreError(ReaderError):
    """The archive database could not be read or written."""


class ArchiveBusyError(StoreError):
    """Another process held the archive for longer than we are willing to wait."""


class FetchError(ReaderError):
    """A URL could not be fetched (network, HTTP status, size, type)."""
