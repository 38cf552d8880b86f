"""Find the checkable quantitative claims of a text with a transparent grammar.

The grammar is data (``quantities.toml``: the words that name each quantity, the units its
value can take, the series that answer it) plus a few rules of how commentary states
numbers, each named in the claim it produced (``pattern``):

``level``       a quantity "at/to/was/of" a number in one of its units ("the 10-year JGB
                yield has risen to 1.910%")
``change``      a change verb and a number: "fell by 1.2%", "dropped by over 23%" (percent
                change), "a 25 basis point cut" of a policy rate (the change of the rate)
``from_to``     "from X to Y": two levels, at the start and the end of the window
``yoy``         "year-on-year" growth of an index, or a quantity read as inflation
``difference``  "an increase of $0.13 trillion from October": the change over the window
``rank``        "the lowest since 2015", "a new high since 1995" (of the claim before it)
``count``       "the 43rd consecutive month" (kept, and unverifiable where the quantity is)

A number attaches to the nearest mention before it, in the same clause, of a quantity that
takes its unit; a clause without one may continue the claim before it only with a change
("an increase of ..."). Conditional clauses ("if ... narrows to 1.5 percentage points")
state no fact and are skipped; a comparison with an undated baseline ("still $2.5 trillion
higher than pre-pandemic levels") is kept but marked ambiguous. Every claim keeps its
sentence, its character span in the text and the number as written.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from carrywatch.claims.numbers import Number, find_numbers
from carrywatch.claims.windows import Window, difference_window, find_window
from carrywatch.errors import CatalogError

__all__ = ["Claim", "Quantity", "find_claims", "load_quantities", "sentences"]


@dataclass(frozen=True, slots=True)
class Quantity:
    """One entry of ``quantities.toml`` (see the comments at the top of that file)."""

    id: str
    words: tuple[re.Pattern[str], ...]
    units: frozenset[str]
    series: tuple[str, ...] = ()
    spread: tuple[str, str] | None = None
    missing: str | None = None
    ambiguous: str | None = None
    transform: str = "level"
    scale: float = 1.0
    policy: bool = False
    lower_series: str | None = None
    in_force_days: int = 0


@dataclass(frozen=True, slots=True)
class Claim:
    """One checkable statement: ``quantity`` is ``claimed`` (in ``unit``) over ``window``.

    ``kind`` is how the number relates to the quantity (level, change_pct, change_abs,
    yoy_pct, rank_low, rank_high, count); ``bound`` is ``">"``/``"<"`` for "over"/"under"
    and ``"="`` otherwise; ``tolerance`` the claim's own rounding in ``unit``.
    """

    id: str
    sentence: str
    span: tuple[int, int]
    quantity: str
    kind: str
    claimed: float
    unit: str
    written: str
    pattern: str
    tolerance: float
    bound: str = "="
    upper: float | None = None
    window: Window | None = None
    forecast: bool = False
    ambiguity: str | None = None
    notes: tuple[str, ...] = field(default=())


@cache
def load_quantities() -> tuple[Quantity, ...]:
    """The quantities of the packaged ``quantities.toml``; CatalogError names a bad entry."""
    text = resources.files("carrywatch.claims").joinpath("quantities.toml").read_text("utf-8")
    return tuple(_quantity(e) for e in tomllib.loads(text).get("quantity", []))


def _quantity(entry: dict[str, Any]) -> Quantity:
    qid = entry.get("id", "?")
    try:
        words = tuple(re.compile(w, re.IGNORECASE) for w in entry["words"])
        spread = entry.get("spread")
        q = Quantity(
            id=str(entry["id"]),
            words=words,
            units=frozenset(entry["units"]),
            series=tuple(entry.get("series", ())),
            spread=(str(spread[0]), str(spread[1])) if spread else None,
            missing=entry.get("missing"),
            ambiguous=entry.get("ambiguous"),
            transform=str(entry.get("transform", "level")),
            scale=float(entry.get("scale", 1.0)),
            policy=bool(entry.get("policy", False)),
            lower_series=entry.get("lower_series"),
            in_force_days=int(entry.get("in_force_days", 0)),
        )
    except (KeyError, TypeError, IndexError, re.error) as exc:
        raise CatalogError(f"quantities.toml: quantity {qid!r} is malformed: {exc}") from None
    if not (q.series or q.spread or q.missing or q.ambiguous):
        raise CatalogError(f"quantities.toml: quantity {qid!r} names no series and no reason")
    return q


_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"\u201d\u2019)]?\s+(?=[\"\u201c(]?[A-Z0-9$])|\n\s*\n|\n(?=\s*[-•*]\s)"
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Ms|Dr|St|No|vs|Inc|Corp|Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.)$"
)


def sentences(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each sentence of ``text`` (abbreviations such as "U.S." do
    not end one; a blank line or a list bullet does)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text[start : m.start()].rstrip('"\u201d\u2019)')):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


_CLAUSE = re.compile(
    r",\s+(?=(?:while|but|whereas|with|of which|coupled|and the|marking|"
    r"bringing|an? (?:increase|decrease|rise|fall|drop|gain|decline)|still|narrowing|"
    r"indicating|reaching a|equivalent)\b)|;\s+|\s+[—\u2013]\s*|—",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"\b(?:if|unless|should|would|even if|once)\b", re.IGNORECASE)
_FORECAST = re.compile(
    r"\b(?:will|expected|expects?|likely|predicts?|forecasts?|plans? to|prepared to|"
    r"warned|betting|bet|could|may|estimates?)\b",
    re.IGNORECASE,
)
_DOWN = (
    r"fell|fall|falls|dropped|drop|drops|declined|declining|decline|lost|plunged?|slid|sank|"
    r"shrank|shrinking|contracted|contracting|down|decreased?|slump(?:ed)?|cut|lowered|reduced"
)
_UP = (
    r"rose|rise|rising|risen|gained|climbed|jumped|surged|grew|grown|increased?|up|soared|"
    r"rallied|rebound(?:ed)?|expanded|expanding|growing|raised|hiked|lifted"
)
_CHANGE_BEFORE = re.compile(
    rf"\b(?P<dir>{_DOWN}|{_UP})\s+(?:sharply\s+|(?:[\w\x27-]+\s+){{0,4}}?by\s+|as much as\s+|"
    r"at an? annual(?:i[sz]ed)? (?:rate|pace) of\s+)*(?P<bound>over|more than|"
    rf"nearly|almost|about|around|at least|less than|under)?\s*$",
    re.IGNORECASE,
)
_CHANGE_AFTER = re.compile(
    rf"^\s*(?:{_DOWN}|{_UP}|(?P<cut>cut|hike|rate cut|rate hike|increase|reduction)s?)\b",
    re.IGNORECASE,
)
_DIFFERENCE = re.compile(
    r"\ban?\s+(?P<dir>increase|rise|gain|decrease|decline|drop|fall)\s+of\s+$", re.IGNORECASE
)
_BOUND = re.compile(
    r"\b(?P<word>over|more than|above|exceeding|exceeded|at least|under|below|less than|"
    r"nearly|almost|about|around|approximately|roughly)\s+(?:\S+\s+)?$",
    re.IGNORECASE,
)
_COMPARATIVE = re.compile(
    r"^\s*(?:\w+\s+)?(?:higher|lower|more|less|above|below)\s+than\b", re.IGNORECASE
)
_PER_PERIOD = re.compile(
    r"^\s*(?:\w+\s+){0,3}?(?:per|a|each)\s+(?:month|year|week|quarter)\b", re.IGNORECASE
)
_FROM_TO = re.compile(r"\bfrom\s+(?:a\s+(?:peak|high|low)\s+of\s+)?$", re.IGNORECASE)
_RANK = re.compile(
    r"^[^.;]{0,40}?\b(?:the\s+|a\s+|new\s+)*(?P<side>lowest|highest|low|high|weakest|strongest)"
    r"(?:\s+level)?\s+since\s+(?P<year>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_INTRADAY = re.compile(
    r"\b(?:intraday|briefly|as much as|touch(?:ed|ing)|hit an? (?:intraday )?(?:high|low))\b",
    re.IGNORECASE,
)
_GAIN_AFTER = re.compile(
    r"^\s*(?P<dir>gain|rise|increase|advance|rally|drop|fall|decline|loss|decrease|slide)s?\b",
    re.IGNORECASE,
)
_CONSECUTIVE = re.compile(
    r"^\s*(?:consecutive|straight)\s+(?:months?|weeks?|quarters?|meetings?)", re.IGNORECASE
)
_YOY = re.compile(
    r"\b(?:year[- ]on[- ]year|y/y|yoy|year[- ]over[- ]year|annual\s+(?:growth|rate|inflation))\b",
    re.IGNORECASE,
)
_ANNUALISED = re.compile(r"\bannual(?:ly|i[sz]ed)?\b", re.IGNORECASE)
_POSSESSIVE_PROBABILITY = re.compile(
    r"^\s*(?:probability|likelihood|certainty|chance|odds)\b", re.IGNORECASE
)

_SIGN_WORDS = {"over": ">", "more than": ">", "above": ">", "exceeding": ">", "exceeded": ">"}
_SIGN_WORDS |= {"at least": ">", "under": "<", "below": "<", "less than": "<"}
_APPROX = frozenset({"nearly", "almost", "about", "around", "approximately", "roughly"})


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    quantity: Quantity


def _mentions(text: str, quantities: Sequence[Quantity]) -> list[_Mention]:
    """Every quantity named in ``text``; of overlapping mentions the longest is kept."""
    found = [
        _Mention(m.start(), m.end(), q)
        for q in quantities
        for w in q.words
        for m in w.finditer(text)
    ]
    found.sort(key=lambda m: (m.start - m.end, m.start))  # longest first
    kept: list[_Mention] = []
    for m in found:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _unit_fits(number: Number, quantity: Quantity, changing: bool) -> bool:
    """Whether ``number`` can be a value of ``quantity``: a plain number only a level of an
    index, a count only of what counts, a percent of a probability, and a change of
    anything else in percent or points."""
    unit, units = number.unit, quantity.units
    if unit == "plain":
        fits = "index" in units and not changing
    elif unit == "count":
        fits = "count" in units or quantity.missing is not None
    elif "probability" in units:
        fits = unit == "percent"
    elif changing and unit in {"percent", "pp", "bp"}:
        fits = True  # a change of anything can be stated in percent or points
    else:
        fits = unit in units
    return fits


def find_claims(text: str, article_date: date | None) -> list[Claim]:
    """Every checkable claim of ``text``, in order; ``article_date`` resolves windows such
    as "in November" or "the past month" (without it they stay unresolved)."""
    quantities = load_quantities()
    claims: list[Claim] = []
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        if sentence.rstrip().endswith("?"):
            continue  # a question asks, it does not claim
        claims.extend(_sentence_claims(sentence, s_start, article_date, quantities, len(claims)))
    return claims


def _clauses(sentence: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _CLAUSE.finditer(sentence):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(sentence)))
    return spans


@dataclass(frozen=True, slots=True)
class _Context:
    """A number in its clause: the text around it and the cues found there."""

    sentence: str
    number: Number
    clause: tuple[int, int]
    before: str
    after: str
    change_before: re.Match[str] | None
    change_after: re.Match[str] | None
    difference: re.Match[str] | None

    @classmethod
    def of(cls, sentence: str, number: Number, clauses: Sequence[tuple[int, int]]) -> _Context:
        start, end = next(((a, b) for a, b in clauses if a <= number.start < b), clauses[-1])
        before = sentence[max(start, number.start - 60) : number.start]
        after = sentence[number.end : min(end, number.end + 60)]
        return cls(
            sentence,
            number,
            (start, end),
            before,
            after,
            _CHANGE_BEFORE.search(before),
            _CHANGE_AFTER.match(after),
            _DIFFERENCE.search(before),
        )

    @property
    def changing(self) -> bool:
        return (
            bool(self.change_before)
            or bool(self.change_after and self.number.unit == "bp")
            or bool(_GAIN_AFTER.match(self.after) and self.number.unit == "percent")
        )

    @property
    def lead(self) -> str:
        """The clause up to the number."""
        return self.sentence[self.clause[0] : self.number.start]


@dataclass(frozen=True, slots=True)
class _Reading:
    """How a number relates to its quantity (see :class:`Claim`)."""

    pattern: str
    kind: str
    unit: str
    value: float
    tolerance: float
    bound: str


def _attach(
    ctx: _Context,
    mentions: Sequence[_Mention],
    quantities: Sequence[Quantity],
    previous: Claim | None,
) -> _Mention | None:
    """The quantity a number states: the nearest fitting mention before it in its clause,
    one named right after it, a probability ("80% probability"), or the claim before it
    continued by a difference ("an increase of ...")."""
    number, changing = ctx.number, ctx.changing or bool(ctx.difference)
    candidates = [
        m
        for m in mentions
        if ctx.clause[0] <= m.start
        and m.end <= number.start
        and _unit_fits(number, m.quantity, changing)
        and _plausible(number, m.quantity, ctx.changing)
    ]
    follow = _following(ctx.sentence, number, mentions, changing)
    if follow is not None:
        return follow
    if candidates:
        return candidates[-1]
    if _POSSESSIVE_PROBABILITY.match(ctx.after):
        named = next((m for m in mentions if "probability" in m.quantity.units), None)
        return named or _Mention(number.start, number.end, _probability(quantities))
    counting = number.unit == "count" or bool(_CONSECUTIVE.match(ctx.after))
    if (ctx.difference or counting) and previous is not None:
        return next((m for m in mentions if m.quantity.id == previous.quantity), None)
    return None


def _bound(ctx: _Context) -> tuple[str, float]:
    """ "over"/"under" as a bound, and the tolerance: the rounding, doubled for "about"."""
    found = _BOUND.search(ctx.before[-30:])
    word = found["word"].lower() if found else ""
    if ctx.change_before and ctx.change_before["bound"]:
        word = ctx.change_before["bound"].lower()
    tolerance = ctx.number.rounding
    if word in _APPROX:
        tolerance *= 2  # "about 6%": a whole unit of the last digit, not half
    return _SIGN_WORDS.get(word, "="), tolerance


def _policy_sign(ctx: _Context) -> float:
    """-1 for a cut ("cut rates by 25 basis points", "a 25 bp cut"), +1 for a hike."""
    word = (ctx.change_after["cut"] or "") if ctx.change_after else ""
    word += " ".join(re.findall(r"\b(?:cut|lower|reduc)\w*", ctx.before[-40:], re.IGNORECASE))
    return -1.0 if re.search(r"cut|reduc|lower", word, re.IGNORECASE) else 1.0


def _change_kind(ctx: _Context, q: Quantity) -> str:
    number = ctx.number
    if number.unit == "percent" and (
        q.transform == "yoy_pct" or (_YOY.search(ctx.after[:25]) and q.transform == "level")
    ):
        return "yoy_pct"
    if number.unit == "percent" and _ANNUALISED.search(ctx.sentence):
        return "change_pct_annualised"
    if q.units <= {"percent", "pp", "bp"}:
        return (
            "change_abs"  # a rate "rose 0.25%" rose by a quarter point, not by a quarter of itself
        )
    return "change_pct" if number.unit == "percent" else "change_abs"


_FALLING = frozenset({"decrease", "decline", "drop", "fall", "loss", "slide"})


def _sign(ctx: _Context, q: Quantity) -> float:
    """-1 for a change downwards ("fell", "a decline of", "a 25 bp cut", "a 2% loss")."""
    gain = _GAIN_AFTER.match(ctx.after)
    if ctx.difference:
        falling = ctx.difference["dir"].lower() in _FALLING
    elif ctx.number.unit == "bp" and q.policy:
        return _policy_sign(ctx)
    elif ctx.change_before:
        falling = bool(re.fullmatch(_DOWN, ctx.change_before["dir"], re.IGNORECASE))
    else:
        falling = gain is not None and gain["dir"].lower() in _FALLING
    return -1.0 if falling else 1.0


def _read(ctx: _Context, q: Quantity) -> _Reading:
    """The reading of a number attached to ``q`` (the rules of the module docstring)."""
    number = ctx.number
    bound, tolerance = _bound(ctx)
    pattern, kind = "level", "level"
    if number.unit == "count" or _CONSECUTIVE.match(ctx.after):
        pattern = kind = "count"
    elif "probability" in q.units and number.unit == "percent":
        pattern = "probability"
    elif ctx.difference:
        pattern, kind = "difference", "change_abs"
    elif number.unit == "bp" and q.policy and not re.search(r"\bto\s+$", ctx.before):
        pattern, kind = "change", "change_abs"  # "a 25 bp cut"; "to 25 bp" is a level
    elif (ctx.changing and not q.policy) or ctx.change_before:
        kind = _change_kind(ctx, q)  # "fell by 1.2%", "with a 2.2 percent gain"
        pattern = "yoy" if kind == "yoy_pct" else "change"
    elif number.unit == "percent" and (
        q.transform == "yoy_pct" or (_YOY.search(ctx.lead) and "usd" in q.units)
    ):
        pattern, kind = "yoy", "yoy_pct"
    if kind == "level" and re.search(r"\b(?:a|its)\s+peak\s+of\s+$", ctx.before):
        pattern = kind = "peak"
    unit, value = (
        {"count": "count", "probability": "probability"}.get(pattern, number.unit),
        number.value,
    )
    if unit == "bp":  # basis points are compared in points: a level in percent, a change in pp
        unit, value, tolerance = (
            ("percent" if kind == "level" else "pp"),
            value / 100,
            tolerance / 100,
        )
    if kind == "change_abs" and unit == "percent":
        unit = "pp"  # a rate's change in percentage points
    if kind not in {"level", "count", "peak"} and _sign(ctx, q) < 0:
        value = -value
        bound = {">": "<", "<": ">"}.get(bound, bound)
    return _Reading(pattern, kind, unit, value, tolerance, bound)


def _ambiguity(ctx: _Context, q: Quantity) -> str | None:
    if _COMPARATIVE.match(ctx.after):
        return "a difference from a baseline the text does not date"
    if _INTRADAY.search(ctx.lead):
        return "an intraday value; the store holds daily closes"
    if _PER_PERIOD.match(ctx.after):
        return "a pace per period, not a level; no series of it"
    return q.ambiguous


def _rank(claim: Claim, ctx: _Context, offset: int, claim_id: str) -> Claim | None:
    """ "..., the lowest level since 2015" after a number: a rank claim on its quantity."""
    found = _RANK.match(ctx.sentence[ctx.number.end :])
    if found is None:
        return None
    low = found["side"].lower() in {"lowest", "low", "weakest"}
    at = offset + ctx.number.end
    return replace(
        claim,
        id=claim_id,
        span=(at + found.start("side"), at + found.end()),
        kind="rank_low" if low else "rank_high",
        pattern="rank",
        written=found[0][found.start("side") :].strip(),
        claimed=float(found["year"]),
        unit="year",
        tolerance=0.0,
        bound="=",
        upper=None,
    )


def _sentence_claims(
    sentence: str, offset: int, article_date: date | None, quantities: Sequence[Quantity], n0: int
) -> list[Claim]:
    mentions = _mentions(sentence, quantities)
    clauses = _clauses(sentence)
    out: list[Claim] = []
    pending_from: _Mention | None = None
    numbers = find_numbers(sentence)
    for number in numbers:
        ctx = _Context.of(sentence, number, clauses)
        if _CONDITIONAL.search(ctx.lead):
            continue  # a hypothesis, not a statement of fact
        mention = _attach(ctx, mentions, quantities, out[-1] if out else None)
        if mention is None:
            continue
        q = mention.quantity
        others = [n.start for n in numbers if n is not number]
        window = find_window(sentence, number.start, article_date, others=others)
        if ctx.difference:
            window = difference_window(sentence, number.start, article_date, window)
        reading = _read(ctx, q)
        claim = Claim(
            id=f"c{n0 + len(out) + 1:02d}",
            sentence=" ".join(sentence.split()),
            span=(offset + number.start, offset + number.end),
            quantity=q.id,
            kind=reading.kind,
            claimed=reading.value,
            unit=reading.unit,
            written=number.text,
            pattern=reading.pattern,
            tolerance=reading.tolerance,
            bound=reading.bound,
            upper=number.upper,
            window=window,
            forecast=bool(_FORECAST.search(ctx.lead)),
            ambiguity=_ambiguity(ctx, q),
        )
        from_to = _FROM_TO.search(ctx.before[-40:]) and re.match(
            r"^[^,;]{0,40}?\bto\s+\$?\d", sentence[number.end : ctx.clause[1]]
        )
        if from_to and reading.kind == "level":
            # "from X to Y in November": X is the level before Y's window began
            shared = find_window(sentence, number.start, article_date, strict=False)
            pending_from = mention
            claim = replace(claim, pattern="from_to", window=_start_of(shared))
        elif pending_from is mention:
            claim = replace(claim, pattern="from_to")
            pending_from = None
        out.append(claim)
        ranked = _rank(claim, ctx, offset, f"c{n0 + len(out) + 1:02d}")
        if ranked is not None:
            out.append(ranked)
    return out


def _start_of(window: Window | None) -> Window | None:
    """ "From X" in "from X to Y in November": the level just before the window began."""
    if window is None:
        return None
    return Window(window.text, window.start, window.start, before=True)


_ATTRIBUTIVE = re.compile(r"^\s*(?:[\w/-]+\s+)?$")
_BY_THE = re.compile(
    r"^\s*(?:rate\s+)?(?:cut|hike|increase|reduction)s?\s+by\s+(?:the\s+)?$", re.IGNORECASE
)


def _following(
    sentence: str, number: Number, mentions: Sequence[_Mention], changing: bool
) -> _Mention | None:
    """A quantity named right after its number: "$38 trillion federal debt" (attributive)
    or "a 25 basis point rate hike by the Bank of Japan"."""
    for m in mentions:
        if m.start < number.end or m.start - number.end > 40:
            continue
        between = sentence[number.end : m.start]
        fits = _unit_fits(number, m.quantity, changing or number.unit == "bp")
        if fits and (_ATTRIBUTIVE.match(between) or _BY_THE.match(between)):
            return m
        break
    return None


def _plausible(number: Number, quantity: Quantity, changing: bool) -> bool:
    """A policy rate or a yield is never 20% or more: such a number is something else's
    (a probability, a share) even when the rate is the nearest name before it."""
    if changing or number.unit != "percent":
        return True
    return not (
        (quantity.policy or quantity.id.startswith(("us.ust", "jp.jgb"))) and number.value >= 20
    )


def _probability(quantities: Sequence[Quantity]) -> Quantity:
    return next(q for q in quantities if "probability" in q.units)
