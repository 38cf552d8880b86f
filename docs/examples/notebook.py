"""A notebook session with carrywatch, as a script: the week of the August 2024 unwind.

Runs offline on the embedded snapshot (a new store is seeded on first use):

    python docs/examples/notebook.py

Each step is what a notebook cell would hold.
"""

from __future__ import annotations

import carrywatch

# 1. Series as one wide frame, in display units (the Fed's assets in USD billions).
frame = carrywatch.series(
    ["us.ust.10y", "jp.jgb.10y", "fx.usdjpy", "us.fed.assets"],
    start="2024-07-29",
    end="2024-08-09",
)
print(frame.attrs["units"])
spread_pp = (frame["us.ust.10y"] - frame["jp.jgb.10y"]).dropna()
print(spread_pp.rename("spread_10y_pp").to_string())

# 2. Every headline metric as of the day of the sell-off.
metrics = carrywatch.metrics(asof="2024-08-05")
table = metrics.to_frame()
print(table[["value", "unit", "obs_date"]].to_string())
print(f"10y spread: {metrics['spread.us_jp.10y'].value:.3f} pp")

# 3. Policy odds: without a futures file or archived market snapshots there is no
#    distribution, and the notes say what would give one.
odds = carrywatch.odds("fed", asof="2024-08-05")
print(odds.to_frame())
for note in odds.notes:
    print("note:", note)

# 4. The brief: the page, brief.json and every table as CSV under example-brief/tables/.
brief = carrywatch.brief(asof="2024-08-05", out="example-brief")
print(brief.paths.html if brief.paths else "not written")
print(sorted(brief.tables()))
