"""tui-reader: a terminal news reader with an offline, searchable, entity-aware archive."""

__version__ = "0.1.0"
