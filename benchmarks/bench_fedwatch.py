"""carrywatch's FedWatch engine against pyfedwatch 1.2.0 on the same year of ZQ settlements.

Run: ``.venv/bin/python benchmarks/bench_fedwatch.py [--repeats R] [--num-upcoming N]``.

pyfedwatch imports pandas-datareader 0.10, which fails on pandas >= 2.2, so it runs in its
own virtual environment, ``benchmarks/.venv-pyfedwatch`` (created on first run with
``pip install pyfedwatch==1.2.0 'pandas<2.2' 'numpy<2'``), in a subprocess.

Inputs. There is no ZQ settlement history offline, so one is built from a real path: the
realized daily effective fed funds rate (DFF, the embedded snapshot) and the FOMC calendar
(``events.toml``). On trade date t the expected rate for day d is the realized rate when
d <= t + 7 days, and otherwise ``r_t + (r_d - r_t) * exp(-(d - t - 7) / 120)`` (foresight
that fades with the horizon); a month's price is 100 minus the mean over its days,
rounded to the 0.0025 tick. An expired contract reads, on every later row, the price of
its last trade date in the month (what pyfedwatch reads from the history). Trade dates:
business days of 2024-06-03 .. 2025-05-30; target range: the one decided at the last
meeting on or before the trade date.

Prints one JSON object: the largest |difference in probability| under pyfedwatch's
conventions (``chain="pyfedwatch"``) and under CME's (``chain="cme"``), the speed ratio
(pyfedwatch's loop over the trade dates / one call of ours, ``to_frame()`` included), and
CME's published worked example (12 September 2022) as each engine computes it. Not a
test: the times depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import subprocess
import sys
import tempfile
import time
import venv
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from carrywatch.analytics.odds.conventions import Chain, Conventions
from carrywatch.analytics.odds.futures import contract_code, futures_implied_odds, price_from_rate
from carrywatch.analytics.odds.policy_odds import PolicyOdds
from carrywatch.analytics.odds.rate_path import meeting_dated_path, path_implied_odds
from carrywatch.catalog.spec import load_catalog
from carrywatch.snapshot.artefact import read_snapshot

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-pyfedwatch"
PEER = ("pyfedwatch==1.2.0", "pandas<2.2", "numpy<2")
TRADE_START, TRADE_END = "2024-06-03", "2025-05-30"
FIRST_MONTH, LAST_MONTH = "2024-01", "2026-06"
KNOWN_DAYS, FADE_DAYS, TICK = 7, 120.0, 0.0025

# CME's worksheet "FedWatch calculation examples", daily settles as of 12 September 2022,
# and what it derives: Sep start 2.2987 / end 3.0600 / change 0.7613, Nov start 3.0600 /
# end 3.5876 / change 0.5276 (percent).
CME_DATE = "2022-09-12"
CME_PRICES = {
    "2022-09": 97.4475, "2022-10": 96.9400, "2022-11": 96.4300, "2022-12": 96.2350,
    "2023-01": 96.1150, "2023-02": 96.0200, "2023-03": 96.0050, "2023-04": 95.9850,
    "2023-05": 96.0050, "2023-06": 96.0350, "2023-07": 96.0650,
}  # fmt: skip
CME_PUBLISHED_CHANGE_PCT = {"2022-09-21": 0.7613, "2022-11-02": 0.5276}
# Lao and Mirza (2015): FFQ5 99.8675, FFU5 99.805 -> P(hike at 17 September 2015) 53.6%.
CME_2015 = {"2015-08": 99.8675, "2015-09": 99.805}
CME_2015_P_HIKE_PCT = 53.6
# CME FedWatch's published tables (the payload copy; pass the whole history file with
# --cme-tables to use every day of it).
CME_TABLES = HERE.parent / "tests" / "payloads" / "cme_fedwatch_tables" / "cme_fedwatch_2026-07.csv"

RUNNER = r"""
import json, sys, time
import pandas as pd
from pyfedwatch.fedwatch import FedWatch

work = sys.argv[1]
spec = json.load(open(f"{work}/spec.json"))
prices = pd.read_csv(f"{work}/prices.csv", index_col=0, parse_dates=True)
history = {c: prices[[c]].rename(columns={c: "Close"}).rename_axis("Date") for c in prices}

def read(symbol):
    return history[symbol]

