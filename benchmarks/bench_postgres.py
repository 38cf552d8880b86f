"""The store on PostgreSQL against SQLite on the same data, and one refresher with eight
``serve`` readers on PostgreSQL.

Part 1, the same work on each backend (best of ``--repeats`` where repeatable):

* ``seed_s``: a new store seeded from the embedded snapshot (about 344 000 rows, 138
  payloads, one transaction): the largest refresh there is;
* ``refresh_unchanged_s``: every snapshot payload offered again (``seed_store(force=
  True)``): what a refresh that finds nothing new costs (change detection only);
* ``brief_read_s``: the brief's read, every series its sections read, as of a day with
  the catalog's release calendar.

Part 2, PostgreSQL only: a ``carrywatch serve`` server (``report.server.make_server``)
on a store holding the catalog but no observations; one refresher appends the real
FRED DGS10 history of the snapshot (``us.ust.10y``) as ``--payloads`` payloads of
consecutive dates, while eight threads read ``/api/series/us.ust.10y`` as fast as they
can, each read every page of 1,000 observations following ``next`` (``refresh_alone_s``:
the same refresh without readers). A read is consistent when its pages together are
exactly the first ``m`` payloads for some ``m`` (row count, dates and values equal that
prefix of the real history) and every observation's fetch is listed with its source and
URL; anything else, and any HTTP error, is counted.

Needs PostgreSQL's binaries: the script starts a throwaway server as the tests do
(tests/helpers/postgres.py), durability settings and all, on this machine's disk.

Run: ``.venv/bin/python benchmarks/bench_postgres.py [--repeats 3] [--payloads 60]``;
prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import threading
import time
import timeit
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.helpers.postgres

from tests.helpers import postgres

from carrywatch.catalog.spec import load_catalog
from carrywatch.report.sections import SECTION_READS
from carrywatch.report.server import make_server
from carrywatch.snapshot.artefact import seed_store
from carrywatch.store.sqlite import FetchRecord, Store
from carrywatch.types import Origin
from carrywatch.workspace import open_store

SERIES = "us.ust.10y"
N_READERS = 8
#: Observations per page of ``/api/series`` (its default); a read walks every page.
PAGE_LIMIT = 1000


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """The best wall time of ``repeats`` calls of ``run``, seconds."""
    return min(timeit.repeat(run, number=1, repeat=repeats))


def compare(home: Path, url: str, repeats: int, asof: date) -> dict[str, float]:
    """Part 1: the same seeding, unchanged refresh and brief read on each backend."""
    catalog = load_catalog()
    ids = list(dict.fromkeys(sid for reads in SECTION_READS.values() for sid in reads))
    rule = catalog.calendar.release_dates
    out: dict[str, float] = {}
    for backend, database_url in (("sqlite", None), ("postgresql", url)):
        start = time.perf_counter()
        with open_store(home / backend, database_url=database_url) as store:
            out[f"{backend}_seed_s"] = time.perf_counter() - start
            out[f"{backend}_refresh_unchanged_s"] = best_of(
                repeats, partial(seed_store, store, force=True)
            )
            out[f"{backend}_brief_read_s"] = best_of(
                repeats, partial(store.read, ids, asof=asof, releases=rule)
            )
    for key in ("seed_s", "refresh_unchanged_s", "brief_read_s"):
        out[f"ratio_{key.removesuffix('_s')}"] = out[f"postgresql_{key}"] / out[f"sqlite_{key}"]
    return out


def _history(home: Path) -> pd.DataFrame:
    with open_store(home / "sqlite") as store:
        frame = store.read([SERIES])
    return frame[["obs_date", "value"]].reset_index(drop=True)


@dataclass
class Tally:
    """What the readers saw."""

    reads: int = 0
    errors: int = 0
    inconsistent: int = 0
    prefixes: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def walk(endpoint: str) -> tuple[list[str], list[float], bool]:
    """Every page of one read, following ``next``: dates, values, and whether each
    observation's fetch is listed on its page with its provenance."""
    got_dates: list[str] = []
    got_values: list[float] = []
    provenance = True
    cursor = ""
    while True:
        query = f"?limit={PAGE_LIMIT}" + (f"&cursor={cursor}" if cursor else "")
        with urllib.request.urlopen(endpoint + query, timeout=60) as answer:  # noqa: S310 -- http to loopback
            page = json.loads(answer.read())
        columns = page["observations"]
        got_dates += columns["obs_date"]
        got_values += columns["value"]
        listed = {f["fetch_id"]: f for f in page["fetches"]}
        provenance &= all(
            i in listed and listed[i]["source"] and listed[i]["url"] for i in columns["fetch_id"]
        )
        if not page["next"]:
            return got_dates, got_values, provenance
        cursor = page["next"]


