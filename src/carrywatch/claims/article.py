"""An article as the claim check reads it: plain text from a text, Markdown or saved HTML
file, its title, its date (stated in the text, or given) and the SHA-256 of its bytes.

Spans of claims are character offsets into :attr:`Article.text` (for HTML, the text
without its tags; for plain text and Markdown, the file itself).
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

from carrywatch.errors import ConfigError

__all__ = ["MAX_ARTICLE_BYTES", "Article", "read_article"]

#: The largest article read (a long saved web page is about 1 MB with its markup).
MAX_ARTICLE_BYTES = 4_000_000

_MONTHS = "|".join(
    rf"{name[:3]}(?:{name[3:]}|\.)?" for name in calendar.month_name if name
)  # "December", "Dec", "Dec."
_DATES = (
    re.compile(r"(?<!\d)(?P<y>20\d\d)[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})(?!\d)"),
    re.compile(rf"\b(?P<mn>{_MONTHS})\s+(?P<d>\d{{1,2}}),?\s+(?P<y>20\d\d)\b", re.IGNORECASE),
    re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<mn>{_MONTHS})\s+(?P<y>20\d\d)\b", re.IGNORECASE),
)
_MONTH_NUMBER = {name[:3].lower(): i for i, name in enumerate(calendar.month_name) if name}


@dataclass(frozen=True, slots=True)
class Article:
    text: str
    title: str
    date: date | None
    sha256: str


class _Text(HTMLParser):
    """The visible text of an HTML page: no script, style or head, a line per block."""

    _SKIP = frozenset({"script", "style", "head", "noscript", "template"})
    _BLOCK = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in self._SKIP:
            self._skipping += 1
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skipping:
            self.parts.append(data)


def _stated_date(text: str) -> date | None:
    """The first date the article states near its top (a page's own timestamp)."""
    head = text[:3000]
    found: list[tuple[int, date]] = []
    for pattern in _DATES:
        for m in pattern.finditer(head):
            month = (
                int(m["m"]) if "m" in m.groupdict() and m["m"] else _MONTH_NUMBER[m["mn"].lower()]
            )
            try:
                found.append((m.start(), date(int(m["y"]), month, int(m["d"]))))
            except ValueError:
                continue
    return min(found)[1] if found else None


def _title(text: str) -> str:
    """The first line that reads like a headline: the first of eight words or more."""
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 8 and not line.strip().endswith((".", ":")):
            return line.strip()
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def read_article(raw: bytes, name: str, given_date: date | None) -> Article:
    """The article in ``raw`` (the bytes of file ``name``); ConfigError, one line, when it
    is too big, not UTF-8, empty, or dated neither in its text nor by ``given_date``."""
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ConfigError(
            f"{name} is {len(raw):,} bytes; the claim check reads articles up to "
            f"{MAX_ARTICLE_BYTES:,} bytes: save the article's text alone and try again"
        )
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{name} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from None
    title = ""
    if name.lower().endswith((".html", ".htm")) or re.match(
        r"\s*<(?:!doctype|html)", decoded, re.IGNORECASE
    ):
        parser = _Text()
        parser.feed(decoded)
        parser.close()
        decoded = re.sub(r"\n{3,}", "\n\n", "".join(parser.parts))
        title = " ".join(parser.title.split())
    if not decoded.strip():
        raise ConfigError(f"{name} has no text to check")
    when = given_date or _stated_date(decoded)
    if when is None:
        raise ConfigError(f"{name} states no date; give the article's date with --date YYYY-MM-DD")
    return Article(
        text=decoded,
        title=title or _title(decoded),
        date=when,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