out, changes = [], []
start = time.perf_counter()
for day, lower, upper in spec["watch"]:
    fw = FedWatch(watch_date=day, num_upcoming=spec["num_upcoming"],
                  fomc_dates=spec["fomc"], user_func=read)
    table = fw.generate_hike_info(rate_cols=True, watch_rate_range=(lower, upper))
    out.append(table.reset_index().to_dict("records"))
elapsed = time.perf_counter() - start
if spec.get("changes"):
    fw = FedWatch(watch_date=spec["watch"][0][0], num_upcoming=spec["num_upcoming"],
                  fomc_dates=spec["fomc"], user_func=read)
    bins = fw.generate_binary_hike_info()
    changes = [[str(m), float(c) * 0.25] for m, c in zip(bins["Meeting"], bins["Change"])]
json.dump({"seconds": elapsed, "tables": out, "changes": changes}, sys.stdout)
"""


def _peer_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER], check=True)
    return python


def _run_peer(
    prices: pd.DataFrame, watch: list[tuple[str, float, float]], fomc: list[str], upcoming: int
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as work:
        prices.rename(columns=contract_code).to_csv(f"{work}/prices.csv")
        spec = {"watch": watch, "fomc": fomc, "num_upcoming": upcoming, "changes": len(watch) == 1}
        Path(work, "spec.json").write_text(json.dumps(spec))
        done = subprocess.run(
            [str(_peer_python()), "-c", RUNNER, work], check=False, capture_output=True, text=True
        )
    if done.returncode:
        raise SystemExit(f"pyfedwatch failed:\n{done.stderr[-2000:]}")
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _settlements() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(frame for our engine, history for pyfedwatch): trade dates x contract months."""
    _, frame = read_snapshot()
    rows = frame[frame["series_id"] == "us.fed.dff"].drop_duplicates("obs_date", keep="last")
    dff = pd.Series(rows["value"].to_numpy(float), index=pd.DatetimeIndex(rows["obs_date"]))
    months = pd.period_range(FIRST_MONTH, LAST_MONTH, freq="M")
    days = pd.date_range(months[0].start_time, months[-1].end_time.normalize(), freq="D")
    realized = dff.sort_index().reindex(days).to_numpy()
    if np.isnan(realized).any():
        raise SystemExit("DFF has gaps in the benchmark window; rebuild the snapshot")
    trades = pd.bdate_range(months[0].start_time, TRADE_END)  # history from the first month
    now = realized[days.get_indexer(trades)][:, None]
    ahead = (days.to_numpy()[None, :] - trades.to_numpy()[:, None]) / np.timedelta64(1, "D")
    fade = np.exp(-np.clip(ahead - KNOWN_DAYS, 0.0, None) / FADE_DAYS)
    expected = now + (realized[None, :] - now) * fade
    month_of = days.to_period("M")
    rates = pd.DataFrame({m: expected[:, month_of == m].mean(axis=1) for m in months}, trades)
    history = ((price_from_rate(rates) / TICK).round() * TICK).round(4)
    values, stamps = history.to_numpy(copy=True), history.index.to_numpy()
    for j, m in enumerate(months):
        later = stamps > np.datetime64(m.end_time)
        values[later, j] = values[~later, j][-1]  # the last price in the month, on every row
    ours = pd.DataFrame(values, index=history.index, columns=history.columns)
    return ours.loc[TRADE_START:], history


def _targets(trades: pd.DatetimeIndex) -> tuple[pd.Series, pd.Series]:
    held = [m for m in load_catalog().fomc if m.target_lower_pct is not None]
    marks = pd.DatetimeIndex([pd.Timestamp(m.date) for m in held])
    last = marks.searchsorted(trades, side="right") - 1
    lower = pd.Series([held[i].target_lower_pct for i in last], index=trades, dtype=float)
    upper = pd.Series([held[i].target_upper_pct for i in last], index=trades, dtype=float)
    return lower, upper


