"""carrywatch: a policy-divergence monitor for the Federal Reserve and the Bank of Japan.

Importing the package does nothing: no network, no file writes, no settings read.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
