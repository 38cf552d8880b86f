"""``carrywatch serve``: endpoints, 4xx answers, and requests served while a refresh writes."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from carrywatch.catalog.spec import load_catalog
from carrywatch.cli import main
from carrywatch.report.metrics import headline_metrics
from carrywatch.report.server import make_server
from carrywatch.store.alert_state import FiredEvent, record_fired
from carrywatch.store.sqlite import FetchRecord, Store
from carrywatch.types import Origin
from carrywatch.workspace import catalog_of


@pytest.fixture
def served(seeded: Path, tmp_path: Path) -> Iterator[tuple[httpx.Client, Path]]:
    home = tmp_path / "home"
    shutil.copytree(seeded, home)
    store_path = home / "carrywatch.sqlite"
    server = make_server(
        lambda: Store.open(store_path), load_catalog(), port=0, cache_dir=tmp_path / "cache"
    )
    # A short poll interval: shutting the server down waits for one poll.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    _host, port = server.server_address[:2]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client, store_path
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_metrics_endpoint_equals_the_library(served: tuple[httpx.Client, Path]) -> None:
    client, store_path = served
    answer = client.get("/api/metrics", params={"asof": "2024-08-05"})
    assert answer.status_code == 200
    with Store.open(store_path) as store:
        expected = headline_metrics(store, load_catalog(), date(2024, 8, 5)).to_json()
    assert answer.json() == expected
    # DGS10 3.78 - JGB 10y 0.781 on 2024-08-05
    assert answer.json()["metrics"]["spread.us_jp.10y"]["value"] == pytest.approx(2.999)


def test_series_endpoint_in_json_and_csv(served: tuple[httpx.Client, Path]) -> None:
    client, _ = served
    answer = client.get(
        "/api/series/us.ust.10y", params={"start": "2024-08-05", "end": "2024-08-06"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["series_id"] == "us.ust.10y"
    assert body["unit"] == "percent"
    first = rows_of(body)[0]
    assert (first["obs_date"], first["value"], first["origin"]) == ("2024-08-05", 3.78, "snapshot")
    assert first["url"].startswith("https://github.com/")
    assert body["next"] is None
    csv_answer = client.get(
        "/api/series/jp.jgb.10y",
        params={"start": "2024-08-05", "end": "2024-08-05", "format": "csv"},
    )
    assert csv_answer.status_code == 200
    assert csv_answer.headers["content-type"].startswith("text/csv")
    lines = csv_answer.text.splitlines()
    assert lines[0] == "obs_date,value,source,origin,retrieved_at,url,released,release_rule"
    assert lines[1].startswith("2024-08-05,0.781,japan_mof,snapshot,")
    assert lines[1].endswith(",2024-08-05,usual lag of 0 days")


def rows_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A page's observations as one dict per row, each with its fetch's provenance."""
    columns = body["observations"]
    fetches = {f["fetch_id"]: f for f in body["fetches"]}
    return [
        {**dict(zip(columns, values, strict=True)), **fetches[values[2]]}
        for values in zip(*columns.values(), strict=True)
    ]


def every_row(client: httpx.Client, path: str, **params: str) -> list[dict[str, Any]]:
    """Every page of ``path`` (following ``next``), as rows."""
    rows: list[dict[str, Any]] = []
    answer = client.get(path, params=params)
    while True:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        rows.extend(rows_of(body))
        if body["next"] is None:
            return rows
        answer = client.get(path, params={"cursor": body["next"]})


def _series(client: httpx.Client, series_id: str, asof: str) -> list[dict[str, Any]]:
    answer = client.get(f"/api/series/{series_id}", params={"asof": asof})
    assert answer.status_code == 200
    assert answer.json()["asof"] == asof
    return every_row(client, f"/api/series/{series_id}", asof=asof)


