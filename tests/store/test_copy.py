"""``carrywatch store copy``: SQLite to PostgreSQL and back, provenance intact.

The store copied is the embedded real-data snapshot (the ``seeded`` home) plus a live
FRED fetch of the real DGS10 payload
(``tests/payloads/fred/XinyuLiu2403__acc102-macro-dashboard__DGS10.csv``, 2024-08-05 =
3.78 as data/PROVENANCE.md section 1 quotes; the rows whose value the snapshot
does not already hold are stored) whose body is in the raw archive, a user
series and a delivered alert event.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from carrywatch.cli import main
from carrywatch.store.alert_state import FiredEvent, fired_events, record_fired
from carrywatch.store.archive import RawArchive
from carrywatch.store.copy import TABLES, table_checksum
from carrywatch.store.sqlite import FetchRecord, SeriesRow, Store
from carrywatch.store.user_series import add_user_series
from carrywatch.types import Origin, sha256_hex

BODY = (
    Path(__file__).parents[1]
    / "payloads"
    / "fred"
    / "XinyuLiu2403__acc102-macro-dashboard__DGS10.csv"
).read_bytes()
UST10 = "us.ust.10y"
RETRIEVED = datetime(2024, 8, 10, 12, tzinfo=UTC)


def _live_fetch(store: Store) -> int | None:
    """Append the DGS10 payload's August 2024 rows as a live fetch, body archived."""
    lines = [line.split(",") for line in BODY.decode().splitlines()[1:]]
    august = [(d, float(v)) for d, v in lines if d.startswith("2024-08") and v != "."]
    rows = pd.DataFrame(
        {
            "series_id": UST10,
            "obs_date": pd.to_datetime([d for d, _ in august]),
            "value": [v for _, v in august],
        }
    )
    RawArchive.of(store).put(BODY)
    record = FetchRecord(
        source="fred",
        url="https://fred.stlouisfed.org/graph/fredgraph.csv",
        retrieved_at=RETRIEVED,
        sha256=sha256_hex(BODY),
        n_bytes=len(BODY),
        parse_version=1,
        origin=Origin.LIVE,
        params=(("id", "DGS10"),),
        http_status=200,
        provenance={"media_type": "text/csv"},
    )
    return store.append(record, rows).fetch_id


@pytest.fixture
def source(seeded: Path, tmp_path: Path) -> Path:
    """A copy of the seeded home, with a live fetch, a user series and an alert event."""
    home = tmp_path / "source"
    shutil.copytree(seeded, home)
    with Store.open(home / "carrywatch.sqlite") as store:
        assert _live_fetch(store) is not None
        add_user_series(
            store, SeriesRow("user.tokyo_cpi", "user", "tokyo_cpi", "index", "monthly", "Tokyo CPI")
        )
        event = FiredEvent(
            "ust10 above 3.7",
            "above:us.ust.10y:2024-08-05",
            date(2024, 8, 5),
            "",
            3.78,
            "10y at 3.78",
        )
        record_fired(store, [event], RETRIEVED)
    return home / "carrywatch.sqlite"


def _checksums(store: Store) -> list[tuple[str, int, str]]:
    with store.snapshot() as db:
        sums = [table_checksum(db, t, c, o) for t, c, o in TABLES]
    return [(s.table, s.n_rows, s.sha256) for s in sums]


def _everything(store: Store) -> pd.DataFrame:
    with store.snapshot() as db:
        ids = [r[0] for r in db.execute("SELECT series_id FROM series").fetchall()]
    return store.read(ids)


def _kept_stats(store: Store) -> list[tuple[object, ...]]:
    with store.snapshot() as db:
        rows = db.execute("SELECT * FROM series_stats ORDER BY series_id").fetchall()
        return [tuple(r) for r in rows]


