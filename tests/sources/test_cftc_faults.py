"""Fault injection on the CFTC Socrata answer: the rows of the other legacy report.

The catalog reads the legacy *futures-only* report (dataset ``6dca-aqww``); the legacy
*futures-and-options combined* report (``jun7-fc8e``) has the same columns for the same
contracts and dates, with options positions added (delta-adjusted). Answered for the
futures-only query, its rows would be stored as futures-only positions: larger numbers,
well within any bound. Each Socrata row says which report it belongs to: the recorded
``jun7-fc8e`` row has ``"futonly_or_combined": "Combined"`` and an ``id`` ending in ``C``
(``240820239747C``); futures-only rows carry ``"FutOnly"`` and ids ending in ``F``
(``097741F`` in public scripts that query the futures-only dataset by id).

Payload: the real recorded ``jun7-fc8e`` row (tests/payloads/cftc/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carrywatch.errors import ParseError
from carrywatch.sources.cftc import CftcCot
from carrywatch.types import RawPayload
from tests.helpers.observations import make_payload

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "cftc"
COMBINED = (PAYLOADS / "socrata_jun7-fc8e_legacy_combined_239747_2024-08-20.json").read_bytes()
CODES = ("239747:open_interest_all", "239747:noncomm_net")


def _payload(dataset: str, body: bytes) -> RawPayload:
    url = f"https://publicreporting.cftc.gov/resource/{dataset}.json"
    return make_payload("cftc", url, body, CODES, media_type="application/json")


def test_the_combined_report_is_read_when_asked_for() -> None:
    rows = CftcCot(dataset="jun7-fc8e").parse(_payload("jun7-fc8e", COMBINED)).rows
    # The payload: open_interest_all "19404" on 2024-08-20.
    assert rows.loc[rows["remote_code"] == CODES[0], "value"].tolist() == [19_404]


def test_combined_rows_answering_the_futures_only_query_are_refused() -> None:
    with pytest.raises(ParseError, match=r"futures-only report \(6dca-aqww\).*'Combined'"):
        CftcCot().parse(_payload("6dca-aqww", COMBINED))


def test_futures_only_rows_answering_the_combined_query_are_refused() -> None:
    # The recorded row as the futures-only report labels its rows.
    (row,) = json.loads(COMBINED)
    row["futonly_or_combined"] = "FutOnly"
    body = json.dumps([row]).encode()
    with pytest.raises(ParseError, match=r"combined report \(jun7-fc8e\).*'FutOnly'"):
        CftcCot(dataset="jun7-fc8e").parse(_payload("jun7-fc8e", body))
