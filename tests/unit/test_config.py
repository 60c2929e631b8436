from pathlib import Path

import pytest

from tui_reader.config import Config, load_config, parse_config
from tui_reader.errors import ConfigError


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "nope.toml") == Config()


def test_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[fetch]\nread_timeout = 5\n[search]\nlimit = 10\n[ui]\ntheme = 'nord'\n")
    config = load_config(path)
    assert config.fetch.read_timeout == 5.0
    assert config.search.limit == 10
    assert config.ui.theme == "nord"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fetch": {"timeout": 3}}, "fetch.timeout: unknown key"),
        ({"colours": {}}, "unknown section [colours]"),
        ({"search": {"limit": "ten"}}, "search.limit: expected int, got str"),
        ({"search": {"limit": 0}}, "search.limit: must be greater than 0"),
        ({"entities": {"enabled": 1}}, "entities.enabled: expected bool, got int"),
        ({"ui": 3}, "[ui] must be a table"),
    ],
)
def test_invalid_config_names_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=r".*" + message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(data)


def test_bad_toml_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[fetch\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
