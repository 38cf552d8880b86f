"""``carrywatch serve`` under 16 concurrent clients: requests/s, p50 and p99 per route.

A fresh ``carrywatch serve --port 0`` is started on a new store seeded from the embedded
snapshot (seeding happens before the server listens and is not timed). Clients are
threads with their own ``httpx.Client`` spread over a few processes (``--processes``,
default 2), so that the clients' own Python does not share one interpreter lock with
itself; every client sends one request after another (a closed loop) for ``--seconds``
per route, after a warm-up of two requests per client (the first request of a route may
build a cache; the steady state is what a reader sees).

Routes:

- ``/`` (the brief, as of the default day),
- ``/api/metrics?asof=2024-08-05``,
- ``/api/series/us.ust.10y?start=2020-08-01&end=2024-07-31&limit=1000``: a 1,000-row page
  (DGS10 has exactly 1,000 observations in those bounds, so a server without paging, which
  ignores ``limit``, answers the same 1,000 rows).

Requests/s is the number of answers (all must be 200) divided by the wall time of the
run; p50 and p99 are percentiles of the per-request latencies seen by the clients.

Run: ``.venv/bin/python benchmarks/bench_serve.py [--seconds 10] [--clients 16]
[--baseline OTHER/src] [--out result.json]``. With ``--baseline`` (the ``src`` folder of a
checkout of another revision, e.g. ``git worktree add --detach ../before main``), a second
server runs that revision's code (``PYTHONPATH``) on its own new store, and each route is
measured on it and then on this one, so each ratio comes from one run.
Goal (issue 13): at least 200 requests/s for ``/api/metrics?asof=`` and the 1,000-row page,
p99 under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROUTES = {
    "brief": "/",
    "metrics": "/api/metrics?asof=2024-08-05",
    "series_page": "/api/series/us.ust.10y?start=2020-08-01&end=2024-07-31&limit=1000",
}


def _client_loop(base: str, path: str, seconds: float, out: list[float], errors: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=300) as client:
        for _ in range(2):  # warm-up, not counted
            client.get(path)
        deadline = time.perf_counter() + seconds
        while (start := time.perf_counter()) < deadline:
            answer = client.get(path)
            out.append(time.perf_counter() - start)
            if answer.status_code != 200:
                errors.append(answer.status_code)


def _process_main(args: tuple[str, str, float, int, Any, Any]) -> tuple[list[float], list[int]]:
    base, path, seconds, threads, ready, go = args
    latencies: list[float] = []
    errors: list[int] = []
    workers = [
        threading.Thread(target=_client_loop, args=(base, path, seconds, latencies, errors))
        for _ in range(threads)
    ]
    ready.wait()
    go.wait()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, errors


def run_route(
    base: str, path: str, *, seconds: float, clients: int, processes: int
) -> dict[str, Any]:
    """Requests/s, p50 and p99 (ms) of ``clients`` closed-loop clients on ``path``."""
    manager = multiprocessing.Manager()
    ready, go = manager.Barrier(processes + 1), manager.Barrier(processes + 1)
    per_process = [clients // processes + (i < clients % processes) for i in range(processes)]
    with multiprocessing.Pool(processes) as pool:
        pending = pool.map_async(
            _process_main, [(base, path, seconds, n, ready, go) for n in per_process]
        )
        ready.wait()
        start = time.perf_counter()
        go.wait()
        results = pending.get()
        elapsed = time.perf_counter() - start
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = [e for _, err in results for e in err]
    # The warm-up of each client runs inside the timed window too; its answers are not
    # counted, so requests/s is slightly understated for slow routes, never overstated.
    return {
        "path": path,
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1)
        if latencies
        else None,
    }


def start_server(home: Path, source: Path | None) -> tuple[subprocess.Popen[str], str]:
    """``carrywatch serve --port 0`` on a new store in ``home``; with ``source``, the code
    of that ``src`` folder (``PYTHONPATH``) instead of the installed one."""
    env = {**os.environ, "CARRYWATCH_HOME": str(home)}
    env.pop("PYTHONPATH", None)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("carrywatch")), "serve", "--port", "0"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if found := re.search(r"serving on (http://\S+?)/ ", line):
            return process, found.group(1)
    process.kill()
    raise SystemExit("carrywatch serve did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--baseline", type=Path, help="the src folder of the revision to compare with"
    )
    parser.add_argument("--routes", default=",".join(ROUTES), help="comma-separated names")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result: dict[str, Any] = {
        "baseline": None if args.baseline is None else str(args.baseline),
        "clients": args.clients,
        "processes": args.processes,
        "seconds_per_route": args.seconds,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "routes": {},
    }
    measure = {"seconds": args.seconds, "clients": args.clients, "processes": args.processes}
    with tempfile.TemporaryDirectory() as tmp:
        servers = {"after": start_server(Path(tmp) / "after", None)}
        if args.baseline is not None:
            servers["before"] = start_server(Path(tmp) / "before", args.baseline.resolve())
        try:
            for name in args.routes.split(","):
                found: dict[str, Any] = {}
                # before, then after, route by route: a change in the machine's load during
                # the run hits both sides of each ratio alike
                for side in ("before", "after"):
                    if side in servers:
                        found[side] = run_route(servers[side][1], ROUTES[name], **measure)
                        print(name, side, json.dumps(found[side]), file=sys.stderr)
                if "before" in found:
                    found["requests_per_s_ratio"] = round(
                        found["after"]["requests_per_s"] / found["before"]["requests_per_s"], 1
                    )
                    found["p99_ratio"] = round(
                        found["after"]["p99_ms"] / found["before"]["p99_ms"], 4
                    )
                result["routes"][name] = found
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(timeout=30)
    text = json.dumps(result, indent=2)
    if args.out is not None:
        args.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