@pytest.mark.timeout(600)
def test_sqlite_to_postgresql_and_back_keeps_every_row_and_its_provenance(
    source: Path, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    offline = tmp_path / "offline" / "carrywatch.sqlite"

    assert main(["store", "copy", "--from", str(source), "--to", postgres_url]) == 0
    printed = capsys.readouterr().out
    assert "observations" in printed
    assert "1 raw payloads" in printed
    assert main(["store", "copy", "--from", postgres_url, "--to", f"sqlite:///{offline}"]) == 0

    with Store.open(source) as a, Store.open(postgres_url) as b, Store.open(offline) as c:
        expected = _checksums(a)
        assert _checksums(b) == expected
        assert _checksums(c) == expected
        assert {t: n for t, n, _ in expected}["observations"] > 340_000
        reads = [_everything(s) for s in (a, b, c)]
        pd.testing.assert_frame_equal(reads[1], reads[0])
        pd.testing.assert_frame_equal(reads[2], reads[0])
        assert b.fetches() == a.fetches() == c.fetches()
        assert fired_events(b) == fired_events(a)
        # The per-series statistics are rebuilt in each target (not copied, not among the
        # checksums): row for row the source's, so status and counts agree.
        assert _kept_stats(b) == _kept_stats(c) == _kept_stats(a)
        assert len(_kept_stats(a)) > 30
        pd.testing.assert_frame_equal(b.series_status(), a.series_status())
        pd.testing.assert_frame_equal(c.series_status(), a.series_status())
        assert b.counts() == c.counts() == a.counts()
        # The live rows keep their provenance: FRED, live, the URL as requested. (They
        # were known before the snapshot's, so they are what was known at RETRIEVED.)
        live = b.read([UST10], known_at=RETRIEVED)
        pd.testing.assert_frame_equal(live, a.read([UST10], known_at=RETRIEVED))
        assert live.set_index("obs_date").loc["2024-08-05", "value"] == 3.78
        assert set(live["source"]) == {"fred"}
        assert set(live["url"]) == {"https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10"}
        assert set(live["origin"]) == {"live"}
        # The body moved from raw/ into the payloads table, and back into raw/.
        assert RawArchive.of(b).get(sha256_hex(BODY)) == BODY
        assert RawArchive.of(c).get(sha256_hex(BODY)) == BODY
        assert c.integrity_check() == "ok"
        with c.snapshot() as db:  # suspended for the load, restored before the commit
            trigger = "SELECT sql FROM sqlite_master WHERE name = 'observations_unpack'"
            assert "series_stats" in db.execute(trigger).fetchone()[0]
        # New fetch ids follow the copied ones on PostgreSQL as on SQLite (a hypothetical
        # value, so that the append stores it).
        later = RETRIEVED.replace(day=11)
        more = pd.DataFrame(
            {"series_id": [UST10], "obs_date": [pd.Timestamp("2024-08-12")], "value": [9.99]}
        )
        fetch = b.fetches()[-1]
        record = FetchRecord(
            source="fred",
            url=fetch.url,
            retrieved_at=later,
            sha256="0" * 64,
            n_bytes=0,
            parse_version=1,
            origin=Origin.LIVE,
        )
        assert b.append(record, more).fetch_id == fetch.fetch_id + 1


def test_a_non_empty_target_is_refused_unless_replace(
    source: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(postgres_url) as target:
        assert _live_fetch(target) is not None
        before = _checksums(target)

    assert main(["store", "copy", "--from", str(source), "--to", postgres_url]) == 1
    message = capsys.readouterr().err
    assert "not empty" in message
    assert "--replace" in message
    with Store.open(postgres_url) as target:
        assert _checksums(target) == before  # untouched

    assert main(["store", "copy", "--from", str(source), "--to", postgres_url, "--replace"]) == 0
    with Store.open(postgres_url) as target, Store.open(source) as original:
        assert _checksums(target) == _checksums(original)


def test_a_missing_or_unknown_source_says_what_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target.sqlite"
    assert (
        main(["store", "copy", "--from", str(tmp_path / "none.sqlite"), "--to", str(target)]) == 1
    )
    assert "no such store file" in capsys.readouterr().err
    assert main(["store", "copy", "--from", "mysql://db/x", "--to", str(target)]) == 1
    assert "postgresql://" in capsys.readouterr().err
    assert not target.exists()