def test_the_series_endpoint_shows_only_what_was_published_by_asof(
    served: tuple[httpx.Client, Path],
) -> None:
    client, _ = served
    # The BOJ raised its rate on 2025-12-19 (events.toml); as of 2025-12-05 that is unknown.
    boj = _series(client, "jp.boj.policy_rate", "2025-12-05")
    assert max(str(o["obs_date"]) for o in boj) <= "2025-12-05"
    everything = every_row(client, "/api/series/jp.boj.policy_rate")
    assert any(o["obs_date"] == "2025-12-19" for o in everything)
    # Core PCE: September 2025 was released on 2025-12-05 after the shutdown (BEA, "Personal
    # Income and Outlays, September 2025": "Current release: December 5, 2025"); October's
    # came on 2026-01-22, so the newest as of 2025-12-05 is September, dated by the calendar.
    pce = _series(client, "us.core_pce", "2025-12-05")
    newest = pce[-1]
    assert (newest["obs_date"], newest["released"], newest["release_rule"]) == (
        "2025-09-01",
        "2025-12-05",
        "release calendar",
    )
    assert _series(client, "us.core_pce", "2025-12-04")[-1]["obs_date"] == "2025-08-01"
    # M2 (H.6, not delayed): the usual lag of 58 days; November's is not out on 12-05.
    m2 = _series(client, "us.m2", "2025-12-05")
    assert (m2[-1]["obs_date"], m2[-1]["release_rule"]) == ("2025-10-01", "usual lag of 58 days")


@pytest.mark.parametrize("day", ["1700-01-01", "2260-12-31"])
def test_the_extremes_of_the_representable_range_are_answered(
    served: tuple[httpx.Client, Path], day: str
) -> None:
    client, _ = served
    answer = client.get("/api/metrics", params={"asof": day})
    assert answer.status_code == 200
    assert answer.json()["asof"] == day
    assert client.get("/api/series/us.ust.10y", params={"asof": day}).status_code == 200
    assert client.get("/", params={"asof": day}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "asof=9999-12-31",
        "asof=0001-01-01",
        "asof=1699-12-31",
        "asof=2261-01-01",
        "asof=2025-02-30",
        "asof=2025-12-05T00:00",
    ],
)
@pytest.mark.parametrize("route", ["/api/metrics", "/api/series/us.m2", "/"])
def test_a_day_outside_the_representable_range_or_impossible_is_a_400(
    served: tuple[httpx.Client, Path], route: str, query: str
) -> None:
    client, _ = served
    answer = client.get(f"{route}?{query}")
    assert answer.status_code == 400
    message = answer.json()["error"]
    assert "is not a date" in message or "outside the dates carrywatch can represent" in message


def test_the_page_honours_asof(served: tuple[httpx.Client, Path]) -> None:
    client, _ = served
    page = client.get("/", params={"asof": "2024-08-05"})
    assert page.status_code == 200
    assert "2024-08-05" in page.text
    assert page.text != client.get("/").text


def test_the_brief_page_and_plotly_are_served_without_a_cdn(
    served: tuple[httpx.Client, Path],
) -> None:
    client, _ = served
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "plotly.min.js" in page.text
    assert "cdn." not in page.text.lower()
    script = client.get("/plotly.min.js")
    assert script.status_code == 200
    assert len(script.content) > 1_000_000


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/series/us.ust.10", 404, "did you mean us.ust.10y"),
        ("/api/series/no.such.series", 404, "unknown series id"),
        ("/api/series/us.ust.10y?start=2024-13-01", 400, "is not a date"),
        ("/api/metrics?asof=yesterday", 400, "is not a date"),
        ("/api/series/us.ust.10y?format=xml", 400, "use json or csv"),
        ("/api/series/us.ust.10y?start=2024-08-05&end=2024-07-01", 400, "is after end"),
        ("/api/series/../../etc/passwd", 404, "no such page"),
        ("/api/series/%2e%2e%2fcarrywatch.sqlite", 404, "no such page"),
        ("/carrywatch.sqlite", 404, "no such page"),
        ("/raw/", 404, "no such page"),
    ],
)
def test_bad_requests_get_a_4xx_with_a_clear_message(
    served: tuple[httpx.Client, Path], path: str, status: int, words: str
) -> None:
    client, _ = served
    answer = client.get(path)
    assert answer.status_code == status
    assert words in answer.json()["error"]


