"""The claim check's page: the article, each claim's number highlighted by its verdict,
and beside it the evidence (what carrywatch found, its series, date, source and fetch,
the tolerance, and why). Lays out only: the judging is :mod:`carrywatch.claims.verdicts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import jinja2

from carrywatch.claims.result import CheckResult, refers_to
from carrywatch.version import __version__

__all__ = ["Piece", "pieces", "render_claims_page"]


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