def _refresh(url: str, history: pd.DataFrame, chunks: list[np.ndarray]) -> float:
    """Append ``history`` to ``url``'s store chunk by chunk, one payload each; seconds."""
    start = time.perf_counter()
    retrieved = datetime(2026, 12, 1, tzinfo=UTC)
    with Store.open(url) as writer:
        for k, chunk in enumerate(chunks):
            rows = history.iloc[chunk].assign(series_id=SERIES)
            record = FetchRecord(
                source="fred",
                url="https://fred.stlouisfed.org/graph/fredgraph.csv",
                retrieved_at=retrieved + timedelta(minutes=k),
                sha256=f"{k:064x}",
                n_bytes=0,
                parse_version=1,
                origin=Origin.LIVE,
                params=(("id", "DGS10"),),
            )
            writer.append(record, rows)
            time.sleep(0.05)  # a refresh writes payload by payload, between fetches
    return time.perf_counter() - start


def readers_during_refresh(
    home: Path, server: postgres.Server, n_payloads: int
) -> dict[str, object]:
    """Part 2 (see the module docstring)."""
    history = _history(home)
    chunks = np.array_split(np.arange(len(history)), n_payloads)
    bounds = np.cumsum([0, *(len(c) for c in chunks)])
    catalog = load_catalog()
    empty = server.database()
    open_store(home / "serve", seed=False, database_url=empty).close()

    def factory() -> Store:
        return Store.open(empty, releases=catalog.calendar.release_dates)

    httpd = make_server(factory, catalog, port=0, cache_dir=home / "serve-cache")
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{httpd.server_address[1]}/api/series/{SERIES}"
    done = threading.Event()
    tally = Tally()
    dates = history["obs_date"].dt.strftime("%Y-%m-%d").to_numpy()
    values = history["value"].to_numpy()

    def consistent(got_dates: list[str], got_values: list[float], provenance: bool) -> bool:
        n = len(got_dates)
        m = int(np.searchsorted(bounds, n))
        if m >= len(bounds) or bounds[m] != n:
            return False
        with tally.lock:
            tally.prefixes.add(m)
        same = got_dates == list(dates[:n]) and bool((np.array(got_values) == values[:n]).all())
        return provenance and same

    def read() -> None:
        while not done.is_set():
            try:
                ok = consistent(*walk(endpoint))
            except Exception:  # counted: the run goes on
                with tally.lock:
                    tally.errors += 1
                continue
            with tally.lock:
                tally.reads += 1
                tally.inconsistent += not ok

    readers = [threading.Thread(target=read) for _ in range(N_READERS)]
    for reader in readers:
        reader.start()
    refresh_s = _refresh(empty, history, chunks)
    time.sleep(0.5)  # the last reads see the whole history
    done.set()
    for reader in readers:
        reader.join(timeout=120)
    httpd.shutdown()
    alone = server.database()  # the same refresh, nobody reading
    open_store(home / "alone", seed=False, database_url=alone).close()
    alone_s = _refresh(alone, history, chunks)
    return {
        "readers": N_READERS,
        "payloads": n_payloads,
        "rows": len(history),
        "refresh_with_readers_s": refresh_s,
        "refresh_alone_s": alone_s,
        "ratio_refresh_with_readers": refresh_s / alone_s,
        "reads": tally.reads,
        "reads_per_s": tally.reads / refresh_s,
        "errors": tally.errors,
        "inconsistent_reads": tally.inconsistent,
        "distinct_prefixes_seen": len(tally.prefixes),
        "full_history_seen": max(tally.prefixes, default=-1) == n_payloads,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--payloads", type=int, default=60)
    parser.add_argument("--asof", type=date.fromisoformat, default=date(2025, 12, 5))
    args = parser.parse_args()
    server = postgres.start()
    if isinstance(server, str):
        sys.exit(f"bench_postgres: {server}")
    try:
        version = server.version()
        with tempfile.TemporaryDirectory() as folder:
            home = Path(folder)
            result: dict[str, object] = dict(
                compare(home, server.database(), args.repeats, args.asof)
            )
            result.update(readers_during_refresh(home, server, args.payloads))
    finally:
        server.stop()
    result.update(
        python=platform.python_version(),
        machine=platform.machine(),
        psycopg=psycopg.__version__,
        postgresql=version,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