def test_the_app_is_read_only(served: tuple[httpx.Client, Path]) -> None:
    client, _ = served
    for method in ("POST", "PUT", "DELETE"):
        answer = client.request(method, "/api/series/us.ust.10y")
        assert answer.status_code == 405
        assert "read-only" in answer.json()["error"]


def test_requests_are_served_consistently_while_a_refresh_writes(
    served: tuple[httpx.Client, Path],
) -> None:
    client, store_path = served
    series_id = "us.ust.10y"
    days = pd.date_range("2030-01-01", periods=40, freq="D")
    stop = threading.Event()
    written: list[float] = []

    def writer() -> None:
        # A refresh appending one payload after another, each in its own transaction:
        # payload k revises the same 40 dates to the value k.
        with Store.open(store_path) as store:
            for k in range(1, 31):
                if stop.is_set():
                    return
                record = FetchRecord(
                    source="fred",
                    url="http://127.0.0.1/graph/fredgraph.csv",
                    retrieved_at=datetime(2030, 3, 1, tzinfo=UTC) + timedelta(seconds=k),
                    sha256=f"{k:064x}",
                    n_bytes=1,
                    parse_version=1,
                    origin=Origin.LIVE,
                )
                rows = pd.DataFrame({"series_id": series_id, "obs_date": days, "value": float(k)})
                store.append(record, rows)
                written.append(float(k))

    def reader(_: int) -> set[float]:
        answer = client.get(f"/api/series/{series_id}", params={"start": "2030-01-01"})
        assert answer.status_code == 200
        return set(answer.json()["observations"]["value"])

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            seen = list(pool.map(reader, range(60)))
    finally:
        stop.set()
        thread.join(timeout=60)
    # Every answer shows one whole payload: all 40 dates at the same revision (or none yet).
    for values in seen:
        assert len(values) <= 1
    # ...and once the writer has stopped, its last payload (never a stale cached answer).
    assert written
    assert reader(0) == {written[-1]}


ARTICLE = Path(__file__).parents[1] / "payloads" / "articles" / "000_fb0d42cc606751de.txt"


def test_check_upload_answers_the_claim_page(served: tuple[httpx.Client, Path]) -> None:
    client, store_path = served
    assert client.get("/check").status_code == 200
    before = store_path.read_bytes()
    answer = client.post("/check", content=ARTICLE.read_bytes())
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.text.count('<mark id="t-') >= 20  # the seed article's claims
    # the form posts the text as a field and the date beside it
    form = client.post(
        "/check", data={"article": "The 10-year Treasury yield was 4.14%.", "date": "2025-12-05"}
    )
    assert form.status_code == 200
    assert 'class="supported"' in form.text  # DGS10 on 2025-12-05: 4.14
    assert store_path.read_bytes() == before  # nothing of the upload is stored


def test_check_upload_refuses_bad_input(served: tuple[httpx.Client, Path]) -> None:
    client, _ = served
    too_big = client.post("/check", content=b"x" * 1_000_001)
    assert too_big.status_code == 413
    undated = client.post("/check", content=b"The 10-year Treasury yield was 4.14%.")
    assert undated.status_code == 400
    assert "states no date" in undated.json()["error"]
    bad_date = client.post("/check", params={"date": "2025-02-30"}, content=b"x")
    assert bad_date.status_code == 400
    assert client.post("/api/metrics").status_code == 405


def test_the_served_brief_has_a_date_bar_the_written_one_has_not(
    served: tuple[httpx.Client, Path], tmp_path: Path
) -> None:
    client, _ = served
    page = client.get("/", params={"asof": "2024-08-05"}).text
    assert 'name="asof" value="2024-08-05"' in page
    assert 'name="compare"' in page
    # The page written to disk (and by `carrywatch brief`) has no form that needs a server.
    written = (tmp_path / "cache" / "2024-08-05" / "brief.html").read_text(encoding="utf-8")
    assert "cw-datebar" not in written


