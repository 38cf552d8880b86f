"""Claims a user states directly, in a ``claims.toml``, judged by the same engine::

[[claim]]
quantity = "us.ust.10y"        # an id of quantities.toml
value = "4.14%"                # written as commentary writes it: its rounding is kept
date = 2025-12-05              # the day the claim was made (the point-in-time date)

[[claim]]
quantity = "us.nasdaq"
kind = "change_pct"            # level (default), change_pct, change_abs, yoy_pct
value = "-0.4%"
date = 2025-12-05
window = { start = 2025-12-01, end = 2025-12-01 }   # optional: the period it refers to
"""

from __future__ import annotations

import hashlib
import tomllib
from datetime import date
from typing import Any

from carrywatch.claims.article import MAX_ARTICLE_BYTES, Article
from carrywatch.claims.grammar import Claim, load_quantities
from carrywatch.claims.numbers import find_numbers
from carrywatch.claims.windows import Window
from carrywatch.errors import ConfigError

__all__ = ["KINDS", "read_claims_document", "read_claims_file"]

KINDS = frozenset({"level", "change_pct", "change_abs", "yoy_pct"})


def read_claims_document(raw: bytes, name: str) -> tuple[Article, list[tuple[Claim, date]]]:
    """A claims.toml's bytes as a document (its text, name and SHA-256) and its claims;
    ConfigError, one line, when it is too big, not UTF-8 or malformed."""
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ConfigError(
            f"{name} is {len(raw):,} bytes; a claims file may have {MAX_ARTICLE_BYTES:,}"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{name} is not UTF-8 text; save it as UTF-8") from None
    dated = read_claims_file(text, name)
    return Article(text, name, None, hashlib.sha256(raw).hexdigest()), dated


def read_claims_file(text: str, name: str) -> list[tuple[Claim, date]]:
    """Each claim of a claims.toml with its date; ConfigError names the first bad entry."""
    try:
        entries = tomllib.loads(text).get("claim", [])
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name} is not valid TOML: {exc}") from None
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{name} has no [[claim]] entries; see 'carrywatch check --help'")
    known = {q.id for q in load_quantities()}
    return [_claim(e, i + 1, name, known) for i, e in enumerate(entries)]


def _claim(entry: Any, n: int, name: str, known: set[str]) -> tuple[Claim, date]:
    where = f"{name}: claim {n}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} is not a table")
    quantity = entry.get("quantity")
    if quantity not in known:
        raise ConfigError(
            f"{where}: quantity {quantity!r} is not one of {', '.join(sorted(known))}"
        )
    day = entry.get("date")
    if not isinstance(day, date):
        raise ConfigError(f"{where}: 'date' must be a TOML date such as 2025-12-05")
    kind = entry.get("kind", "level")
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    written = str(entry.get("value", ""))
    numbers = find_numbers(written)
    if len(numbers) != 1:
        raise ConfigError(
            f"{where}: value {written!r} is not one number "
            "(write it as '3.72%' or '$1.19 trillion')"
        )
    number = numbers[0]
    negative = written.strip().startswith("-")
    window = None
    if "window" in entry:
        w = entry["window"]
        start, end = (w.get("start"), w.get("end")) if isinstance(w, dict) else (None, None)
        if not isinstance(start, date) or not isinstance(end, date) or end < start:
            raise ConfigError(
                f"{where}: window needs dates start <= end, "
                "e.g. { start = 2025-12-01, end = 2025-12-01 }"
            )
        window = Window("window", start, end)
    if kind.startswith("change") and window is None:
        raise ConfigError(f"{where}: a {kind} claim needs a window")
    claim = Claim(
        id=f"c{n:02d}",
        sentence=f"{quantity} {kind} {written} on {day}",
        span=(0, 0),
        quantity=str(quantity),
        kind=kind,
        claimed=-number.value if negative else number.value,
        unit=number.unit,
        written=written,
        pattern="claims.toml",
        tolerance=number.rounding,
        upper=number.upper,
        window=window,
    )
    return claim, day
