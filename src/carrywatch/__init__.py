"""carrywatch: a policy-divergence monitor for the Federal Reserve and the Bank of Japan.

Importing the package does nothing: no network, no file writes, no settings read.

>>> import carrywatch
>>> store = carrywatch.open_store()            # doctest: +SKIP
>>> store.read(["us.ust.10y"], asof=date(2024, 8, 5))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carrywatch.store.sqlite import Store

from carrywatch.version import __version__

__all__ = ["__version__", "open_store"]


def open_store(home: Path | str | None = None, *, seed: bool = True) -> Store:
    """Open (and on first use seed) the store; see :func:`carrywatch.workspace.open_store`."""
    from carrywatch.workspace import open_store as _open_store  # noqa: PLC0415 -- lazy: importing carrywatch stays free

    return _open_store(home, seed=seed)
