"""As-of reads of the store: the packed newest revisions against every stored revision.

Seeds a new store from the embedded snapshot once (untimed), then times, best of
``--repeats``, reading every series the brief reads as of one day three ways:

* ``asof_packed_s``: ``Store.read(ids, asof=D, releases=calendar)``: the packed newest
  revisions (``newest_columns``, first publications included), dated by the catalog's
  release calendar, each row joined with its fetch's provenance in a frame;
* ``asof_by_reference_s``: the brief's read, the same rows as column arrays
  (``Store.read_released``) and each fetch's provenance once (``Store.fetch_sources``);
* ``asof_obs_date_rule_s``: the same read dated by the store's default rule (no calendar),
  to show what the point-in-time rule itself costs;
* ``all_revisions_s``: the same observations picked from every stored revision
  (``known_at`` far in the future), the path the packed table replaces.

Run: ``.venv/bin/python benchmarks/bench_store_read.py [--repeats 7] [--asof 2025-12-05]``;
prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.report.sections import SECTION_READS
from carrywatch.store.release import obs_date_rule


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """The best wall time of ``repeats`` calls of ``run``, seconds."""
    return min(timeit.repeat(run, number=1, repeat=repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--asof", type=date.fromisoformat, default=date(2025, 12, 5))
    args = parser.parse_args()
    catalog = load_catalog()
    ids = list(dict.fromkeys(sid for reads in SECTION_READS.values() for sid in reads))
    far = datetime(2100, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        with carrywatch.open_store(Path(home)) as store:
            seed_s = time.perf_counter() - start
            rule = catalog.calendar.release_dates
            packed = best_of(args.repeats, lambda: store.read(ids, asof=args.asof, releases=rule))

            def by_reference() -> object:
                read = store.read_released(ids, asof=args.asof, releases=rule)
                return store.fetch_sources(read.rows.fetch_id)

            reference = best_of(args.repeats, by_reference)
            plain = best_of(
                args.repeats, lambda: store.read(ids, asof=args.asof, releases=obs_date_rule)
            )
            every = best_of(
                args.repeats,
                lambda: store.read(ids, end=args.asof, known_at=far),
            )
            rows = len(store.read(ids, asof=args.asof, releases=rule))
            n_obs = store.counts()[1]
    print(
        json.dumps(
            {
                "asof": args.asof.isoformat(),
                "series": len(ids),
                "rows_read": rows,
                "stored_rows": n_obs,
                "repeats": args.repeats,
                "asof_packed_s": round(packed, 4),
                "asof_by_reference_s": round(reference, 4),
                "ratio_packed_to_by_reference": round(packed / reference, 2),
                "asof_obs_date_rule_s": round(plain, 4),
                "all_revisions_s": round(every, 4),
                "ratio_all_revisions_to_packed": round(every / packed, 1),
                "ratio_packed_to_obs_date_rule": round(packed / plain, 2),
                "seed_new_store_s": round(seed_s, 2),
                "python": sys.version.split()[0],
                "numpy": np.__version__,
                "pandas": pd.__version__,
                "sqlite": sqlite3.sqlite_version,
                "machine": platform.machine(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
