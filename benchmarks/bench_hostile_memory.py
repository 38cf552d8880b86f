"""Peak memory and wall time of ``carrywatch refresh`` against hostile local servers.

A local server (``tests/helpers/replay_server.py``) stands in for FRED and answers
``refresh --series us.ust.10y`` with:

``healthy``
    the real DGS10 download of ``tests/payloads/fred`` (the reference run);
``huge_body``
    plausible CSV rows without end (the client stops at its 16 MiB default);
``gzip_bomb``
    2 GiB of zeros, gzip-compressed on the fly (about 2 MB on the wire);
``slow_drip``
    one short line every 0.5 s, with ``CARRYWATCH_HTTP_TIMEOUT_S=3`` and
    ``CARRYWATCH_HTTP_DEADLINE_S=10`` (each read is quick: only the total deadline ends it).

Each refresh is a fresh process in a wrapper that reads its maximum resident set size
(``getrusage(RUSAGE_CHILDREN)``); the store is seeded from the embedded snapshot once
beforehand and copied for every run, so seeding is not measured.

Run: ``.venv/bin/python benchmarks/bench_hostile_memory.py``; prints one JSON object.
Goal (issue 11): peak RSS under 300 MB whatever the server sends.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.replay_server import ReplayServer, Reply, endless, gzip_bomb  # noqa: E402

PYTHON = sys.executable
FRED_PATH = "/graph/fredgraph.csv"
DGS10 = ROOT / "tests/payloads/fred/XinyuLiu2403__acc102-macro-dashboard__DGS10.csv"
GOAL_MB = 300

_MEASURE = """
import resource, subprocess, sys, time, json
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
lines = done.stderr.decode(errors="replace").strip().splitlines()
print(json.dumps({"exit": done.returncode, "s": round(elapsed, 2),
                  "peak_rss_mb": round(peak_kb / 1024, 1), "stderr": lines[-1:]}))
"""


SCENARIOS: dict[str, tuple[Reply, dict[str, str]]] = {
    "healthy": (Reply.payload(DGS10.read_bytes()), {}),
    "huge_body": (Reply.stream(lambda: endless(b"2024-08-01,3.98\n" * 4096)), {}),
    "gzip_bomb": (
        Reply.stream(lambda: gzip_bomb(2048), headers=(("Content-Encoding", "gzip"),)),
        {},
    ),
    "slow_drip": (
        Reply.stream(lambda: endless(b"2024-08-01,3.98\n"), chunk_delay_s=0.5),
        {"CARRYWATCH_HTTP_TIMEOUT_S": "3", "CARRYWATCH_HTTP_DEADLINE_S": "10"},
    ),
}


def refresh(home: Path, origin: str, extra_env: dict[str, str]) -> dict[str, object]:
    env = {
        **os.environ,
        "CARRYWATCH_HOME": str(home),
        "CARRYWATCH_FRED_ORIGIN": origin,
        "CARRYWATCH_RETRY_BASE_S": "0.01",
        **extra_env,
    }
    env.pop("FRED_API_KEY", None)  # the key-less graph CSV is the source replayed
    command = [PYTHON, "-m", "carrywatch.cli", "refresh", "--series", "us.ust.10y"]
    out = subprocess.run(
        [PYTHON, "-c", _MEASURE, *command], check=True, capture_output=True, text=True, env=env
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def main() -> int:
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        seeded = Path(tmp) / "seeded"
        env = {**os.environ, "CARRYWATCH_HOME": str(seeded)}
        subprocess.run(
            [PYTHON, "-m", "carrywatch.cli", "series", "list"],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        for name, (reply, extra_env) in SCENARIOS.items():
            home = Path(tmp) / name
            shutil.copytree(seeded, home)
            with ReplayServer() as server:
                server.route(FRED_PATH, reply)
                results[name] = refresh(home, server.origin, extra_env)
    healthy_mb = float(str(results["healthy"]["peak_rss_mb"]))
    for result in results.values():
        result["ratio_to_healthy"] = round(float(str(result["peak_rss_mb"])) / healthy_mb, 2)
    worst = max(float(str(r["peak_rss_mb"])) for r in results.values())
    print(
        json.dumps(
            {
                "scenarios": results,
                "worst_peak_rss_mb": worst,
                "goal_mb": GOAL_MB,
                "within_goal": worst < GOAL_MB,
                "python": sys.version.split()[0],
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
