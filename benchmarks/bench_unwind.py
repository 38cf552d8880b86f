"""Time ``unwind_scenario`` for 1,000,000 paths against drawing its normals alone.

Run: ``.venv/bin/python benchmarks/bench_unwind.py [--paths N] [--repeats R]``.
Prints one JSON object: best-of-R wall times, their ratio (goal: <= 2) and the peak
memory traced by ``tracemalloc`` during one extra run of each (timed runs are untraced,
since tracing slows allocation). Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from carrywatch.analytics.scenarios import (
    PositioningModel,
    UnwindAssumptions,
    fit_positioning_model,
    unwind_scenario,
)

SEED = 20240805


def _model() -> PositioningModel:
    """A model fitted on synthetic weekly data (the fit is not timed)."""
    rng = np.random.default_rng(SEED)
    dates = pd.date_range("2022-07-26", periods=210, freq="7D")
    spread = pd.Series(3.0 + np.cumsum(rng.normal(0.0, 0.05, 210)), index=dates, name="spread")
    net = pd.Series(
        90_000.0 - 45_000.0 * spread.to_numpy() + rng.normal(0.0, 60_000.0, 210),
        index=dates,
        name="net",
    )
    return fit_positioning_model(net, spread)


def _best_of(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _peak_bytes(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    model = _model()
    assumptions = UnwindAssumptions()
    n = args.paths

    def scenario() -> object:
        return unwind_scenario(
            model,
            1.86,
            1.5,
            6,
            assumptions,
            usdjpy=150.0,
            n_paths=n,
            rng=np.random.default_rng(SEED),
        )

    def normals() -> object:
        # The same draws unwind_scenario makes: one (2, n) standard-normal block.
        return np.random.default_rng(SEED).standard_normal((2, n))

    scenario()
    normals()  # warm-up
    t_scenario = _best_of(scenario, args.repeats)
    t_normals = _best_of(normals, args.repeats)
    report = {
        "n_paths": n,
        "repeats": args.repeats,
        "unwind_scenario_s": round(t_scenario, 5),
        "standard_normal_s": round(t_normals, 5),
        "ratio": round(t_scenario / t_normals, 3),
        "ratio_goal": 2.0,
        "peak_mem_unwind_scenario_mb": round(_peak_bytes(scenario) / 2**20, 2),
        "peak_mem_standard_normal_mb": round(_peak_bytes(normals) / 2**20, 2),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
