"""The conventions of the probability tree, documented once: how the chain of periods is
anchored, which rate the decision day counts at, and the size of one move.

:class:`Conventions` is taken by every engine of :mod:`carrywatch.analytics.odds`
(futures, rate path, the shared tree) and stated by every result and JSON output.

Chain (``chain``)
-----------------
A period without a meeting anchors the chain: its average is the rate at the end of the
period before and at the start of the period after (CME: EFFR(end)_{T-1} = EFFR(avg)_T =
EFFR(start)_{T+1}). Through a period with one meeting, avg = (N_b s + N_a e) / N, so one
side follows from the other and the period's own average. The chains differ in which side
they take from the neighbours:

* ``"cme"`` (default; CME's live FedWatch tool): the end of a meeting period is carried
  back from the next anchor (through any meeting periods between, each handing its solved
  start to the period before), and the start is solved from the period's own average; only
  where no anchor lies ahead is the start carried forward and the end solved. A month
  already over anchors like any other when its final settlement is given (the live tool
  lists only contracts still trading: pass the prices it shows to reproduce it). So CME's
  worksheet of 12 September 2022 takes September's end from October (ZQV2: 3.0600) and
  solves the start (2.2987); the 2015 methodology paper, with no October contract, takes
  September 2015's start from August and solves the end. The same precedence ("backward
  solving first ... forward solving fills what backward could not reach") is documented by
  the cme-fedwatch package (0.2.1, ``calc.py``), which reproduces the live tool's tables.
* ``"longer-side"``: both candidates are formed and the side with more days in the period
  is solved from its average (carrywatch's default before CME's live tool was matched; it
  misses the tool by up to 4.8 pp when a meeting falls early in its month).
* ``"pyfedwatch"``: both sides pinned to neighbouring periods without a meeting, runs of
  meeting periods resolved backward from the next one (pyfedwatch 1.2.0).

Announcement day (``announcement_day``)
---------------------------------------
* ``"new"``: the decision day counts at the new rate, as in CME's published documents
  (the 2015 paper: 17 September 2015 leaves 16 days before and 14 after; the worksheet of
  12 September 2022: the 21 September meeting leaves 20 days before and 10 after).
* ``"old"``: it counts at the old rate. Since December 2015 the Fed's implementation notes
  make new administered rates effective the day after the statement, so the EFFR of the
  decision day is mostly at the old rate; CME's live tool of 2026 counts it so (the
  cme-fedwatch package: "CME counts the announcement day itself as pre-change").
* ``"cme"`` (default): the convention CME's tool used on the trade date: ``"new"`` before
  :data:`CME_OLD_RATE_SINCE`, ``"old"`` from it on. CME has not published when its tool
  changed; the last public record of the new-rate count is of 2023 (tool tables of April
  2023) and the first of the old-rate count is of 2026 (the cme-fedwatch README example,
  ZQJ6 before the 29 April 2026 meeting), so the boundary is set at the start of 2026 and
  trade dates of 2024-2025 may be off by the one day's weight (see docs/analytics.md).

Other conventions, fixed: only differences of rates are used (the basis of the overnight
rate to the range midpoint is assumed constant and cancels; CME's 2015 floor at zero is
not applied); two meetings in a period take the start from the left, the end from the
right and the rate between from the average, three are not identified; periods after the
published calendar anchor nothing; a move above ``MAX_MOVE_BP`` at one meeting is taken
as bad input.

References
----------
CME Group, "Fed Funds Futures Probability Tree Calculator" (the FedWatch methodology),
https://www.cmegroup.com/education/demos-and-tutorials/fed-funds-futures-probability-tree-calculator.html,
and its worksheet "FedWatch calculation examples" (12 September 2022); J. Lao and A. Mirza,
"CME Group FedWatch Tool - Fed Funds Futures Probability Tree Calculator", CME Group (2015);
cme-fedwatch 0.2.1 (PyPI, MIT, github.com/tjdwls101010/CME-FedWatch), ``calc.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal, get_args

__all__ = [
    "ANNOUNCEMENT_DAY_RULES",
    "CHAINS",
    "CME",
    "CME_OLD_RATE_SINCE",
    "AnnouncementDay",
    "AnnouncementDayRule",
    "Chain",
    "Conventions",
]

Chain = Literal["cme", "longer-side", "pyfedwatch"]
#: The rate the decision day counts at.
AnnouncementDay = Literal["new", "old"]
#: A fixed :data:`AnnouncementDay`, or ``"cme"``: CME's tool on the trade date.
AnnouncementDayRule = Literal["cme", "new", "old"]

CHAINS: Final[tuple[str, ...]] = get_args(Chain)
ANNOUNCEMENT_DAY_RULES: Final[tuple[str, ...]] = get_args(AnnouncementDayRule)
#: First trade date on which CME's tool is taken to count the decision day at the old rate.
CME_OLD_RATE_SINCE: Final = date(2026, 1, 1)


@dataclass(frozen=True, slots=True)
class Conventions:
    """How the tree reads averages into moves (the module docstring documents each field).

    ``step_bp`` is the move the tree is built from: 25 bp for the Fed (CME); for the BOJ a
    judgement (it moved by 15 bp on 31 July 2024, 0-0.1% to 0.25%).
    """

    chain: Chain = "cme"
    announcement_day: AnnouncementDayRule = "cme"
    step_bp: float = 25.0

    def __post_init__(self) -> None:
        if self.chain not in CHAINS:
            raise ValueError(f"unknown chain {self.chain!r}: use one of {', '.join(CHAINS)}")
        if self.announcement_day not in ANNOUNCEMENT_DAY_RULES:
            raise ValueError(
                f"unknown announcement day {self.announcement_day!r}: use one of "
                + ", ".join(ANNOUNCEMENT_DAY_RULES)
            )
        if not (math.isfinite(self.step_bp) and self.step_bp > 0):
            raise ValueError(f"step_bp must be a positive number, not {self.step_bp}")

    def announcement_day_on(self, trade_date: date) -> AnnouncementDay:
        """The rate the decision day counts at for odds as of ``trade_date``."""
        if self.announcement_day == "cme":
            return "old" if trade_date >= CME_OLD_RATE_SINCE else "new"
        return self.announcement_day

    def effective_day(self, meeting: date, trade_date: date) -> date:
        """The first day at the new rate of ``meeting``, for odds as of ``trade_date``."""
        lag = 0 if self.announcement_day_on(trade_date) == "new" else 1
        return meeting + timedelta(days=lag)

    def describe(self, trade_date: date) -> dict[str, object]:
        """The conventions used on ``trade_date``, as JSON: the rule and what it resolved to."""
        return {
            "chain": self.chain,
            "announcement_day": self.announcement_day,
            "announcement_day_counts_at": self.announcement_day_on(trade_date),
            "step_bp": self.step_bp,
        }

    def label(self, trade_date: date) -> str:
        """One phrase: ``cme chain, announcement day at the old rate (cme rule), 25 bp``."""
        rule = f" ({self.announcement_day} rule)" if self.announcement_day == "cme" else ""
        return (
            f"{self.chain} chain, announcement day at the "
            f"{self.announcement_day_on(trade_date)} rate{rule}, {self.step_bp:g} bp steps"
        )


#: CME's live FedWatch tool as of each trade date.
CME: Final = Conventions()
