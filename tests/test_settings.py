"""Tests of :meth:`carrywatch.settings.Settings.from_env` with explicit environments."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from carrywatch.errors import ConfigError
from carrywatch.settings import Settings, origin_env_var
from carrywatch.sources.http import DEFAULT_DEADLINE_S, DEFAULT_MAX_BODY_BYTES

#: A key of FRED's shape (32 lower-case alphanumerics). Not a real key.
KEY = "abcdef0123456789abcdef0123456789"
SOURCES = ("japan_mof", "fred", "ustreasury")


def test_home_comes_from_carrywatch_home(tmp_path: Path) -> None:
    settings = Settings.from_env({"CARRYWATCH_HOME": f"  {tmp_path / 'cw'}  "})
    assert settings.home == tmp_path / "cw"
    assert settings.store_path == tmp_path / "cw" / "carrywatch.sqlite"
    assert settings.raw_dir == tmp_path / "cw" / "raw"
    assert settings.template_cache == tmp_path / "cw" / "cache" / "jinja"


def test_a_tilde_in_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings.from_env({"CARRYWATCH_HOME": "~/data/cw"})
    assert settings.home == tmp_path / "data" / "cw"


@pytest.mark.parametrize("environ", [{}, {"CARRYWATCH_HOME": ""}, {"CARRYWATCH_HOME": "  "}])
def test_the_default_home_is_the_user_data_dir(environ: dict[str, str]) -> None:
    home = Settings.from_env(environ).home
    assert home.is_absolute()
    assert home.name == "carrywatch"


def test_reading_settings_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "not-yet"
    settings = Settings.from_env({"CARRYWATCH_HOME": str(folder)})
    assert settings.home == folder
    assert not folder.exists()


def test_the_process_environment_is_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CARRYWATCH_HOME", str(tmp_path / "from-os"))
    monkeypatch.setenv("CARRYWATCH_MAX_PER_HOST", "5")
    settings = Settings.from_env()
    assert settings.home == tmp_path / "from-os"
    assert settings.max_per_host == 5


def test_defaults() -> None:
    settings = Settings.from_env({"CARRYWATCH_HOME": "/srv/cw"}, source_names=SOURCES)
    assert settings.origins == {}
    assert settings.fred_api_key is None
    assert settings.secrets() == {}
    assert settings.max_per_host == 2


# --- origins ----------------------------------------------------------------------------


def test_origin_env_var() -> None:
    assert origin_env_var("japan_mof") == "CARRYWATCH_JAPAN_MOF_ORIGIN"
    assert origin_env_var("fred") == "CARRYWATCH_FRED_ORIGIN"


def test_an_origin_override() -> None:
    settings = Settings.from_env(
        {"CARRYWATCH_JAPAN_MOF_ORIGIN": "http://127.0.0.1:8765"}, source_names=SOURCES
    )
    assert settings.origins == {"japan_mof": "http://127.0.0.1:8765"}


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
        ("  https://localhost:8443  ", "https://localhost:8443"),
        ("https://mirror.example.org", "https://mirror.example.org"),
    ],
)
def test_origins_are_normalised(value: str, origin: str) -> None:
    settings = Settings.from_env({"CARRYWATCH_FRED_ORIGIN": value}, source_names=SOURCES)
    assert settings.origins == {"fred": origin}


def test_several_origins_are_kept_apart() -> None:
    settings = Settings.from_env(
        {
            "CARRYWATCH_FRED_ORIGIN": "http://127.0.0.1:9001",
            "CARRYWATCH_USTREASURY_ORIGIN": "http://127.0.0.1:9002",
            "CARRYWATCH_JAPAN_MOF_ORIGIN": "",
        },
        source_names=SOURCES,
    )
    assert settings.origins == {
        "fred": "http://127.0.0.1:9001",
        "ustreasury": "http://127.0.0.1:9002",
    }


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        # No scheme: the message shows the form and an example.
        ("127.0.0.1:8765", "scheme://host[:port]"),
        ("localhost:8765", "scheme://host[:port]"),
        ("ftp://127.0.0.1:21", "scheme://host[:port]"),
        ("http://", "scheme://host[:port]"),
        # A path or query: the message says only scheme, host and port are replaced.
        ("http://127.0.0.1:8765/fred", "scheme, host and port"),
        ("http://127.0.0.1:8765?key=1", "scheme, host and port"),
        ("http://127.0.0.1:8765/#top", "scheme, host and port"),
    ],
)
def test_a_malformed_origin_is_a_config_error(value: str, hint: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"CARRYWATCH_JAPAN_MOF_ORIGIN": value}, source_names=SOURCES)
    message = str(info.value)
    assert "CARRYWATCH_JAPAN_MOF_ORIGIN" in message
    assert repr(value) in message
    assert hint in message
    if hint == "scheme://host[:port]":
        assert "http://127.0.0.1:8765" in message  # a working example


# --- requests in flight -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("4", 4), (" 16 ", 16)])
def test_max_per_host(text: str, expected: int) -> None:
    assert Settings.from_env({"CARRYWATCH_MAX_PER_HOST": text}).max_per_host == expected


@pytest.mark.parametrize("text", ["0", "00", "-1", "two", "1.5", "2 3", "+2", "0x2"])
def test_a_bad_max_per_host_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="CARRYWATCH_MAX_PER_HOST") as info:
        Settings.from_env({"CARRYWATCH_MAX_PER_HOST": text})
    assert "positive integer" in str(info.value)


def test_a_superscript_digit_is_a_config_error_too() -> None:
    with pytest.raises(ConfigError, match="CARRYWATCH_MAX_PER_HOST"):
        Settings.from_env({"CARRYWATCH_MAX_PER_HOST": "²"})


# --- the FRED key -----------------------------------------------------------------------


def test_the_key_is_available_to_the_http_client_only_through_secrets() -> None:
    settings = Settings.from_env({"FRED_API_KEY": f" {KEY}\n"})
    assert settings.fred_api_key == KEY
    assert settings.secrets() == {"fred_api_key": KEY}


def test_the_key_never_appears_in_repr() -> None:
    settings = Settings.from_env(
        {"FRED_API_KEY": KEY, "CARRYWATCH_HOME": "/srv/cw"}, source_names=SOURCES
    )
    for text in (repr(settings), str(settings), f"{settings}", f"{settings!r}"):
        assert KEY not in text
        assert "fred_api_key=<set>" in text
    assert "fred_api_key=<unset>" in repr(Settings.from_env({"CARRYWATCH_HOME": "/srv/cw"}))


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({"CARRYWATCH_HOME": "/srv/cw"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.max_per_host = 9  # type: ignore[misc]


def test_http_limits_default_to_the_clients_own() -> None:
    settings = Settings.from_env({}, source_names=SOURCES)
    assert settings.http_deadline_s == 120.0
    assert settings.max_body_mb * 2**20 == DEFAULT_MAX_BODY_BYTES
    assert settings.http_deadline_s == DEFAULT_DEADLINE_S
    assert settings.max_body_mb_by_source == {}


def test_http_limits_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "CARRYWATCH_HTTP_DEADLINE_S": "30",
            "CARRYWATCH_HTTP_MAX_BODY_MB": "4",
            "CARRYWATCH_JAPAN_MOF_MAX_BODY_MB": "0.5",
        },
        source_names=SOURCES,
    )
    assert settings.http_deadline_s == 30.0
    assert settings.max_body_mb == 4.0
    assert settings.max_body_mb_by_source == {"japan_mof": 0.5}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("CARRYWATCH_HTTP_DEADLINE_S", "0"),
        ("CARRYWATCH_HTTP_DEADLINE_S", "inf"),
        ("CARRYWATCH_HTTP_MAX_BODY_MB", "-1"),
        ("CARRYWATCH_FRED_MAX_BODY_MB", "lots"),
    ],
)
def test_a_bad_http_limit_is_a_config_error_naming_it(name: str, text: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: text}, source_names=SOURCES)


def test_the_database_url_selects_postgresql_and_is_never_shown_with_its_password(
    tmp_path: Path,
) -> None:
    url = "postgresql://writer:s3cret@db.example:5433/carrywatch"
    settings = Settings.from_env({"CARRYWATCH_HOME": str(tmp_path), "CARRYWATCH_DATABASE_URL": url})
    assert settings.database_url == url
    assert settings.store_location == url
    assert "s3cret" not in repr(settings)
    assert "writer:***@db.example:5433" in repr(settings)
    plain = Settings.from_env({"CARRYWATCH_HOME": str(tmp_path)})
    assert plain.database_url is None
    assert plain.store_location == tmp_path / "carrywatch.sqlite"


@pytest.mark.parametrize("url", ["mysql://db/x", "sqlite:///x.sqlite", "db.example/carrywatch"])
def test_a_database_url_that_is_not_postgresql_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="must be a PostgreSQL URL") as caught:
        Settings.from_env({"CARRYWATCH_DATABASE_URL": url})
    assert "CARRYWATCH_HOME" in str(caught.value)
