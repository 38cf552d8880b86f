"""A full-history refresh of the FRED series of ``../shared/data`` against its peers.

Run: ``.venv/bin/python benchmarks/bench_refresh.py [--repeats R] [--delay-ms 50]``.

One loopback server (this process, a thread per connection) answers like FRED, adding
``--delay-ms`` to every request: ``/graph/fredgraph.csv?id=A,B,...`` (the graph CSV,
several series outer-joined on the date, as FRED serves it; what carrywatch's ``fred``
source and pandas-datareader ask for) and ``/fred/series/observations?series_id=X`` (the
API's XML, what fredapi asks for). Its data are the real FRED files of ``../shared/data``
(``../shared/data/PROVENANCE.md`` section 1), the longest file of each series code, for
the 22 codes the catalog refreshes from FRED (the other 4 FRED files there, CBBTCUSD,
FEDFUNDS, TB3MS and A191RL1Q225SBEA, feed no catalog series: every contestant gets the
same 22).

Contestants, each a fresh process, best wall time of R runs (after one untimed round in
which the server builds each answer once, so that no timed run pays for it):

* ``carrywatch``: :func:`carrywatch.ingest.refresh` of source ``fred`` into an empty store
  (not seeded from the snapshot: every row is new), archiving each body and writing every
  value with its provenance;
* ``pandas-datareader`` 0.10.0: ``DataReader(codes, "fred")``, one request per series,
  nothing stored;
* ``fredapi`` 0.5.2: ``Fred.get_series`` per series, nothing stored;
* the concurrent floor: all 22 single-series requests at once from threads, bodies read,
  nothing parsed (in this process: no interpreter start, no imports).

pandas-datareader 0.10 fails on pandas >= 2.2, so the two peers run in their own virtual
environment, ``benchmarks/.venv-peers`` (made on first run: ``pip install
pandas-datareader==0.10.0 fredapi==0.5.2 'pandas<2.2' 'numpy<2' six``; git-ignored).

Each process reports the seconds of its work after its imports; the parent times the
whole process. Prints one JSON object with both and the ratios (goals: carrywatch at least
2x faster than pandas-datareader, within 3x of the floor). Not a test: the times depend
on the machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import venv
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import quoteattr

from carrywatch.catalog.spec import load_catalog

HERE = Path(__file__).resolve().parent
SHARED_FRED = HERE.parents[1] / "shared" / "data" / "fred"
PEERS = HERE / ".venv-peers"
PEER_PACKAGES = ("pandas-datareader==0.10.0", "fredapi==0.5.2", "pandas<2.2", "numpy<2", "six")


def _series(folder: Path, codes: set[str]) -> dict[str, list[tuple[str, str]]]:
    """Per code, the ``(date, value)`` rows of its longest file (value ``""`` if missing)."""
    best: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(folder.glob("*/*.csv")):
        code = path.stem
        if code not in codes:
            continue
        with path.open(newline="") as handle:
            rows = [(r[0], r[1].strip()) for r in list(csv.reader(handle))[1:] if r]
        if len(rows) > len(best.get(code, [])):
            best[code] = rows
    return best


def _graph_csv(data: Mapping[str, list[tuple[str, str]]], codes: list[str]) -> bytes:
    """FRED's graph CSV of ``codes``: ``observation_date,<ID>...``, outer-joined on the
    date, an empty field where a series has no value."""
    by_date: dict[str, dict[str, str]] = {}
    for code in codes:
        for day, value in data[code]:
            by_date.setdefault(day, {})[code] = value
    out = io.StringIO()
    out.write(",".join(["observation_date", *codes]) + "\n")
    for day in sorted(by_date):
        out.write(",".join([day, *(by_date[day].get(c, "") for c in codes)]) + "\n")
    return out.getvalue().encode()


def _api_xml(rows: list[tuple[str, str]]) -> bytes:
    """The FRED API's ``series/observations`` answer in XML (``.`` where no value)."""
    lines = ['<?xml version="1.0" encoding="utf-8" ?>', "<observations>"]
    for day, value in rows:
        lines.append(
            '<observation realtime_start="2026-12-04" realtime_end="2026-12-04" '
            f"date={quoteattr(day)} value={quoteattr(value or '.')}/>"
        )
    lines.append("</observations>")
    return "\n".join(lines).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        time.sleep(self.server.delay_s)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        key = (parts.path, query.get("id", query.get("series_id", [""]))[0])
        if key not in self.server.bodies:  # built once: the timed runs pay only the sending
            if parts.path == "/graph/fredgraph.csv":
                answer = _graph_csv(self.server.data, key[1].split(",")), "text/csv"
            elif parts.path == "/fred/series/observations":
                answer = _api_xml(self.server.data[key[1]]), "text/xml"
            else:
                self.send_error(404)
                return
            self.server.bodies[key] = answer
        body, kind = self.server.bodies[key]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # All requests of the floor connect at once: with the default backlog of 5 the others
    # wait for a SYN retransmission (1 s), which would time the kernel, not the work.
    request_queue_size = 64
    delay_s: float
    data: Mapping[str, list[tuple[str, str]]]
    bodies: dict[tuple[str, str], tuple[bytes, str]]


