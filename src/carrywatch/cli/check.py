"""The ``check`` command: judge a commentary's numbers (or a claims.toml) against the store."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from carrywatch.cli.app import cli
from carrywatch.cli.common import load_settings, out, parse_date

_STYLE = {"supported": "green", "contradicted": "red", "unverifiable": "yellow"}


@cli.command("check")
@click.argument("article", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--date", "date_text", help="The article's date (YYYY-MM-DD; default: the date it states)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write the page (claims.html) and claims.json into this folder.",
)
def check_command(
    article: Path, date_text: str | None, as_json: bool, out_dir: Path | None
) -> None:
    """Find the quantitative claims of ARTICLE (text, Markdown or saved HTML; or a
    claims.toml of [[claim]] quantity/value/date/window entries) and judge each one against
    what was published by the article's date, and in hindsight."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.claims.article import MAX_ARTICLE_BYTES
    from carrywatch.files import read_user_file
    from carrywatch.report.claims_page import check_document
    from carrywatch.workspace import open_store

    given = parse_date(date_text, "--date")
    raw = read_user_file(
        article,
        what="check",
        max_bytes=MAX_ARTICLE_BYTES,
        instead="save the article's text alone and try again",
    )
    settings = load_settings()
    result = check_document(
        raw, article.name, given, lambda: open_store(settings), load_catalog().series
    )
    if out_dir is not None:
        from carrywatch.files import write_atomic
        from carrywatch.report.claims_page import render_claims_page

        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(
            out_dir / "claims.html", render_claims_page(result).encode(), prefix=".claims-"
        )
        payload = json.dumps(result.to_json(), indent=2, ensure_ascii=False).encode()
        write_atomic(out_dir / "claims.json", payload, prefix=".claims-")
    if as_json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    _print_table(result)
    if out_dir is not None:
        out.print(f"wrote {out_dir / 'claims.html'} and {out_dir / 'claims.json'}")


def _print_table(result: object) -> None:
    from carrywatch.claims.result import CheckResult, refers_to

    assert isinstance(result, CheckResult)
    table = Table(
        "id",
        "quantity",
        "as written",
        "refers to",
        "verdict",
        "as of",
        "hindsight",
        "series",
        "reason",
        title=f"claims of {result.article.title[:80]} ({result.article.date})",
    )
    for j in result.judgements:
        c = j.claim
        table.add_row(
            c.id,
            c.quantity,
            c.written,
            refers_to(j, result.article.date),
            j.verdict,
            "" if j.asof.value is None or c.kind.startswith("rank") else f"{j.asof.value:.4g}",
            ""
            if j.hindsight.value is None or c.kind.startswith("rank")
            else f"{j.hindsight.value:.4g}",
            (j.asof.series or j.hindsight.series or ""),
            j.reason,
            style=_STYLE[j.verdict],
        )
    out.print(table)
    s = result.to_json()["summary"]
    out.print(
        f"{s['claims']} claims: {s['supported']} supported, {s['contradicted']} contradicted, "
        f"{s['unverifiable']} unverifiable"
    )
