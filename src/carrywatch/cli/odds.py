"""Odds commands: ``odds fed|boj`` and ``markets refresh fed|boj``."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from carrywatch.cli.app import cli
from carrywatch.cli.common import (
    err,
    failed_sources,
    http_client,
    load_settings,
    out,
    parse_date,
    print_source_table,
)
from carrywatch.cli.output import emit_frame, export_format, format_option, out_option
from carrywatch.errors import ConfigError

if TYPE_CHECKING:
    from carrywatch.analytics.odds.conventions import AnnouncementDayRule, Chain, Conventions
    from carrywatch.ingest import RefreshReport
    from carrywatch.report.odds import Bank, OddsReport
    from carrywatch.report.odds_history import OddsHistory


@cli.command("odds")
@click.argument("bank", type=click.Choice(["fed", "boj"]))
@click.option("--asof", help="Odds as of this date (YYYY-MM-DD; default: today).")
@click.option(
    "--futures",
    "futures_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV of ZQ settlements: contract,settle (contract ZQK23, ZQK3 or 2023-05).",
)
@click.option(
    "--path",
    "path_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV of expected overnight rates: start,end,rate (the average over [start, end)) "
    "or tenor,rate (OIS from the as-of date: ON, 1W, 1M, 3M, 1Y).",
)
@click.option(
    "--target-range",
    help="LOWER,UPPER in force on the as-of date (default: from the store).",
)
@click.option(
    "--chain",
    type=click.Choice(["cme", "longer-side", "pyfedwatch"]),
    default="cme",
    show_default=True,
    help="How meeting months are pinned: cme (CME's live tool), longer-side, pyfedwatch.",
)
@click.option(
    "--announcement-day",
    type=click.Choice(["cme", "new", "old"]),
    default="cme",
    show_default=True,
    help="Rate the decision day counts at: new, old, or cme (CME's count on the as-of date).",
)
@click.option("--step-bp", type=float, default=25.0, show_default=True, help="Size of one move.")
@click.option("--json", "as_json", is_flag=True, help="Print the odds as JSON.")
@format_option()
@out_option()
def odds_command(
    bank: Bank,
    *,
    asof: str | None,
    futures_file: Path | None,
    path_file: Path | None,
    target_range: str | None,
    chain: Chain,
    announcement_day: AnnouncementDayRule,
    step_bp: float,
    as_json: bool,
    fmt: str,
    out_file: Path | None,
) -> None:
    """Market-implied odds of the next Fed or BOJ moves, every source side by side.

    The futures and path engines follow the conventions named by --chain,
    --announcement-day and --step-bp (docs/analytics.md); every output states them.
    """
    from carrywatch.analytics.odds.conventions import Conventions
    from carrywatch.report.market_quotes import StoredMarkets
    from carrywatch.report.odds import current_range, parse_range, policy_odds
    from carrywatch.report.odds_history import odds_history
    from carrywatch.workspace import catalog_of, open_store

    if futures_file is not None and path_file is not None:
        raise ConfigError("give --futures or --path, not both")
    cutoff = parse_date(asof, "--asof") or datetime.now(UTC).date()
    settings = load_settings()
    with open_store(settings) as store:
        catalog = catalog_of(store)
        range_pct = (
            parse_range(target_range) if target_range else current_range(store, bank, cutoff)
        )
        # Prediction markets: the quotes `carrywatch markets refresh` stored.
        markets = StoredMarkets.load(store, catalog, cutoff, 0)(bank, cutoff, range_pct)
        # CME FedWatch's published tables and single-outcome market histories, stored as
        # odds series (the brief's odds section reads the same).
        stored = odds_history(store, catalog, cutoff, range_pct) if bank == "fed" else None
    report = policy_odds(
        catalog,
        bank,
        cutoff,
        range_pct,
        markets=markets,
        futures_csv=_read(futures_file, "--futures"),
        path_csv=_read(path_file, "--path"),
        conventions=_conventions(Conventions, chain, announcement_day, step_bp),
    )
    if as_json:
        document = report.to_json()
        if stored is not None:
            document["stored"] = _stored_json(stored)
        print(json.dumps(document, indent=2))
    elif fmt != "table":
        from carrywatch.api import Odds

        emit_frame(Odds(report).to_frame(), export_format(fmt), out_file)
    else:
        _print_odds(report)
        if stored is not None:
            _print_stored(stored)
    for note in report.notes:
        err.print(f"note: {note}")


def _read(path: Path | None, option: str) -> bytes | None:
    from carrywatch.files import read_user_file

    return None if path is None else read_user_file(path, what=f"{option} {path.name}")


def _conventions(
    make: type[Conventions], chain: Chain, announcement_day: AnnouncementDayRule, step_bp: float
) -> Conventions:
    try:
        return make(chain, announcement_day, step_bp)
    except ValueError as exc:
        raise ConfigError(f"{exc}; pass --step-bp as a positive number of bp, e.g. 25") from None


def _print_odds(report: OddsReport) -> None:
    from carrywatch.analytics.odds.distribution import bounds_text, range_text

    in_force = bounds_text(*report.current_range_pct)
    table = Table(
        title=f"{report.bank.upper()} odds as of {report.asof} (range in force {in_force})"
    )
    for column in ("meeting", "source", "distribution (target range: probability)", "flags"):
        table.add_column(column)
    for dist in sorted(report.distributions, key=lambda d: (d.meeting, d.source)):
        if dist.refused:
            text = f"none: {dist.reason}"
        else:
            text = ", ".join(
                f"{range_text(r)}: {r.probability * 100:.1f}%"
                for r in dist.probabilities
                if r.probability >= 0.0005
            )
        table.add_row(dist.meeting.isoformat(), dist.source, text, "; ".join(dist.flags))
    out.print(table)
    if report.summaries:
        summary = Table(title="per meeting, from the range in force")
        for column in (
            "meeting",
            "source",
            "P(cut)",
            "P(hold)",
            "P(hike)",
            "move bp",
            "from today bp",
        ):
            summary.add_column(column)
        for s in report.summaries:
            summary.add_row(
                s.meeting.isoformat(),
                s.source,
                f"{s.p_cut * 100:.1f}%",
                f"{s.p_hold * 100:.1f}%",
                f"{s.p_hike * 100:.1f}%",
                f"{s.expected_change_bp:+.1f}",
                f"{s.cumulative_change_bp:+.1f}" + (" (tail lumped)" if s.lumped else ""),
            )
        out.print(summary)
    out.print(f"conventions: {report.conventions.label(report.asof)}")
    for comparison in report.comparisons:
        for diff in comparison.differences:
            gap = diff.max_abs_difference_pp
            out.print(
                f"{comparison.meeting} {diff.source} vs {comparison.reference_source}: "
                + (f"largest difference {gap:.1f} pp" if gap is not None else "not comparable")
            )
        out.print(
            f"{comparison.meeting}: thinner market: {comparison.thinner or 'n/a'} "
            f"({comparison.thinner_basis})"
        )


def _stored_json(stored: OddsHistory) -> dict[str, object]:
    """CME's published tables and the single-outcome quotes, as ``_print_stored`` shows."""
    from carrywatch.analytics.odds.distribution import range_text

    return {
        "cme_fedwatch_published": [
            {
                "meeting": p.meeting.isoformat(),
                "published_on": p.obs_date.isoformat(),
                "probabilities": [
                    {"range": range_text(r), "probability": r.probability} for r in p.probabilities
                ],
                "series": list(p.series_ids),
            }
            for p in stored.published
        ],
        "market_quotes": [
            {
                "meeting": q.meeting.isoformat(),
                "venue": q.venue,
                "outcome": q.outcome,
                "probability": q.probability,
                "quoted_on": q.obs_date.isoformat(),
                "series": q.series_id,
            }
            for q in stored.quotes
        ],
    }


