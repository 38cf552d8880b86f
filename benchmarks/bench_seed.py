"""Seeding a new store from the embedded snapshot: this checkout against another one.

Run::

    git archive <ref> src | tar -x -C /tmp/baseline     # the carrywatch to compare with
    .venv/bin/python benchmarks/bench_seed.py --baseline /tmp/baseline/src [--repeats R]

Each side runs in a fresh process with its own ``src`` first on ``sys.path`` (same
interpreter and packages): it opens a new store without seeding, then times
``seed_store`` (every entry of the packaged snapshot, about 344,000 rows), best of R
stores. The two sides alternate, so a change of the machine's load touches both. Prints
one JSON object with both times and ``ratio`` (baseline / this checkout). Not a test: the
times depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

_SEED = """
import json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import carrywatch
from carrywatch.snapshot.artefact import seed_store
from carrywatch.workspace import open_store
with tempfile.TemporaryDirectory() as home:
    store = open_store(Path(home), seed=False)
    started = time.perf_counter()
    added = seed_store(store)
    elapsed = time.perf_counter() - started
    store.close()
print(json.dumps({"seed_s": elapsed, "rows": added, "module": carrywatch.__file__}))
"""


def _seed(src: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARRYWATCH_")}
    done = subprocess.run(
        [sys.executable, "-c", _SEED, str(src)], env=env, capture_output=True, text=True, check=True
    )
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    if not str(answer["module"]).startswith(str(src)):
        raise SystemExit(f"{src} was not the carrywatch imported: {answer['module']}")
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout's src/")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"baseline": [], "this": []}
    rows = {}
    for _ in range(args.repeats):
        for side, src in (("baseline", args.baseline.resolve()), ("this", SRC)):
            answer = _seed(src)
            times[side].append(float(str(answer["seed_s"])))
            rows[side] = answer["rows"]
    best = {side: min(values) for side, values in times.items()}
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "repeats": args.repeats,
                "rows": rows,
                "seed_baseline_s": round(best["baseline"], 3),
                "seed_this_s": round(best["this"], 3),
                "ratio": round(best["baseline"] / best["this"], 2),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
