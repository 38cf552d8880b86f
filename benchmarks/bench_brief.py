"""Cold ``carrywatch brief`` on the embedded snapshot against importing pandas and plotly.

Each run is a fresh process (cold imports, cold caches of the interpreter); the store is
seeded once beforehand, so the timed brief reads and renders only. A separate first-run
timing includes seeding a new store from the snapshot. Brief and import runs alternate, so
a change in the machine's load hits both alike. carrywatch's bytecode is compiled first
(``compileall``), as pip does for an installed package and for pandas and plotly: with
``PYTHONDONTWRITEBYTECODE`` set, an editable install would otherwise compile every module of
carrywatch again in every run. Peak memory is the child's maximum resident set size
(``getrusage(RUSAGE_CHILDREN)`` per run, so each run is measured in a fresh wrapper process).

pandas 3 imports pyarrow whenever it is installed (the ``parquet`` and ``dev`` extras
install it), which alone adds about 65 MB to any process that imports pandas; the output
says whether it was (``pandas_imports_pyarrow``). A plain install (``make brief``) has none.

Run: ``.venv/bin/python benchmarks/bench_brief.py [--repeats 5] [--asof YYYY-MM-DD|default]``
with the Python of the environment to measure; prints one JSON object.
Goals (the performance issue): brief / import <= 1.5x, peak memory under 120 MB.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
CARRYWATCH = str(Path(PYTHON).with_name("carrywatch"))
ASOF = "2024-08-05"
RATIO_GOAL = 1.5
PEAK_MEM_GOAL_MB = 120

_MEASURE = """
import resource, subprocess, sys, time, json
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"s": elapsed, "cpu_s": cpu, "peak_mb": usage.ru_maxrss / 1024}))
"""


def measure(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall time, CPU time (user + system) and peak RSS of ``command`` run once in a fresh
    process. On a machine shared with other work the CPU time moves far less than the wall
    time, so both ratios are reported."""
    out = subprocess.run(
        [PYTHON, "-c", _MEASURE, *command], check=True, capture_output=True, text=True, env=env
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--asof", default=ASOF, help="the brief's date, or 'default' for none (the default date)"
    )
    args = parser.parse_args()
    asof = [] if args.asof == "default" else ["--asof", args.asof]
    package = importlib.util.find_spec("carrywatch")
    for folder in (package.submodule_search_locations or []) if package else []:
        compileall.compile_dir(folder, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CARRYWATCH_HOME": str(Path(tmp) / "home")}
        brief = [CARRYWATCH, "brief", *asof, "--out", str(Path(tmp) / "out")]
        first = measure(brief, env)  # seeds the store from the snapshot, then renders
        runs, imports = [], []
        for _ in range(args.repeats):
            runs.append(measure(brief, env))
            imports.append(measure([PYTHON, "-c", "import pandas, plotly"], env))
    brief_s = statistics.median(r["s"] for r in runs)
    import_s = statistics.median(r["s"] for r in imports)
    brief_cpu_s = statistics.median(r["cpu_s"] for r in runs)
    import_cpu_s = statistics.median(r["cpu_s"] for r in imports)
    probe = "import sys, pandas; print('pyarrow' in sys.modules)"
    pyarrow = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, check=True)
    print(
        json.dumps(
            {
                "asof": args.asof,
                "repeats": args.repeats,
                "first_run_with_seeding_s": round(first["s"], 3),
                "brief_s": round(brief_s, 3),
                "import_pandas_plotly_s": round(import_s, 3),
                "ratio": round(brief_s / import_s, 2),
                "ratio_goal": RATIO_GOAL,
                "brief_cpu_s": round(brief_cpu_s, 3),
                "import_pandas_plotly_cpu_s": round(import_cpu_s, 3),
                "ratio_cpu": round(brief_cpu_s / import_cpu_s, 2),
                "peak_mem_brief_mb": round(max(r["peak_mb"] for r in runs), 1),
                "peak_mem_goal_mb": PEAK_MEM_GOAL_MB,
                "pandas_imports_pyarrow": pyarrow.stdout.strip() == "True",
                "peak_mem_first_run_mb": round(first["peak_mb"], 1),
                "peak_mem_import_mb": round(max(r["peak_mb"] for r in imports), 1),
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
