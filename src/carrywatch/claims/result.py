"""The outcome of a claim check and its JSON form::

{"article": {"date", "title", "sha256"},
 "claims": [{"id", "sentence", "span", "quantity", "claimed", "unit", "refers_to",
             "verdict", "asof_value", "hindsight_value", "series", "obs_date",
             "tolerance", "reason"}],
 "summary": {"claims", "supported", "contradicted", "unverifiable"}}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from carrywatch.claims.article import Article
from carrywatch.claims.verdicts import Judgement, summary

__all__ = ["CheckResult", "refers_to"]


def refers_to(judgement: Judgement, article_date: date | None) -> str:
    """The time the claim is about: its window, else the article's date."""
    window = judgement.claim.window
    if window is not None:
        return window.describe()
    return article_date.isoformat() if article_date else ""


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@dataclass(frozen=True, slots=True)
class CheckResult:
    article: Article
    judgements: Sequence[Judgement]

    def to_json(self) -> dict[str, Any]:
        claims = []
        for j in self.judgements:
            c = j.claim
            shown = j.asof if j.asof.value is not None else j.hindsight
            claims.append(
                {
                    "id": c.id,
                    "sentence": c.sentence,
                    "span": list(c.span),
                    "quantity": c.quantity,
                    "claimed": _round(c.claimed) if c.upper is None else [c.claimed, c.upper],
                    "unit": c.unit,
                    "refers_to": refers_to(j, self.article.date),
                    "verdict": j.verdict,
                    "asof_value": _round(j.asof.value) if c.kind[:4] != "rank" else None,
                    "hindsight_value": _round(j.hindsight.value) if c.kind[:4] != "rank" else None,
                    "series": shown.series,
                    "obs_date": shown.obs_date.isoformat() if shown.obs_date else None,
                    "tolerance": c.tolerance,
                    "reason": j.reason,
                }
            )
        return {
            "article": {
                "date": self.article.date.isoformat() if self.article.date else None,
                "title": self.article.title,
                "sha256": self.article.sha256,
            },
            "claims": claims,
            "summary": summary(self.judgements),
        }
