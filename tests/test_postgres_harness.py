"""The throwaway PostgreSQL server of the tests: where none can be started the tests say
why and are skipped, or fail under ``CARRYWATCH_REQUIRE_POSTGRES=1`` (``.ci/run``)."""

from __future__ import annotations

import pytest

from tests.helpers import postgres


def test_without_binaries_start_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "_bindir", lambda: None)
    reason = postgres.start()
    assert isinstance(reason, str)
    assert "PostgreSQL is not installed" in reason
    assert "apt-get install postgresql" in reason


def test_unavailable_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(postgres.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="skipped: no initdb"):
        postgres.unavailable("no initdb")


def test_unavailable_fails_when_postgresql_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(postgres.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="CARRYWATCH_REQUIRE_POSTGRES=1 but no initdb"):
        postgres.unavailable("no initdb")


def test_the_server_runs_as_an_unprivileged_user(postgres_server: postgres.Server) -> None:
    import psycopg

    with psycopg.connect(postgres_server.url(), autocommit=True) as db:
        row = db.execute("SELECT current_setting('data_directory')").fetchone()
    assert row is not None
    assert row[0].startswith(str(postgres_server.root))
    owner = (postgres_server.root / "data").stat().st_uid
    assert owner != 0  # PostgreSQL refuses root; as root the server runs as nobody
