"""Claim check: find the quantitative claims of a commentary and judge them against the
store, as of the article's date and in hindsight (see docs/claims.md)."""
