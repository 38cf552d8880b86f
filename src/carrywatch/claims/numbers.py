"""Numbers as commentary writes them: "3.72%", "3-3/4", "$11.89 trillion", "1.81 percentage
points", "25 bps", "43rd consecutive month", "3.7%-3.9%".

A :class:`Number` keeps the text as written, its value in a base unit (percent for rates
and shares, usd_bn for money, pp for percentage points, bp for basis points, a plain count
for ordinals) and its *rounding*: half a unit of the last digit written, scaled like the
value ("3.72%" rounds to 0.005, "$9 trillion" to 0.5 trillion = 500 usd_bn).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

__all__ = ["Number", "find_numbers"]

#: Written scales in billions (money is compared in usd_bn, yen in jpy_bn).
_SCALE_USD_BN: Final = {
    "trillion": 1000.0,
    "tn": 1000.0,
    "billion": 1.0,
    "bn": 1.0,
    "million": 0.001,
    "mn": 0.001,
}

_NUMBER = re.compile(
    r"""
    (?P<currency>\$|US\$|USD\s)?
    (?P<int>\d{1,3}(?:,\d{3})+|\d+)
    (?:\.(?P<frac>\d+))?
    (?:[- ](?P<num>\d)/(?P<den>\d{1,2}))?          # 3-3/4, 2 1/2
    (?P<ordinal>st|nd|rd|th)?
    \s*(?P<unit>
        %|percent(?:age\s+points?)?|per\s+cent|pp\b|ppts?\b|
        basis[- ]points?|bps?\b|
        (?:trillion|billion|million|tn|bn|mn)\b(?:\s+yen)?
    )?
    """,
    re.VERBOSE | re.IGNORECASE,
)


_INDEX_NAME = re.compile(
    r"\b(?:S&P|FTSE|Nikkei|Russell|DAX|CAC|Stoxx|STOXX|Topix|TOPIX|KOSPI|Nasdaq|NASDAQ)\s*$"
)

#: The written unit's first letters and the base unit ("percentage point" before "percent").
_UNIT_PREFIXES: Final = (
    ("percentage point", "pp"),
    ("pp", "pp"),
    ("%", "percent"),
    ("per", "percent"),
    ("basis", "bp"),
    ("bp", "bp"),
)


@dataclass(frozen=True, slots=True)
class Number:
    """One number of the text. ``value`` (and ``upper`` for a range) is in ``unit``:
    ``percent``, ``pp``, ``bp``, ``usd`` (usd_bn), ``jpy`` (jpy_bn), ``count``, or
    ``plain`` (no unit written); ``rounding`` is half a unit of the last digit written."""

    start: int
    end: int
    text: str
    value: float
    unit: str
    rounding: float
    upper: float | None = None


def _value(whole: str, frac: str | None) -> tuple[float, float]:
    digits = whole.replace(",", "")
    if frac:
        return float(f"{digits}.{frac}"), 0.5 * 10 ** -len(frac)
    return float(digits), 0.5


def _unit(word: str | None, currency: bool, ordinal: bool) -> tuple[str, float]:
    """The base unit and the factor from the written scale to it."""
    if ordinal:
        return "count", 1.0
    if not word:
        return ("usd", 1.0) if currency else ("plain", 1.0)
    w = " ".join(word.lower().split())
    for prefix, unit in _UNIT_PREFIXES:
        if w.startswith(prefix):
            return unit, 1.0
    scale_word = w.split()[0]
    factor = _SCALE_USD_BN[scale_word]
    if w.endswith("yen"):
        return "jpy", factor
    return ("usd", factor) if currency else ("plain_scaled", factor)


def find_numbers(text: str) -> list[Number]:
    """Every number of ``text`` with its unit; years (1900-2099 with no unit), tenors
    ("10-year") and quarter labels ("Q3") are left out, since they name, not measure."""
    found: list[Number] = []
    for m in _NUMBER.finditer(text):
        whole = m["int"]
        after = text[m.end() : m.end() + 8]
        before = text[max(0, m.start() - 1) : m.start()]
        if before.isalpha() or before in {"/", "."}:  # Q3, M2, S&P 500
            continue
        if not m["unit"] and not m["currency"] and _INDEX_NAME.search(text[: m.start()]):
            continue  # part of a name: "S&P 500", "Nikkei 225", "FTSE 100"
        if not m["unit"] and not m["currency"] and not m["ordinal"]:
            if re.match(r"[- ](?:year|month|day|week)", after, re.IGNORECASE):
                continue  # a tenor or a span: "10-year", "three-month"
            if re.fullmatch(r"(?:19|20)\d\d", whole):
                continue  # a year
            if re.match(r"\s*(?:/|:)", after):
                continue  # a date or a time: 2025/12/05, 10:09
        value, rounding = _value(whole, m["frac"])
        if (m["num"] and m["den"] and not m["unit"]) or (m["num"] and m["unit"]):
            fraction = Fraction(int(m["num"]), int(m["den"]))
            value += float(fraction)
            rounding = float(Fraction(1, 2 * int(m["den"])))  # 3-3/4 is exact to 1/8
        unit, factor = _unit(m["unit"], bool(m["currency"]), bool(m["ordinal"]))
        if unit == "plain_scaled":
            unit = (
                "usd"
                if re.search(r"(?:dollars?|USD)\b", after + text[m.end() : m.end() + 20])
                else "plain"
            )
        found.append(
            Number(
                start=m.start(),
                end=m.end(),
                text=m[0].strip(),
                value=value * factor,
                unit=unit,
                rounding=rounding * factor,
            )
        )
    return _ranges(text, found)


def _ranges(text: str, numbers: list[Number]) -> list[Number]:
    """Join "3.7%-3.9%" and "1%-2.5%" (two numbers of one unit joined by a dash or "to")
    into one range; "1-2 hikes" (no unit) stays two plain numbers."""
    out: list[Number] = []
    for n in numbers:
        last = out[-1] if out else None
        if (
            last is not None
            and last.upper is None
            and last.unit == n.unit
            and n.unit in {"percent", "pp", "bp"}
            and re.fullmatch(r"\s*[-\u2013]\s*", text[last.end : n.start])
        ):
            out[-1] = Number(
                last.start,
                n.end,
                text[last.start : n.end],
                last.value,
                n.unit,
                max(last.rounding, n.rounding),
                upper=n.value,
            )
            continue
        out.append(n)
    return out
