"""Fault injection on the e-Stat CPI file: a valid file on another index base.

The catalog's Japan CPI series are the 2020-base indices (2020 = 100). When the Statistics
Bureau rebases the CPI, the new file holds the same item codes and months with every
value on the new base; read as the 2020-base series it would revise the whole history
by the ratio of the bases, silently. A file on the 2020 base proves it: the Statistics
Bureau sets each index to 100 over its reference year ("the period for which the index is
set to 100 is called the index reference period", Statistics Bureau of Japan, Q&A about
the CPI, A-3, https://www.stat.go.jp/english/data/cpi/1585.htm), and since the 2015 base
"annual average indices are calculated using monthly indices before we round off", so the
published (rounded to 0.1) monthly values of 2020 average 100 within 0.05 ("Notes for
users", https://www.stat.go.jp/english/data/cpi/riyou.html). In the real file every
item with twelve 2020 months averages within 0.034 of 100.

Payload: the real ``zmi2020s.csv`` (tests/payloads/estat/README.md); the rebased variant
is derived from it in memory.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from carrywatch.errors import ParseError
from carrywatch.sources.estat_cpi import EStatCpi
from tests.sources.test_estat_cpi import _payload

FILE = (Path(__file__).resolve().parents[1] / "payloads" / "estat" / "zmi2020s.csv").read_bytes()
SOURCE = EStatCpi()
HEADLINE = ("0001", "0161", "0178")


def _rescaled(body: bytes, factor: float) -> bytes:
    """``body`` with every data value multiplied by ``factor`` and rounded to 0.1, as a
    rebase to another reference period prints the same prices (CP932, CRLF kept)."""
    rows = list(csv.reader(io.StringIO(body.decode("cp932"), newline="")))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        is_month = bool(row) and row[0].isdigit() and len(row[0]) == 6
        cells = [f"{float(c) * factor:.1f}" if is_month and c.strip() else c for c in row[1:]]
        writer.writerow(row[:1] + cells)
    return out.getvalue().encode("cp932")


def test_the_real_2020_base_file_is_read() -> None:
    rows = SOURCE.parse(_payload(FILE)).rows
    assert set(rows["remote_code"]) == set(HEADLINE)


@pytest.mark.parametrize("codes", [HEADLINE, ()], ids=["headline", "every_item"])
def test_a_file_on_another_base_is_refused(codes: tuple[str, ...]) -> None:
    # The file as if rebased to October 2024 = 100: all items was 109.5 then (the real
    # file's last row), so each value is multiplied by 100 / 109.5; 2020 now averages 91.3.
    rebased = _rescaled(FILE, 100 / 109.5)
    with pytest.raises(ParseError, match=r"2020 average of 0001 is 91\.3, not 100"):
        SOURCE.parse(_payload(rebased, codes))


def test_a_base_off_by_more_than_rounding_is_refused() -> None:
    # 0.2% off (2020 average 100.2): more than rounding to 0.1 can explain.
    with pytest.raises(ParseError, match="not on the 2020 base"):
        SOURCE.parse(_payload(_rescaled(FILE, 1.002)))