def _max_difference(
    ours: PolicyOdds, tables: list[list[dict[str, object]]]
) -> tuple[float, int, list[str]]:
    """Largest |ours - pyfedwatch| over the pairs where pyfedwatch gives a distribution,
    the number of such pairs, and the pairs where it does not (probabilities not summing
    to 1: with an implied change of exactly 0, its two branches are both keyed 0 bp and
    the second, of probability 0, overwrites the first for the nearest meeting)."""
    worst, pairs, broken = 0.0, 0, []
    for rows in tables:
        for row in rows:
            day = date.fromisoformat(str(row.pop("WatchDate")))
            meeting = date.fromisoformat(str(row.pop("FOMCDate")))
            theirs = {k: float(str(v)) for k, v in row.items()}
            if abs(sum(theirs.values()) - 1.0) > 1e-9:
                broken.append(f"{day} {meeting}: pyfedwatch sums to {sum(theirs.values()):g}")
                continue
            odds = ours.odds(day, meeting)
            if odds.distribution is None:
                raise SystemExit(f"ours has no odds for {meeting} on {day}: {odds.reason}")
            mine = {
                f"{r.lower_pct:.2f}-{r.upper_pct:.2f}": r.probability for r in odds.distribution
            }
            for label in set(mine) | set(theirs):
                worst = max(worst, abs(mine.get(label, 0.0) - theirs.get(label, 0.0)))
            pairs += 1
    return worst, pairs, broken


def _cme_example() -> dict[str, object]:
    """CME's worked example through both engines (pyfedwatch also reads August's final
    settlement, 100 minus August 2022's average DFF, as its starting month)."""
    _, frame = read_snapshot()
    dff = frame[frame["series_id"] == "us.fed.dff"].drop_duplicates("obs_date", keep="last")
    aug = dff[dff["obs_date"].astype(str).str.startswith("2022-08")]["value"].mean()
    prices = {pd.Period("2022-08", "M"): round(100.0 - float(aug), 4)}
    prices |= {pd.Period(k, "M"): v for k, v in CME_PRICES.items()}
    frame = pd.DataFrame([prices], index=pd.DatetimeIndex([CME_DATE]))
    # pyfedwatch reads an expired contract on or before its month's last day.
    history = pd.concat([frame.iloc[:, :1].set_axis(pd.DatetimeIndex(["2022-08-31"])), frame])
    fomc = [str(m.date) for m in load_catalog().fomc if 2022 <= m.date.year <= 2023]
    peer = _run_peer(history, [(CME_DATE, 2.25, 2.50)], fomc, upcoming=5)
    theirs = {m: round(c, 6) for m, c in peer["changes"]}  # type: ignore[attr-defined]
    out: dict[str, object] = {"cme_published_change_pct": CME_PUBLISHED_CHANGE_PCT}
    chains: tuple[Chain, ...] = ("cme", "longer-side", "pyfedwatch")
    # CME's tool lists only the contracts still trading: no August on 12 September.
    listed = frame.drop(columns=[pd.Period("2022-08", "M")])
    for chain in chains:
        odds = futures_implied_odds(
            listed if chain == "cme" else frame,
            [m.date for m in load_catalog().fomc],
            (2.25, 2.50),
            conventions=Conventions(chain, "new"),
        )
        day = date.fromisoformat(CME_DATE)
        out[f"ours_{chain}_change_pct"] = {
            m: round(float(odds.odds(day, date.fromisoformat(m)).change_bp or 0) / 100, 6)
            for m in CME_PUBLISHED_CHANGE_PCT
        }
    out["pyfedwatch_change_pct"] = {m: theirs[m] for m in CME_PUBLISHED_CHANGE_PCT}
    out["august_2022_final_settlement"] = prices[pd.Period("2022-08", "M")]
    return out