def _print_stored(stored: OddsHistory) -> None:
    """CME FedWatch's published distribution per meeting and the venues' last quote of
    each single outcome the store holds (histories, not whole markets), each dated."""
    from carrywatch.analytics.odds.distribution import range_text

    if not stored.published and not stored.quotes:
        return
    table = Table(title="stored odds: CME FedWatch as published, market histories")
    for column in ("meeting", "source", "as of", "probabilities", "series"):
        table.add_column(column)
    for p in stored.published:
        text = ", ".join(
            f"{range_text(r)}: {r.probability * 100:.1f}%"
            for r in p.probabilities
            if r.probability >= 0.0005
        )
        table.add_row(
            p.meeting.isoformat(),
            "CME FedWatch (published)",
            p.obs_date.isoformat(),
            text,
            f"{len(p.series_ids)} series",
        )
    for q in stored.quotes:
        table.add_row(
            q.meeting.isoformat(),
            f"{q.venue} (one outcome)",
            q.obs_date.isoformat(),
            f"{q.outcome}: {q.probability * 100:.1f}%",
            q.series_id,
        )
    out.print(table)


@cli.group("markets")
def markets_group() -> None:
    """Prediction markets on Fed and BOJ decisions (Kalshi, Polymarket), stored as series."""


@markets_group.command("refresh")
@click.argument("bank", type=click.Choice(["fed", "boj"]))
@click.option(
    "--slug",
    "slugs",
    multiple=True,
    help="A Polymarket event slug to fetch too (repeatable), e.g. fed-decision-in-march-885.",
)
def markets_refresh_command(bank: str, slugs: tuple[str, ...]) -> None:
    """Store the current quotes of the markets on BANK's decisions (markets.toml, --slug)."""
    from carrywatch.ingest import refresh_markets
    from carrywatch.sources.registry import build_sources
    from carrywatch.workspace import catalog_of, open_archive, open_store

    settings = load_settings()
    sources = build_sources(settings.origins)
    with (
        open_store(settings) as store,
        http_client(settings) as http,
    ):
        report = refresh_markets(
            store, open_archive(store), catalog_of(store), sources, http, bank, slugs=slugs
        )
    sys.exit(_print_markets_report(bank, report))


def _print_markets_report(bank: str, report: RefreshReport) -> int:
    if not report.summaries:
        err.print(
            f"error: nothing to fetch for {bank}: markets.toml lists no Kalshi series "
            "or Polymarket slug for it; pass --slug SLUG, the part after /event/ in the "
            "address of the Polymarket event on its decision (polymarket.com/event/SLUG, "
            "found by searching polymarket.com), or add it to polymarket_slugs in markets.toml"
        )
        return 1
    print_source_table(
        f"markets refresh {bank}",
        ["payloads", "events", "quotes added"],
        report.summaries,
        lambda s: [s.n_payloads, s.n_events, s.n_added],
    )
    for s in report.summaries:
        for note in s.notes:
            err.print(f"note: {s.source}: {note}")
        if s.errors:  # the table cuts long cells: the first error in full, on one line
            err.print(f"error: {s.errors[0]}", soft_wrap=True)
    return failed_sources(report.summaries, "a failed request writes nothing")
