"""carrywatch: a policy-divergence monitor for the Federal Reserve and the Bank of Japan.

Importing the package does nothing: no network, no file writes, no settings read. The
functions below load what they need when first called (see :mod:`carrywatch.api`).

>>> import carrywatch
>>> carrywatch.series(["us.ust.10y", "jp.jgb.10y"], start="2024-07-01")  # doctest: +SKIP
>>> carrywatch.metrics(asof="2024-08-05").to_frame()                    # doctest: +SKIP
>>> carrywatch.odds("fed", asof="2024-08-05").to_frame()                # doctest: +SKIP
>>> carrywatch.brief(asof="2024-08-05", out="brief")                    # doctest: +SKIP
>>> carrywatch.open_store().read(["us.ust.10y"])                        # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carrywatch.api import Brief, Metrics, Odds, brief, metrics, odds, series
    from carrywatch.store.sqlite import Store

from carrywatch.version import __version__

__all__ = [
    "Brief",
    "Metrics",
    "Odds",
    "__version__",
    "brief",
    "metrics",
    "odds",
    "open_store",
    "series",
]

#: Names served by :mod:`carrywatch.api`, imported on first use (PEP 562).
_FROM_API = frozenset({"Brief", "Metrics", "Odds", "brief", "metrics", "odds", "series"})


def __getattr__(name: str) -> Any:
    if name in _FROM_API:
        from carrywatch import api  # noqa: PLC0415 -- lazy: importing carrywatch stays free

        return getattr(api, name)
    raise AttributeError(f"module 'carrywatch' has no attribute {name!r}")


def open_store(home: Path | str | None = None, *, seed: bool = True) -> Store:
    """Open (and on first use seed) the store; see :func:`carrywatch.workspace.open_store`."""
    from carrywatch.workspace import open_store as _open_store  # noqa: PLC0415 -- lazy: importing carrywatch stays free

    return _open_store(home, seed=seed)
