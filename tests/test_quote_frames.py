"""The ``QUOTES`` contract of :mod:`carrywatch.frames`: outcome codes, the optional book
and volume columns, and their observations."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from carrywatch.errors import ParseError
from carrywatch.frames import (
    label_move,
    move_outcome,
    observations_from_quotes,
    outcome_label,
    outcome_move,
    outcome_strike,
    quotes_frame,
    strike_outcome,
)

MEETING = date(2026, 12, 9)
AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("move", "or_more", "code"),
    [
        (0, False, "hold"),
        (-25, False, "cut_25"),
        (50, True, "hike_50_plus"),
        (-75, True, "cut_75_plus"),
    ],
)
def test_move_codes_round_trip_through_words(move: int, or_more: bool, code: str) -> None:
    assert move_outcome(move, or_more=or_more) == code
    assert outcome_move(code) == (move, or_more)
    label = outcome_label(code)
    assert label is not None
    assert label_move(label) == (float(move), or_more)


def test_codes_that_are_not_moves_or_strikes() -> None:
    assert move_outcome(12.5) is None  # not whole bp
    assert move_outcome(0, or_more=True) is None  # "no change or more" means nothing
    assert strike_outcome(3.75) == "above_375"
    assert outcome_strike("above_375") == 3.75
    assert strike_outcome(3.755) is None
    for code in ("350-375", "above_375", "hold_plus", "cut25"):
        assert outcome_move(code) is None
    assert outcome_strike("hold") is None
    assert outcome_label("above_375") is None


def _frame(**changes: object) -> pd.DataFrame:
    given: dict[str, object] = {
        "venues": ["kalshi"],
        "meetings": [MEETING],
        "outcomes": ["above_375"],
        "quoted_at": [AT],
        "probabilities": [0.06],
        "fields": {"bid": [0.05], "ask": [math.nan], "volume": [100.0]},
    }
    given.update(changes)
    return quotes_frame("kalshi", **given)  # type: ignore[arg-type]


def test_the_fields_become_observations_beside_the_probability() -> None:
    rows = observations_from_quotes("kalshi", _frame())
    # No ask (no order on that side): no observation of it.
    assert dict(zip(rows["remote_code"], rows["value"], strict=True)) == {
        "kalshi:2026-12-09:above_375": 0.06,
        "kalshi:2026-12-09:above_375:bid": 0.05,
        "kalshi:2026-12-09:above_375:volume": 100.0,
    }
    assert set(rows["known_from"]) == {AT}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"outcomes": ["Kevin Warsh"]}, "not outcome codes"),
        ({"fields": {"bid": [1.5]}}, r"bids outside \[0, 1\]"),
        ({"fields": {"volume": [-1.0]}}, "negative volume"),
        ({"fields": {"spread": [0.1]}}, "unknown quote fields"),
        ({"probabilities": [1.2]}, r"probabilities outside \[0, 1\]"),
    ],
)
def test_the_contract_refuses_what_is_not_a_quote(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ParseError, match=message):
        _frame(**changes)
