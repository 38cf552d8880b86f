"""``serve`` for readers: series pages and cursors, fetch provenance, answers cached per
store version, and a slow request that holds up no other."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from carrywatch.catalog.spec import load_catalog
from carrywatch.report.render import build_report
from carrywatch.report.server import Server, make_server
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import FetchRecord, Store
from carrywatch.types import Origin
from tests.report.test_server import every_row, rows_of

PAYLOADS = Path(__file__).parents[1] / "payloads"
#: The file the snapshot's DGS10 history was read from (tests/payloads/fred/README.md).
DGS10_FILE = PAYLOADS / "fred" / "XinyuLiu2403__acc102-macro-dashboard__DGS10.csv"


@pytest.fixture
def app(seeded: Path, tmp_path: Path) -> Iterator[tuple[httpx.Client, Path, Server]]:
    home = tmp_path / "home"
    shutil.copytree(seeded, home)
    store_path = home / "carrywatch.sqlite"
    catalog = load_catalog()
    server = make_server(
        lambda: Store.open(store_path, releases=catalog.calendar.release_dates),
        catalog,
        port=0,
        cache_dir=tmp_path / "cache",
        archive=RawArchive(home / "raw"),
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    _host, port = server.server_address[:2]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            yield client, store_path, server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _library_read(
    store_path: Path,
    series_id: str,
    *,
    start: date | None = None,
    end: date | None = None,
    asof: date | None = None,
) -> pd.DataFrame:
    catalog = load_catalog()
    with Store.open(store_path, releases=catalog.calendar.release_dates) as store:
        return store.read([series_id], start=start, end=end, asof=asof)


def _as_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [
        (d.strftime("%Y-%m-%d"), float(v), int(f), s, u, r.strftime("%Y-%m-%d"), rule)
        for d, v, f, s, u, r, rule in zip(
            frame["obs_date"],
            frame["value"],
            frame["fetch_id"],
            frame["source"],
            frame["url"],
            frame["released"],
            frame["release_rule"],
            strict=True,
        )
    ]


def _page_rows(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            r["obs_date"],
            r["value"],
            r["fetch_id"],
            r["source"],
            r["url"],
            r["released"],
            r["release_rule"],
        )
        for r in rows
    ]


def _revision(store_path: Path, k: int, days: pd.DatetimeIndex, value: float) -> None:
    """Append one payload of ``us.ust.10y`` revising ``days`` to ``value``."""
    with Store.open(store_path) as store:
        store.append(
            FetchRecord(
                source="fred",
                url="http://127.0.0.1/graph/fredgraph.csv",
                retrieved_at=datetime(2030, 3, 1, k, tzinfo=UTC),
                sha256=f"{k:064x}",
                n_bytes=1,
                parse_version=1,
                origin=Origin.LIVE,
            ),
            pd.DataFrame({"series_id": "us.ust.10y", "obs_date": days, "value": value}),
        )


def test_pages_concatenated_equal_the_library_read(
    app: tuple[httpx.Client, Path, Server],
) -> None:
    client, store_path, _ = app
    expected = _as_rows(_library_read(store_path, "us.ust.10y"))
    assert len(expected) > 3_000  # DGS10 from 1962: several default pages
    paged = _page_rows(every_row(client, "/api/series/us.ust.10y"))
    assert paged == expected
    # Small pages inside bounds, as of a day: the same as the library's bounded read.
    bounded = _as_rows(
        _library_read(
            store_path,
            "us.ust.10y",
            start=date(2024, 7, 1),
            end=date(2024, 8, 9),
            asof=date(2024, 8, 5),
        )
    )
    small = every_row(
        client,
        "/api/series/us.ust.10y",
        start="2024-07-01",
        end="2024-08-09",
        asof="2024-08-05",
        limit="7",
    )
    assert _page_rows(small) == bounded
    assert bounded[-1][0] == "2024-08-05"  # nothing released after the as-of day
    first = client.get("/api/series/us.ust.10y", params={"limit": "1000"}).json()
    assert len(first["observations"]["obs_date"]) == 1000
    # each fetch of the page once, with a link to its full provenance
    assert [f["fetch_id"] for f in first["fetches"]] == sorted(
        set(first["observations"]["fetch_id"])
    )
    assert first["fetches"][0]["href"] == f"/api/fetches/{first['fetches'][0]['fetch_id']}"


def test_csv_pages_follow_the_link_header(app: tuple[httpx.Client, Path, Server]) -> None:
    client, store_path, _ = app
    params = {"start": "2024-07-01", "end": "2024-08-09", "format": "csv", "limit": "10"}
    answer = client.get("/api/series/jp.jgb.10y", params=params)
    lines: list[str] = []
    while True:
        assert answer.status_code == 200
        page = answer.text.splitlines()
        assert page[0] == "obs_date,value,source,origin,retrieved_at,url,released,release_rule"
        assert len(page) <= 11
        lines.extend(page[1:])
        if "link" not in answer.headers:
            break
        assert answer.headers["link"].endswith('>; rel="next"')
        answer = client.get(answer.headers["link"][1 : answer.headers["link"].index(">")])
    frame = _library_read(store_path, "jp.jgb.10y", start=date(2024, 7, 1), end=date(2024, 8, 9))
    assert [line.split(",")[0] for line in lines] == frame["obs_date"].dt.strftime(
        "%Y-%m-%d"
    ).tolist()
    assert len(lines) > 20


def test_a_cursor_stays_valid_while_a_refresh_appends(
    app: tuple[httpx.Client, Path, Server],
) -> None:
    client, store_path, _ = app
    before = _as_rows(_library_read(store_path, "us.ust.10y", start=date(2024, 1, 1)))
    first = client.get("/api/series/us.ust.10y", params={"start": "2024-01-01", "limit": "100"})
    body = first.json()
    # A refresh revises every date of the later pages and adds new dates, in two payloads.
    _revision(store_path, 1, pd.date_range("2024-06-01", "2026-12-31", freq="B"), 9.5)
    _revision(store_path, 2, pd.date_range("2031-01-01", periods=5, freq="D"), 9.75)
    rows = _page_rows(
        [*rows_of(body), *every_row(client, "/api/series/us.ust.10y", cursor=body["next"])]
    )
    assert rows == before  # the pages are one read, as of the first page's store state
    fresh = every_row(client, "/api/series/us.ust.10y", start="2024-06-03")
    assert {r["value"] for r in fresh} == {9.5, 9.75}  # a new first page sees the refresh


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("limit=0", "limit='0': give a whole number from 1 to 10,000"),
        ("limit=10001", "from 1 to 10,000"),
        ("limit=-5", "from 1 to 10,000"),
        ("limit=ten", "from 1 to 10,000"),
        ("cursor=abc", "cursor is not one this server gave"),
        ("cursor=" + "A" * 40, "cursor is not one this server gave"),
    ],
)
def test_bad_limits_and_cursors_are_refused(
    app: tuple[httpx.Client, Path, Server], query: str, words: str
) -> None:
    client, _, _ = app
    answer = client.get(f"/api/series/us.ust.10y?{query}")
    assert answer.status_code == 400
    assert words in answer.json()["error"]
    assert "\n" not in answer.json()["error"]


def test_a_cut_edited_or_foreign_cursor_is_refused(
    app: tuple[httpx.Client, Path, Server],
) -> None:
    client, _, _ = app
    cursor = client.get("/api/series/us.ust.10y", params={"limit": "5"}).json()["next"]
    assert client.get("/api/series/us.ust.10y", params={"cursor": cursor}).status_code == 200
    edited = cursor[:20] + ("B" if cursor[20] != "B" else "C") + cursor[21:]
    for bad in (cursor[:-3], edited):
        answer = client.get("/api/series/us.ust.10y", params={"cursor": bad})
        assert answer.status_code == 400
        assert "cursor is not one this server gave" in answer.json()["error"]
    foreign = client.get("/api/series/jp.jgb.10y", params={"cursor": cursor})
    assert foreign.status_code == 400
    assert "belongs to another query" in foreign.json()["error"]
    other_day = client.get(
        "/api/series/us.ust.10y", params={"cursor": cursor, "asof": "2024-08-05"}
    )
    assert other_day.status_code == 400


def test_the_fetch_endpoint_gives_a_snapshot_fetchs_real_provenance(
    app: tuple[httpx.Client, Path, Server],
) -> None:
    client, _, _ = app
    page = client.get(
        "/api/series/us.ust.10y", params={"start": "2024-08-05", "end": "2024-08-05"}
    ).json()
    (fetch_id,) = page["observations"]["fetch_id"]
    answer = client.get(f"/api/fetches/{fetch_id}")
    assert answer.status_code == 200
    fetch = answer.json()
    body = DGS10_FILE.read_bytes()
    # The snapshot's DGS10 came from this repository file: its sha256 and size are the
    # file's own (tests/payloads/fred/README.md names the same repository and commit).
    assert (fetch["sha256"], fetch["n_bytes"]) == (hashlib.sha256(body).hexdigest(), len(body))
    assert (fetch["source"], fetch["origin"]) == ("fred", "snapshot")
    assert fetch["provenance"]["repository"] == "XinyuLiu2403/acc102-macro-dashboard"
    assert fetch["provenance"]["original_url"] == "https://fred.stlouisfed.org/series/DGS10"
    assert fetch["url"].startswith("https://github.com/XinyuLiu2403/acc102-macro-dashboard/")
    assert fetch["archived"] is False  # a snapshot's body is the repository file, not raw/


def test_the_fetch_endpoint_says_whether_the_body_is_archived(
    app: tuple[httpx.Client, Path, Server],
) -> None:
    client, store_path, _ = app
    body = DGS10_FILE.read_bytes()
    sha = RawArchive(store_path.parent / "raw").put(body)
    with Store.open(store_path) as store:
        result = store.append(
            FetchRecord(
                source="fred",
                url="https://fred.stlouisfed.org/graph/fredgraph.csv",
                retrieved_at=datetime(2030, 3, 1, tzinfo=UTC),
                sha256=sha,
                n_bytes=len(body),
                parse_version=1,
                origin=Origin.LIVE,
                params=(("id", "DGS10"),),
            ),
            pd.DataFrame({"series_id": ["us.ust.10y"], "obs_date": ["2031-01-02"], "value": [4.2]}),
        )
    fetch = client.get(f"/api/fetches/{result.fetch_id}").json()
    assert fetch["archived"] is True
    assert fetch["params"] == [["id", "DGS10"]]
    assert fetch["retrieved_at"] == "2030-03-01T00:00:00Z"


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/fetches/999999", 404, "no fetch 999999 in the store"),
        ("/api/fetches/abc", 400, "give a whole number"),
        ("/api/fetches/-1", 400, "give a whole number"),
        ("/api/fetches/1234567890123456789", 400, "give a whole number"),
    ],
)
def test_unknown_or_malformed_fetch_ids(
    app: tuple[httpx.Client, Path, Server], path: str, status: int, words: str
) -> None:
    client, _, _ = app
    answer = client.get(path)
    assert answer.status_code == status
    assert words in answer.json()["error"]


def test_cached_answers_are_rebuilt_after_an_append(
    app: tuple[httpx.Client, Path, Server],
) -> None:
    client, store_path, _ = app
    metrics = client.get("/api/metrics", params={"asof": "2024-08-05"}).json()
    # DGS10 3.78 - JGB 10y 0.781 on 2024-08-05 (test_server.py)
    assert metrics["metrics"]["spread.us_jp.10y"]["value"] == pytest.approx(2.999)
    page = client.get("/", params={"asof": "2024-08-05"}).text
    with Store.open(store_path) as store:
        version = store.data_version()
    _revision(store_path, 3, pd.DatetimeIndex(["2024-08-05"]), 4.0)
    with Store.open(store_path) as store:
        assert store.data_version() > version
    again = client.get("/api/metrics", params={"asof": "2024-08-05"}).json()
    # the revised 4.00 - 0.781
    assert again["metrics"]["spread.us_jp.10y"]["value"] == pytest.approx(3.219)
    assert client.get("/", params={"asof": "2024-08-05"}).text != page
    assert (
        client.get("/", params={"asof": "2024-08-05"}).text
        == client.get("/", params={"asof": "2024-08-05"}).text
    )  # and kept until the next change


def test_a_slow_brief_build_holds_up_no_other_request_and_runs_once(
    app: tuple[httpx.Client, Path, Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, store_path, server = app
    started, release = threading.Event(), threading.Event()
    builds: list[date] = []
    real_build = build_report

    def slow_build(*args: Any, **kwargs: Any) -> Any:
        builds.append(args[2])
        started.set()
        assert release.wait(120)  # held until the test lets it go
        return real_build(*args, **kwargs)

    monkeypatch.setattr("carrywatch.report.page_cache.build_report", slow_build)
    answers: list[httpx.Response] = []

    def ask_brief() -> None:
        with httpx.Client(base_url=client.base_url, timeout=120) as own:
            answers.append(own.get("/", params={"asof": "2024-08-05"}))

    askers = [threading.Thread(target=ask_brief) for _ in range(8)]
    askers[0].start()
    assert started.wait(120)
    for asker in askers[1:]:
        asker.start()
    # While the brief is being built, the other routes answer.
    assert client.get("/api/metrics", params={"asof": "2024-08-05"}).status_code == 200
    assert client.get("/api/series/us.ust.10y", params={"limit": "10"}).status_code == 200
    assert client.get("/api/fetches/1").status_code == 200
    assert not release.is_set()
    assert not answers
    # The seven later requests for the same page wait for the one build.
    with Store.open(store_path) as store:
        for _ in range(12_000):  # polled; the bound only keeps a broken build from hanging
            if server.brief_cache.waiting(store, date(2024, 8, 5)) == 7:
                break
            threading.Event().wait(0.01)
        assert server.brief_cache.waiting(store, date(2024, 8, 5)) == 7
    release.set()
    for asker in askers:
        asker.join(120)
    assert [a.status_code for a in answers] == [200] * 8
    assert len({a.text for a in answers}) == 1
    assert builds == [date(2024, 8, 5)]
