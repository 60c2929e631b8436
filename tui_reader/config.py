"""The user's configuration: ``config.toml``, read with tomllib and validated strictly.

Every key is optional; an unknown key or a value of the wrong type is an error that
names the key, so a typo never silently does nothing. The file holds only data: no
value in it is ever executed or passed to a shell.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_reader.errors import ConfigError


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """HTTP client settings."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_connections: int = 16
    max_per_host: int = 4
    max_bytes: int = 10_000_000
    retries: int = 3
    max_redirects: int = 10
    backoff: float = 0.5  # first retry wait in seconds, doubled on each retry
    max_retry_wait: float = 30.0  # caps the backoff and a server's Retry-After


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """Search settings."""

    limit: int = 50
    max_expansion: int = 64


@dataclass(frozen=True, slots=True)
class EntitiesConfig:
    """Entity recognition settings."""

    enabled: bool = True


@dataclass(frozen=True, slots=True)
class UIConfig:
    """Reader app settings."""

    theme: str = ""
    highlight_entities: bool = True


@dataclass(frozen=True, slots=True)
class Config:
    """All settings, with their defaults."""

    fetch: FetchConfig = field(default_factory=FetchConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    entities: EntitiesConfig = field(default_factory=EntitiesConfig)
    ui: UIConfig = field(default_factory=UIConfig)


def load_config(path: Path) -> Config:
    """Read ``path``; a missing file gives the defaults."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_config(data, source=str(path))


def parse_config(data: dict[str, Any], source: str = "config") -> Config:
    """Build a Config from parsed TOML, rejecting unknown keys and wrong types."""
    sections: dict[str, Any] = {}
    known = {f.name: f for f in dataclasses.fields(Config)}
    for name, value in data.items():
        if name not in known:
            raise ConfigError(f"{source}: unknown section [{name}]")
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: [{name}] must be a table")
        section_type = type(getattr(Config(), name))
        sections[name] = _parse_section(section_type, value, f"{source}: {name}")
    return Config(**sections)


def _parse_section(cls: type[Any], values: dict[str, Any], where: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    defaults = cls()
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"{where}.{key}: unknown key")
        expected = type(getattr(defaults, key))
        kwargs[key] = _check_value(value, expected, f"{where}.{key}")
    return cls(**kwargs)


def _check_value(value: Any, expected: type[Any], where: str) -> Any:
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if type(value) is not expected:
        raise ConfigError(f"{where}: expected {expected.__name__}, got {type(value).__name__}")
    if expected in (int, float) and value <= 0:
        raise ConfigError(f"{where}: must be greater than 0")
    return value
