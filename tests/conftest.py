"""Test-wide guards: no network beyond loopback, a private CARRYWATCH_HOME per test."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import settings as hypothesis_settings

import carrywatch
from carrywatch.store.sqlite import Store
from tests.helpers import postgres

# CI replays a fixed set of examples (derandomized), so a submission's result does not
# depend on the draw; locally every run explores new mutations of the real payloads.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6):
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise RuntimeError(f"tests must not use the network (tried to reach {host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        _guarded_getaddrinfo,
    )


_real_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host not in (None, "localhost", "127.0.0.1", "::1", b"localhost") and not (
        isinstance(host, str) and host.startswith("127.")
    ):
        raise RuntimeError(f"tests must not resolve external hosts (tried {host})")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh CARRYWATCH_HOME, with every origin override cleared."""
    folder = tmp_path / "home"
    monkeypatch.setenv("CARRYWATCH_HOME", str(folder))
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.delenv("CARRYWATCH_DATABASE_URL", raising=False)
    for name in list(os.environ):
        if name.startswith("CARRYWATCH_") and name.endswith("_ORIGIN"):
            monkeypatch.delenv(name)
    return folder


@pytest.fixture(scope="session")
def snapshot_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home seeded from the embedded snapshot once per test session (about 3 s). Never
    used directly: :func:`seeded` gives each module its own copy."""
    folder = tmp_path_factory.mktemp("snapshot-home") / "home"
    carrywatch.open_store(folder).close()
    return folder


@pytest.fixture(scope="module")
def seeded(snapshot_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home seeded from the embedded snapshot, the module's own (copy it again in a test
    that writes)."""
    folder = tmp_path_factory.mktemp("seeded") / "home"
    shutil.copytree(snapshot_home, folder)
    return folder


# -- PostgreSQL ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.Server]:
    """A throwaway PostgreSQL server for the session (tests/helpers/postgres.py). Where
    none can be started the test is skipped, saying why; a failure instead under
    ``CARRYWATCH_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), so CI never skips silently."""
    server = postgres.start()
    if isinstance(server, str):
        postgres.unavailable(server)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: postgres.Server) -> str:
    """The URL of a new, empty database on the throwaway server."""
    return postgres_server.database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's store lives, once per backend: a SQLite file, then a new
    PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "store.sqlite"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def new_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], Store]:
    """A maker of empty stores, once per backend, for property tests whose every
    Hypothesis example needs its own: a new SQLite file per call, or one PostgreSQL
    database per test emptied at each call (a database per example would cost more than
    the example)."""
    if request.param == "sqlite":
        return lambda: Store.open(tmp_path_factory.mktemp("store") / "store.sqlite")
    url: str = request.getfixturevalue("postgres_url")

    def emptied() -> Store:
        store = Store.open(url)
        with store.transaction() as db:
            db.execute(f"TRUNCATE {', '.join(_STORE_TABLES)} RESTART IDENTITY")
        return store

    return emptied


#: The tables :func:`new_store` empties (``meta`` keeps the schema version).
_STORE_TABLES: Final = (
    "observations",
    "fetches",
    "checks",
    "series",
    "newest_columns",
    "series_stats",
    "alert_events",
    "payloads",
)