_CARRYWATCH = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from carrywatch.catalog.spec import load_catalog
from carrywatch.cli.common import http_client, load_settings
from carrywatch.ingest import refresh
from carrywatch.sources.registry import build_sources
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import SeriesRow, Store
imported = time.perf_counter()
home = Path(sys.argv[1])
settings = load_settings()
catalog = load_catalog()
with Store.open(home / "carrywatch.sqlite") as store, http_client(settings) as http:
    store.register_series(
        SeriesRow(s.id, s.source, s.remote_code, s.unit, s.frequency, s.title)
        for s in catalog.series.values()
    )
    report = refresh(store, RawArchive(home / "raw"), catalog, build_sources(settings.origins),
                     http, source_names=["fred"])
    rows = store.counts()[1]
failed = [o for o in report.outcomes if o.error is not None]
assert not failed, failed
print(json.dumps({"import_s": imported - started, "work_s": time.perf_counter() - imported,
                  "rows": rows}))
"""

_PANDAS_DATAREADER = """
import json, sys, time
started = time.perf_counter()
import pandas_datareader.data as web
from pandas_datareader.fred import FredReader
imported = time.perf_counter()
FredReader.url = property(lambda self: sys.argv[1] + "/graph/fredgraph.csv")
frame = web.DataReader(sys.argv[2].split(","), "fred", start="1900-01-01", end="2100-01-01")
print(json.dumps({"import_s": imported - started, "work_s": time.perf_counter() - imported,
                  "rows": int(frame.notna().sum().sum())}))
"""

_FREDAPI = """
import json, sys, time
started = time.perf_counter()
import pandas as pd
from fredapi import Fred
imported = time.perf_counter()
fred = Fred(api_key="0" * 32)
fred.root_url = sys.argv[1] + "/fred"
frame = pd.concat({c: fred.get_series(c) for c in sys.argv[2].split(",")}, axis=1)
print(json.dumps({"import_s": imported - started, "work_s": time.perf_counter() - imported,
                  "rows": int(frame.notna().sum().sum())}))
"""


def _peers_python() -> str:
    python = PEERS / "bin" / "python"
    if not python.exists():
        venv.create(PEERS, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return str(python)


def _run(command: list[str], env: Mapping[str, str]) -> dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)
    total = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[:2]} failed: {done.stderr[-800:]}")
    answer: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return {**answer, "process_s": total}


def _floor(origin: str, codes: list[str]) -> float:
    def get(code: str) -> int:
        url = f"{origin}/graph/fredgraph.csv?id={code}"
        with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 -- loopback
            return len(answer.read())

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(codes)) as pool:
        list(pool.map(get, codes))
    return time.perf_counter() - started


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {
        key: round(min(r[key] for r in runs), 3) if key != "rows" else runs[0][key]
        for key in runs[0]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    args = parser.parse_args()
    codes = sorted({s.remote_code for s in load_catalog().by_source("fred")})
    data = _series(SHARED_FRED, set(codes))
    missing = sorted(set(codes) - set(data))
    if missing:
        raise SystemExit(f"no file in {SHARED_FRED} for {missing}")
    server = _Server(("127.0.0.1", 0), _Handler)
    server.delay_s, server.data, server.bodies = args.delay_ms / 1000, data, {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARRYWATCH_")}
    env |= {"CARRYWATCH_FRED_ORIGIN": origin, "CARRYWATCH_RETRY_BASE_S": "0.01"}
    peers = _peers_python()
    runs: dict[str, list[dict[str, float]]] = {
        "carrywatch": [],
        "pandas_datareader": [],
        "fredapi": [],
    }
    floors = []
    try:
        # One untimed round first: the server builds every answer once, the disk cache warms.
        for _ in range(args.repeats + 1):
            with tempfile.TemporaryDirectory() as home:
                runs["carrywatch"].append(
                    _run(
                        [sys.executable, "-c", _CARRYWATCH, home], {**env, "CARRYWATCH_HOME": home}
                    )
                )
            joined = ",".join(codes)
            runs["pandas_datareader"].append(
                _run([peers, "-c", _PANDAS_DATAREADER, origin, joined], env)
            )
            runs["fredapi"].append(_run([peers, "-c", _FREDAPI, origin, joined], env))
            floors.append(_floor(origin, codes))
    finally:
        server.shutdown()
    best = {name: _best(r[1:]) for name, r in runs.items()}
    floor = min(floors[1:])
    cw = best["carrywatch"]
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "series": len(codes),
                "delay_ms": args.delay_ms,
                "repeats": args.repeats,
                "seconds": {**best, "floor_s": round(floor, 3)},
                "ratios": {
                    "pandas_datareader_over_carrywatch_work": round(
                        best["pandas_datareader"]["work_s"] / cw["work_s"], 2
                    ),
                    "pandas_datareader_over_carrywatch_process": round(
                        best["pandas_datareader"]["process_s"] / cw["process_s"], 2
                    ),
                    "fredapi_over_carrywatch_work": round(
                        best["fredapi"]["work_s"] / cw["work_s"], 2
                    ),
                    "carrywatch_work_over_floor": round(cw["work_s"] / floor, 2),
                    "carrywatch_process_over_floor": round(cw["process_s"] / floor, 2),
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
