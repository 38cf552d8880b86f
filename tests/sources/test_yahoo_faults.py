"""Fault injection on the Yahoo chart API: bars of another interval than the daily ones
asked for.

The chart answer echoes its bar length in ``meta.dataGranularity`` (``"1d"`` in the
recording, which asked ``interval=1d``). A weekly (``1wk``) or intraday (``5m``) answer
has the same layout: weekly closes would be stored as the daily closes of the weeks'
first days, intraday bars as a day's close taken at some moment of it.

Payload: the real recorded ``ESH24.CME`` daily chart (tests/payloads/yahoo/README.md);
its echo is changed in memory.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carrywatch.errors import ParseError
from carrywatch.sources.yahoo import YahooChart
from tests.sources.test_yahoo import _payload

CHART = (
    Path(__file__).resolve().parents[1]
    / "payloads"
    / "yahoo"
    / "v8_chart_ESH24.CME_interval1d_range1d_2023-12-22.json"
).read_bytes()


def _parse(body: bytes) -> int:
    return len(YahooChart().parse(_payload(body)).rows)


def _with_granularity(granularity: str) -> bytes:
    document = json.loads(CHART)
    meta = document["chart"]["result"][0]["meta"]
    assert meta["dataGranularity"] == "1d"
    meta["dataGranularity"] = granularity
    return json.dumps(document).encode()


def test_the_daily_chart_is_read() -> None:
    assert _parse(CHART) == 1


@pytest.mark.parametrize("granularity", ["1wk", "1mo", "5m", "1h"])
def test_bars_of_another_interval_are_refused(granularity: str) -> None:
    with pytest.raises(ParseError, match=f"asked for 1d bars but the chart has {granularity}"):
        _parse(_with_granularity(granularity))
