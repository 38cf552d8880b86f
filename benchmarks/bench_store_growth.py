"""Every command on stores of 1x, 10x and 100x the embedded snapshot's rows, as ratios.

Run: ``.venv/bin/python benchmarks/bench_store_growth.py [--sizes 1,10,100] [--repeats R]``.

The 1x store is a new home seeded from the embedded snapshot (real history, about 344,000
rows). Each larger store is a copy of it grown with synthetic ``bench.*`` series through
the bulk path (:meth:`Store.append_many`) until it holds N times the rows: series of
20,000 daily dates with 50 revisions each (quote-like histories, 1,000,000 rows a series,
values alternating so every revision is a change). The synthetic rows exist only in the
benchmark's temporary stores, never in the snapshot or a user's store.

Then each command runs as a fresh process (``carrywatch ...``, best wall time of R runs,
the sizes interleaved within each run) on each store:

* ``refresh``: ``--series us.ust.10y`` and the par-yield curve (``ustreasury``) from a
  local replay server (``tests/helpers/replay_server.py``) of real recorded payloads
  (``tests/payloads/fred``, ``tests/payloads/ustreasury``); one untimed refresh first, so
  the timed ones do the same work on every store (fetch, parse, decide, record checks);
* ``series list``; ``brief`` and ``metrics --json``, each with ``--asof 2024-08-05`` and
  without (the default as-of date);
* ``serve``: started, then ``/`` and ``/api/metrics?asof=2024-08-05`` requested once each
  (time from launch to both answers).

Also, in this process: seeding a new store from the embedded snapshot through the bulk
path and through one ``Store.append`` per entry (``build.seed_ratio``).

Prints one JSON object: per command the seconds at each size and the ratio to 1x. The
goal is every ratio at 100x within 1.2. Not a test: the times depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from carrywatch.catalog.spec import load_catalog
from carrywatch.snapshot import artefact
from carrywatch.store.sqlite import FetchRecord, SeriesRow, Store
from carrywatch.types import Origin, sha256_hex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the replay server of the tests

from tests.helpers.replay_server import ReplayServer, Reply  # noqa: E402

CW = str(Path(sys.executable).with_name("carrywatch"))
PAYLOADS = ROOT / "tests" / "payloads"
ASOF = "2024-08-05"
DATES, REVISIONS, DATES_PER_PAYLOAD = 20_000, 50, 4_000
ROWS_PER_SERIES = DATES * REVISIONS
UST_CURVE = [s.id for s in load_catalog().by_source("ustreasury")]
GROWN_AT = datetime(2026, 1, 1, tzinfo=UTC)

COMMANDS: dict[str, list[str]] = {
    "refresh": [
        "refresh",
        *(a for s in ["us.ust.10y", *UST_CURVE] for a in ("--series", s)),
    ],
    "series list": ["series", "list"],
    "brief --asof": ["brief", "--asof", ASOF, "--out", "{out}"],
    "brief": ["brief", "--out", "{out}"],
    "metrics --asof": ["metrics", "--asof", ASOF, "--json"],
    "metrics": ["metrics", "--json"],
}


def _synthetic_payloads(first: int, count: int) -> Iterator[tuple[FetchRecord, pd.DataFrame]]:
    """``count`` synthetic series from ``bench.<first>``, as payloads of 200,000 rows."""
    start = np.datetime64("1950-01-01")
    for k in range(first, first + count):
        for j in range(DATES // DATES_PER_PAYLOAD):
            days = start + np.arange(j * DATES_PER_PAYLOAD, (j + 1) * DATES_PER_PAYLOAD)
            obs = np.repeat(days, REVISIONS)
            revision = np.tile(np.arange(REVISIONS), DATES_PER_PAYLOAD)
            known = np.datetime64("2025-01-01T00:00:00") + revision.astype("timedelta64[m]")
            frame = pd.DataFrame(
                {
                    "series_id": f"bench.{k:03d}",
                    "obs_date": obs.astype("datetime64[ns]"),
                    "known_from": pd.to_datetime(known).tz_localize("UTC"),
                    "value": 1.0 + 0.01 * (revision % 2),
                }
            )
            at = GROWN_AT.replace(minute=j)
            fetch = FetchRecord(
                source="bench",
                url=f"https://example.invalid/bench/{k}/{j}",
                retrieved_at=at,
                sha256=sha256_hex(f"bench {k} {j}".encode()),
                n_bytes=0,
                parse_version=1,
                origin=Origin.IMPORT,
                provenance={"synthetic": "bench_store_growth.py"},
            )
            yield fetch, frame


def _grow(home: Path, factor: int, base_rows: int) -> float:
    """Grow the store in ``home`` to ``factor`` times ``base_rows``; seconds taken."""
    n_series = round(base_rows * (factor - 1) / ROWS_PER_SERIES)
    started = time.perf_counter()
    with Store.open(home / "carrywatch.sqlite") as store:
        store.register_series(
            SeriesRow(f"bench.{k:03d}", "bench", f"B{k}", "index", "daily", "synthetic")
            for k in range(n_series)
        )
        for k in range(n_series):  # one bulk load per series bounds the memory
            store.append_many(list(_synthetic_payloads(k, 1)))
    return time.perf_counter() - started


def _seed_times(work: Path) -> dict[str, float]:
    """Seeding a new store from the embedded snapshot (every entry, in one transaction):
    through the bulk path, and through one ``Store.append`` per entry (how seeding went
    before the bulk path existed); in this process, the snapshot read once, untimed."""
    entries, frame = artefact.read_snapshot()
    groups = dict(tuple(frame.groupby("fetch_key", sort=False)))
    payloads = [
        (artefact._fetch_record(e), artefact._rows_to_append(groups[e.key], e.retrieved_at))
        for e in entries
        if e.key in groups
    ]
    times = {}
    for name in ("successive_appends", "bulk"):
        with Store.open(work / f"seed-{name}.sqlite") as store:
            started = time.perf_counter()
            with store.transaction():
                if name == "bulk":
                    store.append_many(payloads)
                else:
                    for fetch, rows in payloads:
                        store.append(fetch, rows)
            times[f"seed_{name}_s"] = time.perf_counter() - started
    return times


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _time_serve(env: dict[str, str]) -> float:
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [CW, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for path in ("/", f"/api/metrics?asof={ASOF}"):
            deadline = time.monotonic() + 300
            while True:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}{path}", timeout=300
                    ) as answer:
                        answer.read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)


def _time(args: Sequence[str], env: dict[str, str], out: Path) -> float:
    command = [CW, *(a.replace("{out}", str(out)) for a in args)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 3):  # 3: a source could not be updated (reported)
        raise RuntimeError(f"{command} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def _keep_best(times: dict[str, float], key: str, seconds: float) -> None:
    times[key] = round(min(times.get(key, seconds), seconds), 3)


def _routes(server: ReplayServer) -> None:
    dgs10 = (PAYLOADS / "fred" / "XinyuLiu2403__acc102-macro-dashboard__DGS10.csv").read_bytes()
    server.route("/graph/fredgraph.csv", Reply.payload(dgs10, content_type="text/csv"))
    curve = (PAYLOADS / "ustreasury" / "daily-treasury-rates.csv").read_bytes()
    path = "/resource-center/data-chart-center/interest-rates/daily-treasury-rates.csv/{}/all"
    for year in range(1990, datetime.now(UTC).year + 2):
        server.route(path.format(year), Reply.payload(curve, content_type="text/csv"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="cw-growth-"))
    results: dict[str, dict[str, float]] = {name: {} for name in [*COMMANDS, "serve"]}
    build: dict[str, float] = {}
    try:
        with ReplayServer() as server:
            _routes(server)
            env = {k: v for k, v in os.environ.items() if not k.startswith("CARRYWATCH_")}
            env.update(
                {
                    "CARRYWATCH_FRED_ORIGIN": server.origin,
                    "CARRYWATCH_USTREASURY_ORIGIN": server.origin,
                    "CARRYWATCH_RETRY_BASE_S": "0.01",
                }
            )
            build.update(_seed_times(work))
            base = work / "x1"
            started = time.perf_counter()
            subprocess.run(
                [CW, "series", "list"],
                env={**env, "CARRYWATCH_HOME": str(base)},
                check=True,
                capture_output=True,
            )
            build["seed_1x_s"] = time.perf_counter() - started
            with Store.open(base / "carrywatch.sqlite") as store:
                base_rows = store.counts()[1]
            homes = {}
            for factor in sizes:
                home = work / f"x{factor}"
                if factor != 1:
                    shutil.copytree(base, home)
                    build[f"grow_{factor}x_s"] = _grow(home, factor, base_rows)
                with Store.open(home / "carrywatch.sqlite") as store:
                    build[f"rows_{factor}x"] = store.counts()[1]
                homes[factor] = home
            for home in homes.values():  # the first refresh adds rows: untimed
                _time(COMMANDS["refresh"], {**env, "CARRYWATCH_HOME": str(home)}, work)
            # Sizes interleaved within each repeat, so a change of the machine's load
            # touches every size alike; the best of the repeats is kept.
            for _ in range(args.repeats):
                for factor, home in homes.items():
                    run_env = {**env, "CARRYWATCH_HOME": str(home)}
                    out = work / f"brief-{factor}"
                    for name, command in COMMANDS.items():
                        _keep_best(results[name], f"{factor}x", _time(command, run_env, out))
                    _keep_best(results["serve"], f"{factor}x", _time_serve(run_env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    build["seed_ratio"] = build["seed_successive_appends_s"] / build["seed_bulk_s"]
    for times in results.values():
        for factor in sizes[1:]:
            times[f"ratio_{factor}x"] = round(times[f"{factor}x"] / times["1x"], 2)
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "repeats": args.repeats,
                "build": {k: round(v, 1) for k, v in build.items()},
                "seconds": results,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
