"""CME FedWatch's published probabilities saved day by day, on a real excerpt; payload
origin: tests/payloads/cme_fedwatch/README.md.

Expected numbers are PROVENANCE.md section 12's spot checks (shared/data) or read off the
excerpt (line numbers given)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from carrywatch.errors import ParseError
from carrywatch.sources.fedwatch_history import PARSE_VERSION, parse_fedwatch_history
from carrywatch.types import ParsedFrame, RawPayload
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import has_obs, make_payload, value_at

FILE = (
    Path(__file__).resolve().parents[1]
    / "payloads"
    / "cme_fedwatch"
    / "fedwatch_history_excerpt.csv"
).read_bytes()
PARSED = parse_fedwatch_history(FILE)


def test_golden_published_probabilities_and_mids() -> None:
    assert PARSED.parse_version == PARSE_VERSION
    # PROVENANCE §12: 2026-07-20, meeting 2026-07-29: 350-375 85.6%, ZQN6 mid 96.3713.
    assert value_at(PARSED, "cme_fedwatch:2026-07-29:350-375", "2026-07-20") == 85.6
    assert value_at(PARSED, "ZQN26", "2026-07-20") == 96.3713
    # PROVENANCE §12: 2026-07-28: 62.1% hold / 37.9% hike (to 375-400).
    assert value_at(PARSED, "cme_fedwatch:2026-07-29:350-375", "2026-07-28") == 62.1
    assert value_at(PARSED, "cme_fedwatch:2026-07-29:375-400", "2026-07-28") == 37.9


def test_a_day_saved_twice_keeps_its_later_capture() -> None:
    # 2026-07-13 is saved twice: line 12 gives 28.4 for the 2026-09-16 meeting's 350-375
    # (ZQU6 96.2175), line 79 27.2 (ZQU6 96.2150); the later capture is kept.
    assert value_at(PARSED, "cme_fedwatch:2026-09-16:350-375", "2026-07-13") == 27.2
    assert value_at(PARSED, "ZQU26", "2026-07-13") == 96.215
    assert int(PARSED.meta["superseded_values"]) > 0


def test_rows_without_a_range_or_contract_are_left_out() -> None:
    # Lines 2-7: the tracker's first day, NO CHANGE/HIKE of 2027-09-15 without a contract.
    assert not has_obs(PARSED, "cme_fedwatch:2027-09-15:350-375", "2026-07-12")
    assert PARSED.meta["skipped_rows"] == "6"
    assert not PARSED.rows["remote_code"].str.contains("HIKE|CHANGE").any()


def test_each_day_and_meeting_sums_to_100() -> None:
    rows = PARSED.rows[PARSED.rows["remote_code"].str.startswith("cme_fedwatch:")]
    meeting = rows["remote_code"].str.split(":").str[1]
    sums = rows.groupby([rows["obs_date"], meeting])["value"].sum()
    assert ((sums - 100.0).abs() <= 0.5).all()


def _edit(line_no: int, column: int, value: str) -> bytes:
    lines = FILE.decode().split("\n")
    fields = lines[line_no - 1].split(",")
    fields[column] = value
    lines[line_no - 1] = ",".join(fields)
    return "\n".join(lines).encode()


def test_a_contract_of_another_month_is_refused() -> None:
    with pytest.raises(ParseError, match=r"line 8: contract 'ZQU6' is not the ZQ contract"):
        parse_fedwatch_history(_edit(8, 8, "ZQU6"))


def test_an_absurd_probability_is_refused() -> None:
    with pytest.raises(ParseError, match=r"line 9: prob_now '161.0' is not in \[0, 100\]"):
        parse_fedwatch_history(_edit(9, 3, "161.0"))


def test_probabilities_that_do_not_sum_to_100_are_refused() -> None:
    # Line 142: 2026-07-20, meeting 2026-07-29, 375-400 at 14.4; 24.4 makes the day's sum 110.
    with pytest.raises(ParseError, match=r"2026-07-29 meeting on 2026-07-20 sum to 110\.0%"):
        parse_fedwatch_history(_edit(142, 3, "24.4"))


def test_a_cut_off_file_is_refused() -> None:
    with pytest.raises(ParseError, match="fields where the header has 11"):
        parse_fedwatch_history(FILE[: len(FILE) - 30])


@settings(max_examples=40)
@given(mutated(FILE))
def test_mutations_keep_the_contract(body: bytes) -> None:
    def parse(payload: RawPayload) -> ParsedFrame:
        return parse_fedwatch_history(payload.body)

    check_parse_contract(
        parse, make_payload("cme_fedwatch", "file:history.csv", body), "cme_fedwatch"
    )
