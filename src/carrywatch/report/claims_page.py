"""The claim check's page: the article, each claim's number highlighted by its verdict,
and beside it the evidence (what carrywatch found, its series, date, source and fetch,
the tolerance, and why). Lays out only: the judging is :mod:`carrywatch.claims.verdicts`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import PurePath

import jinja2

from carrywatch.catalog.spec import SeriesSpec
from carrywatch.claims.article import read_article
from carrywatch.claims.grammar import Claim, find_claims
from carrywatch.claims.result import CheckResult, refers_to
from carrywatch.claims.structured import read_claims_document
from carrywatch.claims.verdicts import judge, judge_dated, series_needed
from carrywatch.store.sqlite import Store
from carrywatch.version import __version__

__all__ = ["Piece", "check_document", "pieces", "render_claims_page"]


def check_document(
    raw: bytes,
    name: str,
    given: date | None,
    open_store: Callable[[], Store],
    specs: Mapping[str, SeriesSpec],
) -> CheckResult:
    """Check an article (text, Markdown or HTML) or a claims.toml (by ``name``'s suffix)
    against the store: one read of every series the claims need, then the judge. Bad input
    raises ConfigError (one line) before the store is even opened."""
    dated: list[tuple[Claim, date]] = []
    if PurePath(name).suffix.lower() == ".toml":
        doc, dated = read_claims_document(raw, name)
        claims = [claim for claim, _ in dated]
    else:
        doc = read_article(raw, name, given)
        claims = find_claims(doc.text, doc.date)
    with open_store() as store:
        frame = store.read(series_needed(claims))
    if dated:
        return CheckResult(doc, judge_dated(dated, frame, specs))
    assert doc.date is not None  # read_article raises without one
    return CheckResult(doc, judge(claims, frame, specs, doc.date))


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of the article's text; ``claim`` is the id of the claim it states, if any."""

    text: str
    claim: str | None = None
    verdict: str | None = None


def pieces(result: CheckResult) -> list[Piece]:
    """The article's text cut at the claims' spans (a span inside an earlier one is
    shown with that one)."""
    text = result.article.text
    out: list[Piece] = []
    at = 0
    for j in sorted(result.judgements, key=lambda j: j.claim.span):
        start, end = j.claim.span
        if start < at or end <= start:
            continue
        out.append(Piece(text[at:start]))
        out.append(Piece(text[start:end], j.claim.id, j.verdict))
        at = end
    out.append(Piece(text[at:]))
    return out


def render_claims_page(result: CheckResult) -> str:
    """The page as one self-contained HTML document (no script, no network)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (
                resources.files("carrywatch.report").joinpath("templates", name).read_text("utf-8")
            )
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    rows = [
        {
            "j": j,
            "refers_to": refers_to(j, result.article.date),
            "shown": j.asof if j.asof.value is not None else j.hindsight,
        }
        for j in result.judgements
    ]
    return env.get_template("claims.html").render(
        result=result,
        summary=result.to_json()["summary"],
        rows=rows,
        pieces=pieces(result),
        version=__version__,
    )