def _published_cme(tables_csv: Path) -> dict[str, object]:
    """The largest difference from every real published CME table held: the 2015 paper's
    P(hike) and the 2022 worksheet's changes (from their prices, each chain), and CME's
    2026 tables (the tree on the per-meeting moves those tables imply; their contracts
    alone cannot pin CME's chain, see docs/analytics.md)."""
    out: dict[str, object] = {}
    frame = pd.DataFrame([{pd.Period(k, "M"): v for k, v in CME_2015.items()}])
    frame.index = pd.DatetimeIndex(["2015-08-28"])
    meetings = [date(2015, 7, 29), date(2015, 9, 17), date(2015, 10, 28)]
    for chain in ("cme", "longer-side"):
        odds = futures_implied_odds(
            frame,
            meetings,
            (0.0, 0.25),
            conventions=Conventions(chain),
            calendar_end=date(2015, 12, 31),
        ).odds(date(2015, 8, 28), date(2015, 9, 17))
        hike = sum(r.probability for r in odds.distribution or () if r.lower_pct >= 0.25)
        out[f"paper_2015_{chain}_p_hike_diff_pp"] = round(abs(100 * hike - CME_2015_P_HIKE_PCT), 4)
    example = _cme_example()
    for chain in ("cme", "longer-side"):
        ours = example[f"ours_{chain}_change_pct"]
        assert isinstance(ours, dict)
        out[f"worksheet_2022_{chain}_max_change_diff_bp"] = round(
            max(100 * abs(ours[m] - v) for m, v in CME_PUBLISHED_CHANGE_PCT.items()), 4
        )
    tables: dict[tuple[str, str], dict[float, float]] = {}
    current: dict[str, float] = {}
    with tables_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["contract"] or row["meeting_date"] < row["snapshot_date"]:
                continue  # the first day's NO CHANGE/HIKE rows; a meeting already held
            lower = int(row["rate_range"].split("-")[0]) / 100
            tables.setdefault((row["snapshot_date"], row["meeting_date"]), {})[lower] = float(
                row["prob_now"]
            )
            if "Current" in row["rate_range"]:
                current[row["snapshot_date"]] = lower
    worst_day: dict[str, float] = {}
    for day in sorted(current):
        # The tool shows the odds of the last settlement, the day before the snapshot (on
        # a meeting day the meeting is still ahead of it).
        trade = date.fromisoformat(day) - timedelta(days=1)
        meets = sorted(date.fromisoformat(m) for d, m in tables if d == day)
        lower = current[day]
        means = [
            sum((lo - lower) / 0.25 * p for lo, p in tables[day, str(m)].items())
            / sum(tables[day, str(m)].values())
            for m in meets
        ]
        old = Conventions(announcement_day="old")
        path = meeting_dated_path(
            trade, meets, lower + 0.125, (25 * np.diff([0.0, *means])).tolist(), conventions=old
        )
        result = path_implied_odds(
            path, meets, (lower, lower + 0.25), conventions=old, calendar_end=path.ends[-1]
        )
        for m in meets:
            got = {
                r.lower_pct: 100 * r.probability for r in result.odds(trade, m).distribution or ()
            }
            cme = tables[day, str(m)]
            gap = max(abs(got.get(k, 0.0) - cme.get(k, 0.0)) for k in {*got, *cme})
            worst_day[day] = max(worst_day.get(day, 0.0), gap)
    out["tables_2026_days"] = len(worst_day)
    out["tables_2026_tree_max_diff_pp"] = round(max(worst_day.values()), 4)
    out["tables_2026_days_above_0.15_pp"] = {
        d: round(w, 3) for d, w in worst_day.items() if w > 0.15
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="best of R calls of ours")
    parser.add_argument("--num-upcoming", type=int, default=8, help="meetings per trade date")
    parser.add_argument(
        "--cme-tables", type=Path, default=CME_TABLES, help="CME FedWatch published tables (CSV)"
    )
    args = parser.parse_args()
    ours_frame, history = _settlements()
    trades = pd.DatetimeIndex(ours_frame.index)
    lower, upper = _targets(trades)
    meetings = [m.date for m in load_catalog().fomc]
    watch = [
        (str(t.date()), float(lo), float(up))
        for t, lo, up in zip(trades, lower, upper, strict=True)
    ]
    fomc = [str(m) for m in meetings if m.year >= 2023]
    peer = _run_peer(history, watch, fomc, args.num_upcoming)
    horizon = pd.Period(LAST_MONTH, "M").end_time.date()

    def call(chain: Chain) -> PolicyOdds:
        return futures_implied_odds(
            ours_frame,
            meetings,
            (lower, upper),
            conventions=Conventions(chain, "new"),  # pyfedwatch counts the day at the new rate
            horizon=horizon,
        )

    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        call("pyfedwatch").to_frame()
        best = min(best, time.perf_counter() - start)
    tables = peer["tables"]
    same, pairs, broken = _max_difference(call("pyfedwatch"), json.loads(json.dumps(tables)))
    cme, _, _ = _max_difference(call("cme"), json.loads(json.dumps(tables)))
    seconds = float(peer["seconds"])  # type: ignore[arg-type]
    report = {
        "trade_dates": len(trades),
        "meetings_per_trade_date": args.num_upcoming,
        "pairs_compared": pairs,
        "pyfedwatch_pairs_without_distribution": len(broken),
        "pyfedwatch_pairs_without_distribution_first": broken[:3],
        "max_abs_diff_same_convention": same,
        "max_abs_diff_cme_chain_vs_pyfedwatch": cme,
        "goal_max_abs_diff": 1e-9,
        "pyfedwatch_s": seconds,
        "ours_s": best,
        "speed_ratio": seconds / best,
        "goal_speed_ratio": 50,
        "cme_worked_example": _cme_example(),
        "published_cme_largest_difference": _published_cme(args.cme_tables),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