def test_two_dates_side_by_side_with_the_alerts_recorded(
    served: tuple[httpx.Client, Path],
) -> None:
    client, store_path = served
    with Store.open(store_path) as store:
        record_fired(
            store,
            [
                FiredEvent(
                    "spread below 2.5", "k1", date(2024, 8, 5), "", 2.999, "spread 2.999 pp"
                ),
                FiredEvent("later", "k2", date(2026, 1, 5), "", 1.0, "after both dates"),
            ],
            datetime(2026, 1, 6, tzinfo=UTC),
        )
    answer = client.get("/", params={"asof": "2024-08-05", "compare": "2025-12-05"})
    assert answer.status_code == 200
    text = answer.text
    with Store.open(store_path) as store:
        first = headline_metrics(store, load_catalog(), date(2024, 8, 5))
        second = headline_metrics(store, load_catalog(), date(2025, 12, 5))
    # 10y spread: DGS10 3.78 - JGB 0.781 = 2.999 on 2024-08-05; 4.14 - 1.951 = 2.189 on
    # 2025-12-05 (`carrywatch metrics --asof D --json`, the same library call as here).
    assert first["spread.us_jp.10y"].value == pytest.approx(2.999)
    assert second["spread.us_jp.10y"].value == pytest.approx(2.189)
    row = text[text.index("<td>spread.us_jp.10y</td>") :].split("</tr>")[0]
    assert "2.999 pp" in row
    assert "2.189 pp" in row
    assert "-81 bp" in row
    assert 'href="/?asof=2024-08-05"' in text
    assert 'href="/?asof=2025-12-05"' in text
    assert "spread 2.999 pp" in text
    assert "after both dates" not in text  # observed after the later date
    bad = client.get("/", params={"asof": "2024-08-05", "compare": "2024-02-30"})
    assert bad.status_code == 400
    assert "compare" in bad.json()["error"]


#: A real user file: SPY's daily bars (Yahoo Finance via jonsflow/risk-model;
#: tests/payloads/user/README.md), 168 rows from 2024-01-02 to 2024-08-30.
SPY = (
    Path(__file__).parents[1]
    / "payloads"
    / "user"
    / "jonsflow__risk-model__spy_2024-01_to_2024-08.csv"
)


def test_a_series_defined_while_serving_is_served(
    seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given ``catalog_of`` (as ``carrywatch serve`` does), the server builds its catalog
    again when the store changes: a user series imported while it runs is served."""
    home = tmp_path / "home"
    shutil.copytree(seeded, home)
    monkeypatch.setenv("CARRYWATCH_HOME", str(home))
    server = make_server(
        lambda: Store.open(home / "carrywatch.sqlite"),
        catalog_of,
        port=0,
        cache_dir=tmp_path / "cache",
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    _host, port = server.server_address[:2]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            before = client.get("/api/series/user.spy")
            assert before.status_code == 404
            assert "unknown series id 'user.spy'" in before.json()["error"]
            new = ["--new-series", "user.spy", "--unit", "price", "--frequency", "daily"]
            new += ["--title", "SPY", "--value-column", "Close"]
            assert main(["import", str(SPY), *new]) == 0
            after = client.get(
                "/api/series/user.spy", params={"start": "2024-08-05", "end": "2024-08-05"}
            )
            assert after.status_code == 200, after.text
            rows = rows_of(after.json())
            # The 2024-08-05 close in the file: 508.10107421875 (tests/test_user_series.py).
            assert [(r["obs_date"], r["value"]) for r in rows] == [("2024-08-05", 508.10107421875)]
            # The brief and the metrics are still served from the same server.
            assert client.get("/api/metrics", params={"asof": "2024-08-05"}).status_code == 200
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
