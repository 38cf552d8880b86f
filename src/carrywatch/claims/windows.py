"""The time a claim refers to, read from its sentence: "on December 1", "on the same day",
"in November", "as of November 2025", "in the past month", "in the third quarter", "by the
end of the year", "August last year".

A :class:`Window` is ``[start, end]`` in days. A level is read at ``end`` (the last
observation on or before it); a change runs from the last observation before ``start`` to
the last on or before ``end``. Months and quarters without a year are the latest such
period that began on or before the article's date (so "in December" in a piece of 5
December is this December, still running; "in November" is the November just past).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Window", "difference_window", "find_window"]

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH = "|".join(_MONTHS)
_DAY = re.compile(
    rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>20\d\d))?",
    re.IGNORECASE,
)
_SAME_DAY = re.compile(r"\b(?:on\s+)?the\s+same\s+day\b", re.IGNORECASE)
_MONTH_WINDOW = re.compile(
    r"\b(?:(?P<prep>in|as of|during|for|by|at the end of|ended|over|since|from)\s+(?:the\s+)?)?"
    r"(?:early\s+|late\s+|mid-)?"
    rf"(?P<month>{_MONTH})(?P<poss>[\u2019']s)?(?:\s+(?P<year>20\d\d))?"
    r"(?P<last>\s+last\s+year)?\b(?!\s+\d)",
    re.IGNORECASE,
)
_LAST_YEARS_MONTH = re.compile(rf"\blast\s+year[\u2019']s\s+(?P<month>{_MONTH})\b", re.IGNORECASE)
_PAST = re.compile(
    r"\b(?:in|over|during)\s+the\s+(?:past|last)\s+(?P<n>\w+\s+)?(?P<unit>day|week|month|year)s?\b",
    re.IGNORECASE,
)
_QUARTER = re.compile(
    r"\b(?:in\s+the\s+)?(?P<ord>first|second|third|fourth)\s+quarter\b|\bQ(?P<q>[1-4])\b",
    re.IGNORECASE,
)
_YEAR_END = re.compile(
    r"\b(?:by\s+)?(?:the\s+)?end\s+of\s+the\s+year\b|\byear[- ]end\b", re.IGNORECASE
)
_NOW = re.compile(r"\b(?:currently|now|today|at present)\b", re.IGNORECASE)
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAY = re.compile(rf"\bon\s+(?P<day>{'|'.join(calendar.day_name)})\b", re.IGNORECASE)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "six": 6, "twelve": 12}


@dataclass(frozen=True, slots=True)
class Window:
    """The days a claim refers to, with the words that said so."""

    text: str
    start: date
    end: date
    before: bool = False  # the level just before ``start`` ("from X" of "from X to Y")
    base: bool = False  # "from October": the base of a difference, not the claim's time
    rolling: bool = False  # "the past month": a change runs from the value *on* ``start``

    def describe(self) -> str:
        if self.before:
            return f"before {self.start}"
        return str(self.start) if self.start == self.end else f"{self.start}..{self.end}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _latest_month(month: int, article: date) -> int:
    """The year of the latest ``month`` that began on or before ``article``."""
    return article.year if month <= article.month else article.year - 1


_Found = list[tuple[int, Window]]


def _days(sentence: str, article: date) -> _Found:
    """ "December 1st", "on the same day" (the day named before it)."""
    found: _Found = []
    for m in _DAY.finditer(sentence):
        if re.search(r"\bsince\s+$", sentence[: m.start()]):
            continue  # "the highest since August 15, 2007" dates a record, not the claim
        month, day = _MONTHS[m["month"].lower()], int(m["day"])
        year = int(m["year"]) if m["year"] else article.year
        if not m["year"] and (date(year, month, 1) - article).days > 62:
            year -= 1  # "December 1" in a January piece is last December
        try:
            when = date(year, month, day)
        except ValueError:
            continue
        found.append((m.start(), Window(m[0], when, when)))
    for m in _SAME_DAY.finditer(sentence):
        earlier = [w for pos, w in found if pos < m.start()]
        if earlier:
            found.append((m.start(), Window(m[0], earlier[-1].start, earlier[-1].end)))
    return found


def _months(sentence: str, article: date) -> _Found:
    """ "in November", "as of November 2025", "November's", "August last year"."""
    found: _Found = []
    taken: set[int] = set()
    for m in _LAST_YEARS_MONTH.finditer(sentence):
        month, year = _MONTHS[m["month"].lower()], article.year - 1
        found.append((m.start(), Window(m[0], date(year, month, 1), _month_end(year, month))))
        taken.add(m.start("month"))
    for m in _MONTH_WINDOW.finditer(sentence):
        if m.start("month") in taken or not (m["prep"] or m["poss"] or m["year"] or m["last"]):
            continue  # a bare month name ("the December meeting") names an event, not a window
        month = _MONTHS[m["month"].lower()]
        if m["year"]:
            year = int(m["year"])
        elif m["last"]:
            year = article.year - 1
        else:
            year = _latest_month(month, article)
        base = (m["prep"] or "").lower() in {"from", "since"}
        window = Window(m[0].strip(), date(year, month, 1), _month_end(year, month), base=base)
        found.append((m.start(), window))
    return found


def _spans(sentence: str, article: date) -> _Found:
    """ "in the past month", "the third quarter", "by the end of the year", "currently"."""
    found: _Found = []
    for m in _PAST.finditer(sentence):
        n = _COUNT_WORDS.get((m["n"] or "one").strip().lower(), 1)
        unit = m["unit"].lower()
        if unit == "month":  # a calendar month back, as "the past month" is read
            back = article.month - n
            year, month = article.year + (back - 1) // 12, (back - 1) % 12 + 1
            start = date(year, month, min(article.day, calendar.monthrange(year, month)[1]))
        else:
            start = article - timedelta(days={"day": 1, "week": 7, "year": 365}[unit] * n)
        found.append((m.start(), Window(m[0], start, article, rolling=True)))
    for m in _QUARTER.finditer(sentence):
        q = _ORDINALS[m["ord"].lower()] if m["ord"] else int(m["q"])
        first = 3 * q - 2
        year = article.year if date(article.year, first, 1) <= article else article.year - 1
        found.append((m.start(), Window(m[0], date(year, first, 1), _month_end(year, first + 2))))
    for m in _YEAR_END.finditer(sentence):
        end = date(article.year, 12, 31)
        found.append((m.start(), Window(m[0], end, end)))
    found.extend((m.start(), Window(m[0], article, article)) for m in _NOW.finditer(sentence))
    for m in _WEEKDAY.finditer(sentence):
        back = (article.weekday() - _WEEKDAYS[m["day"].lower()]) % 7
        when = article - timedelta(days=back)  # the latest such day on or before the date
        found.append((m.start(), Window(m[0], when, when)))
    return found


def _candidates(sentence: str, article: date) -> _Found:
    return _days(sentence, article) + _months(sentence, article) + _spans(sentence, article)


def find_window(
    sentence: str,
    position: int,
    article: date | None,
    *,
    others: Sequence[int] = (),
    strict: bool = True,
) -> Window | None:
    """The window nearest to ``position`` in ``sentence`` (None: the article's date).

    ``strict``: a window with another number (at ``others``) between it and this one
    belongs to that number ("to 4.836% from 4.924% on Friday": Friday is 4.924's day).
    """
    if article is None:
        return None
    found = [(pos, w) for pos, w in _candidates(sentence, article) if not w.base]
    if strict:
        found = [
            (pos, w)
            for pos, w in found
            if not any(min(pos, position) < o < max(pos, position) for o in others)
        ]
    if not found:
        return None
    return min(found, key=lambda pw: abs(pw[0] - position))[1]


def difference_window(
    sentence: str, position: int, article: date | None, main: Window | None
) -> Window | None:
    """ "An increase of X from October" (as of November): from the end of the base month
    to the end of the claim's window (or the article's date)."""
    if article is None:
        return main
    bases = [(pos, w) for pos, w in _candidates(sentence, article) if w.base and pos > position]
    if not bases:
        return main
    base = min(bases, key=lambda pw: pw[0])[1]
    end = main.end if main is not None else article
    others = [w for _, w in _candidates(sentence, article) if not w.base and w.end > base.end]
    if main is None or main.end <= base.end:
        end = max((w.end for w in others), default=article)
    return Window(base.text, base.end + timedelta(days=1), end)
