"""What the brief's "What changed since" section costs, as a share of building the brief.

Run: ``.venv/bin/python benchmarks/bench_what_changed.py [--repeats R]`` (uses
``CARRYWATCH_HOME``; a new store is seeded from the embedded snapshot first, untimed).

Times, in one process and as of 2024-08-05, ``build_report`` (every section, the new one
included) and ``what_changed_section`` alone on the same inputs (the headline metrics at
28 weekly dates: 26 past weekly changes, the week measured); best of ``repeats`` each.
Prints one JSON object with both times and the ratio section / brief. Not a test: the
times depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import date

from carrywatch.report.inputs import BriefInputs
from carrywatch.report.render import build_report
from carrywatch.report.sections import SECTION_READS
from carrywatch.report.what_changed import what_changed_section
from carrywatch.workspace import catalog_of, open_store

ASOF = date(2024, 8, 5)


def _best(repeats: int, run: object) -> float:
    assert callable(run)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with open_store() as store:
        catalog = catalog_of(store)
        reads = tuple(dict.fromkeys(s for ids in SECTION_READS.values() for s in ids))
        inputs = BriefInputs.load(store, catalog, ASOF, reads)
        build_report(store, catalog, ASOF)  # warm: imports, caches
        brief_s = _best(args.repeats, lambda: build_report(store, catalog, ASOF))
        section_s = _best(args.repeats, lambda: what_changed_section(inputs))
    print(
        json.dumps(
            {
                "asof": ASOF.isoformat(),
                "repeats": args.repeats,
                "build_report_s": round(brief_s, 4),
                "what_changed_section_s": round(section_s, 4),
                "ratio_section_to_brief": round(section_s / brief_s, 3),
                "python": platform.python_version(),
                "machine": platform.machine(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
