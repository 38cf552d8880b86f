"""The two-venue quote file (Polymarket and Kalshi, "no change" at the FOMC decision of
2025-12-10) on a real excerpt; payload origin: tests/payloads/venue_quotes/README.md.

Expected numbers are PROVENANCE.md section 12's spot checks (shared/data), each read off the
file's ``poly_mid``/``kalshi_mid`` columns at the stated US/Eastern time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import ParseError
from carrywatch.frames import QUOTE_COLUMNS
from carrywatch.sources.venue_quotes import PARSE_VERSION, parse_venue_quotes, venue_quotes
from carrywatch.types import ParsedFrame
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import make_payload

FILE = (
    Path(__file__).resolve().parents[1] / "payloads" / "venue_quotes" / "fed_nochange_excerpt.csv"
).read_bytes()
MEETING = date(2025, 12, 10)


def _quotes(body: bytes = FILE) -> pd.DataFrame:
    return venue_quotes(body, meeting=MEETING, outcome="hold").rows


def _at(quotes: pd.DataFrame, venue: str, utc: str) -> float:
    moment = pd.Timestamp(utc, tz="UTC")
    row = quotes[(quotes["venue"] == venue) & (quotes["quoted_at"] == moment)]
    assert len(row) == 1, (venue, utc)
    return float(row["probability"].iloc[0])


def test_quotes_follow_the_contract() -> None:
    quotes = _quotes()
    assert tuple(quotes.columns) == QUOTE_COLUMNS
    assert set(quotes["venue"]) == {"polymarket", "kalshi"}
    assert (quotes["meeting"] == pd.Timestamp(MEETING)).all()
    assert str(quotes["quoted_at"].dtype) == "datetime64[ns, UTC]"
    # 58 data lines in the excerpt, one quote per venue each.
    assert len(quotes) == 2 * 58


def test_spot_checks_of_provenance() -> None:
    quotes = _quotes()
    # PROVENANCE §12: 2025-11-16 poly 0.505 / kalshi 0.51; first row 01:01:20 ET = 06:01:20 UTC
    # (EST, UTC-5), timestamp_ms 1763272880028.
    assert _at(quotes, "polymarket", "2025-11-16 06:01:20") == 0.505
    assert _at(quotes, "kalshi", "2025-11-16 06:01:20") == 0.51
    # 2025-11-20 12:00 ET 0.635 -> 2025-11-21 12:00 ET 0.355 (Polymarket; the rows of
    # 12:00:49 and 12:00:26 ET).
    assert _at(quotes, "polymarket", "2025-11-20 17:00:49") == 0.635
    assert _at(quotes, "polymarket", "2025-11-21 17:00:26") == 0.355
    # 2025-12-06 23:30 ET 0.075: the file's 0.07499999999999998, rounded to 1e-6.
    assert _at(quotes, "polymarket", "2025-12-07 04:30:42") == 0.075
    assert _at(quotes, "kalshi", "2025-12-07 04:30:42") == 0.075


def test_observations_are_dated_by_utc_day_and_known_from_the_quote() -> None:
    parsed = parse_venue_quotes(FILE, meeting=MEETING, outcome="hold")
    assert isinstance(parsed, ParsedFrame)
    assert parsed.parse_version == PARSE_VERSION
    rows = parsed.rows
    assert set(rows["remote_code"]) == {"polymarket:2025-12-10:hold", "kalshi:2025-12-10:hold"}
    last = rows[rows["known_from"] == pd.Timestamp("2025-12-07 04:30:42", tz="UTC")]
    # 23:30 ET on 6 December is 04:30 UTC on 7 December: the UTC day is the obs_date.
    assert set(last["obs_date"]) == {pd.Timestamp("2025-12-07")}
    assert (rows["obs_date"] == rows["known_from"].dt.tz_localize(None).dt.normalize()).all()


def test_a_cut_off_file_is_refused_with_its_line() -> None:
    cut = FILE[: len(FILE) - 200]
    with pytest.raises(ParseError, match=r"line 59: .* fields where the header has 116"):
        _quotes(cut)


def test_clocks_that_disagree_are_refused() -> None:
    text = FILE.decode()
    wrong = text.replace("2025-11-16 01:01:20", "2025-11-16 02:01:20", 1).encode()
    with pytest.raises(ParseError, match=r"line 2: timestamp_et .* is not timestamp_ms"):
        _quotes(wrong)


def test_an_absurd_probability_is_refused() -> None:
    lines = FILE.decode().split("\n")
    fields = lines[1].split(",")
    fields[2] = "1.5"  # poly_mid
    lines[1] = ",".join(fields)
    with pytest.raises(ParseError, match=r"probabilities outside \[0, 1\]"):
        _quotes("\n".join(lines).encode())


def test_html_with_status_200_is_refused() -> None:
    with pytest.raises(ParseError, match="HTML"):
        _quotes(b"<!DOCTYPE html><html><body>rate limited</body></html>")


def test_a_file_without_the_mid_columns_is_refused() -> None:
    with pytest.raises(ParseError, match=r"lacks the columns \['kalshi_mid'\]"):
        _quotes(FILE.replace(b"kalshi_mid,", b"kalshi_mean,", 1))


@settings(max_examples=40)
@given(mutated(FILE))
def test_mutations_keep_the_contract(body: bytes) -> None:
    check_parse_contract(
        lambda p: parse_venue_quotes(p.body, meeting=MEETING, outcome="hold"),
        make_payload("venue_quotes", "file:history.csv", body),
        "venue_quotes",
    )


def test_moments_are_seconds_in_utc() -> None:
    quotes = _quotes()
    first = quotes["quoted_at"].min().to_pydatetime()
    assert first == datetime(2025, 11, 16, 6, 1, 20, tzinfo=UTC)
