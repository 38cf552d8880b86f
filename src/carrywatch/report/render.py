"""Build the brief from the store and render it: an HTML page, a JSON document and a
terminal summary.

:func:`build_report` is data (a :class:`~carrywatch.report.model.Report`);
:func:`write_report` writes, each file atomically (a temporary file in the same folder,
then a rename, so a reader never sees half a page):

``brief.html``
    One page, rendered from the packaged template ``templates/brief.html``. Its charts
    are drawn by plotly.js from ``plotly.min.js`` **beside the page**, referenced by a
    relative ``<script src="plotly.min.js">``: nothing is fetched from the network, and
    the page stays small (the library is 4.8 MB) while every brief in a folder shares one
    copy. Move the two files together. (``carrywatch serve`` serves the same file at the
    same relative path.)
``plotly.min.js``
    ``plotly.offline.get_plotlyjs()`` from the installed plotly package; rewritten only
    when its content changes.
``brief.json``
    ``{"asof", "generated_at", "seed", "metrics", "sections"}``; ``metrics`` is exactly
    what ``carrywatch metrics --json`` prints for the same date. Its top levels are one
    item per line (each key, metric and section, and their fields); each card, figure and
    table is one line.

Given a ``template_cache`` folder, the page template is compiled once and its bytecode kept
there (Jinja's own file cache), so a later process skips the compilation; a folder that
cannot be created, read or written only means compiling again.

:func:`terminal_summary` is a rich renderable of the headline numbers and the page's path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Final

import jinja2
import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from carrywatch.catalog.spec import Catalog
from carrywatch.errors import ConfigError
from carrywatch.files import write_atomic
from carrywatch.report.elements import MetricsAt, MetricValues
from carrywatch.report.formats import (
    MEANING_LEGEND,
    UNIT_LABELS,
    change_meaning,
    change_text,
    unit_suffix,
    value_text,
)
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.market_quotes import StoredMarkets
from carrywatch.report.meeting_odds import HISTORY_DAYS, bank_odds, range_in_force
from carrywatch.report.metric_history import MetricPath, metric_paths
from carrywatch.report.metrics import INPUT_SERIES, METRIC_KEYS, metrics_from_series
from carrywatch.report.model import Cell, Report, Section
from carrywatch.report.odds import Bank
from carrywatch.report.odds_history import odds_history
from carrywatch.report.sections import (
    SECTION_READS,
    calendar_section,
    carry_section,
    data_status_section,
    events_section,
    fiscal_section,
    flows_section,
    headline_section,
    liquidity_section,
    odds_section,
    rates_section,
    stance_section,
    unwind_section,
)
from carrywatch.report.what_changed import what_changed_section
from carrywatch.store.sqlite import Store
from carrywatch.types import utc_now
from carrywatch.version import __version__

__all__ = [
    "BANKS",
    "DEFAULT_SEED",
    "BriefPaths",
    "build_report",
    "render_html",
    "terminal_summary",
    "write_report",
]

#: The banks whose odds the brief shows, in order.
BANKS: Final[tuple[Bank, ...]] = ("fed", "boj")

#: Seed of the unwind scenarios' Monte Carlo unless another is given (stated on the page).
DEFAULT_SEED: Final = 20240805
PLOTLY_FILE: Final = "plotly.min.js"
TEMPLATE: Final = "brief.html"


def build_report(
    store: Store,
    catalog: Catalog,
    asof: date,
    *,
    seed: int = DEFAULT_SEED,
    generated_at: datetime | None = None,
) -> Report:
    """The brief as of ``asof``: observations up to that date only.

    Reads every series the sections declare once (:data:`SECTION_READS`), computes the
    headline metrics as of ``asof`` and 7 and 30 days before (for the changes) from that
    same read, and builds each section. ``seed`` seeds the unwind scenarios' random
    generators. The prediction markets are the stored quotes of ``carrywatch markets
    refresh`` (:class:`~carrywatch.report.market_quotes.StoredMarkets`).
    """
    reads = tuple(dict.fromkeys(sid for ids in SECTION_READS.values() for sid in ids))
    inputs = BriefInputs.load(store, catalog, asof, reads)
    # The metrics' inputs are among the reads (the headline declares them): one read of
    # the store serves the three dates, each seeing only what is on or before it.
    observed = inputs.observed(INPUT_SERIES)
    released = {sid: inputs.released(sid) for sid in observed}
    # The week's and month's values (for the changes) in one pass over both days.
    month_ago, week_ago = asof - timedelta(days=30), asof - timedelta(days=7)
    both = pd.DatetimeIndex([month_ago, week_ago])
    paths = metric_paths(observed, catalog, both, released=released)
    metrics = MetricsAt(
        now=metrics_from_series(observed, catalog, asof, released=released),
        week_ago=_values_at(paths, week_ago, 1),
        month_ago=_values_at(paths, month_ago, 0),
    )
    markets = StoredMarkets.load(store, catalog, asof, HISTORY_DAYS)
    # The days markets were quoted, for the odds over time (none: no chart).
    days = markets.days
    # The stored odds are read once, for the odds section and "What changed since".
    history = odds_history(store, catalog, asof, _fed_range(inputs))
    sections: tuple[Section, ...] = (
        what_changed_section(inputs, history.inputs),
        headline_section(inputs, metrics),
        odds_section(
            inputs,
            [bank_odds(inputs, bank, markets, days) for bank in BANKS],
            history=history,
        ),
        rates_section(inputs, metrics),
        carry_section(inputs, metrics),
        liquidity_section(inputs, metrics),
        flows_section(inputs, metrics),
        events_section(inputs),
        stance_section(inputs, metrics),
        fiscal_section(inputs),
        unwind_section(inputs, metrics, seed=seed),
        calendar_section(inputs),
        data_status_section(inputs, reads),
    )
    return Report(
        asof=asof,
        generated_at=generated_at or utc_now(),
        metrics=metrics.now,
        sections=sections,
        seed=seed,
    )


def _values_at(paths: Mapping[str, MetricPath], day: date, i: int) -> MetricValues:
    """The metrics' values on the ``i``-th day of ``paths`` (NaN there means missing)."""
    values = {key: float(path.values[i]) for key, path in paths.items()}
    return MetricValues(day, {k: None if math.isnan(v) else v for k, v in values.items()})


def _fed_range(inputs: BriefInputs) -> tuple[float, float] | None:
    found = range_in_force(inputs, "fed")
    return None if isinstance(found, str) else found


# --- HTML -----------------------------------------------------------------------------------


def _data_value(value: float | None) -> str:
    """The exact value for a ``data-value`` attribute: ``repr`` round-trips a float."""
    return "" if value is None else repr(float(value))


def _cell_text(cell: Cell, spec: str) -> str:
    if cell is None or (isinstance(cell, float) and not math.isfinite(cell)):
        return "—"
    if spec and isinstance(cell, int | float) and not isinstance(cell, bool):
        return format(cell, spec)
    return str(cell)


def _cell_class(cell: Cell, spec: str = "") -> str:
    if spec or (isinstance(cell, int | float) and not isinstance(cell, bool)):
        return "num"
    if isinstance(cell, str) and len(cell) > 90:
        return "long"
    return ""


def _version() -> str:
    # The package's own constant (pyproject reads it at build time): importing
    # importlib.metadata to ask for it would cost a cold brief several milliseconds.
    return __version__


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, which never fails a render.

    A cache file that cannot be read, or is damaged, is a miss (the template is compiled);
    one that cannot be written is skipped. A cached template is used only for the same
    source text, Jinja version and compile options (``salt``); otherwise it is replaced.
    """

    def __init__(self, directory: Path, salt: str) -> None:
        super().__init__(str(directory), pattern="%s.jinja-cache")
        self._salt = salt.encode("utf-8")

    def get_source_checksum(self, source: str) -> str:
        digest = hashlib.sha1(self._salt, usedforsecurity=False)
        digest.update(source.encode("utf-8"))
        return digest.hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged or unreadable file: compile instead
            bucket.reset()
        if bucket.code is not None and not isinstance(bucket.code, types.CodeType):
            bucket.reset()  # a well-formed header over something that is not code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # read-only or full: the page was rendered, the cache is optional
            return


def _compile_salt(env: jinja2.Environment, template: str) -> str:
    """What compiled code depends on besides the template's text: Jinja's version, the
    environment's syntax and compile options, and the filters and tests by name with what
    each is passed (``pass_context`` and the like change the generated call)."""
    autoescape = env.autoescape(template) if callable(env.autoescape) else env.autoescape
    return repr(
        (
            jinja2.__version__,
            env.block_start_string,
            env.block_end_string,
            env.variable_start_string,
            env.variable_end_string,
            env.comment_start_string,
            env.comment_end_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.newline_sequence,
            env.keep_trailing_newline,
            env.optimized,
            env.finalize is not None,
            env.is_async,
            sorted(env.extensions),
            autoescape,
            sorted(
                (name, repr(getattr(f, "jinja_pass_arg", None))) for name, f in env.filters.items()
            ),
            sorted(
                (name, repr(getattr(f, "jinja_pass_arg", None))) for name, f in env.tests.items()
            ),
        )
    )


def _bytecode_cache(folder: Path, salt: str) -> jinja2.BytecodeCache | None:
    """A cache of compiled templates in ``folder`` (created), or none if it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _TemplateCache(folder, salt)


@cache
def _environment(template_cache: Path | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("carrywatch.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.filters.update(
        data_value=_data_value,
        value_text=value_text,
        change_text=change_text,
        unit_suffix=unit_suffix,
        meaning=change_meaning,
        cell_text=_cell_text,
        cell_class=_cell_class,
    )
    env.globals["meaning_legend"] = MEANING_LEGEND
    # Compact JSON in the page; the spec is already JSON-stable (see charts).
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    if template_cache is not None:  # last: the salt reads the options and filters above
        env.bytecode_cache = _bytecode_cache(template_cache, _compile_salt(env, TEMPLATE))
    return env


def render_html(report: Report, *, template_cache: Path | None = None) -> str:
    """The page as a string (see the module docstring); ``template_cache`` is a folder for
    the compiled template (none: compiled in memory)."""
    status = report.section("status").tables[0]
    n_stale = sum(1 for c in status.row_classes if c)
    return (
        _environment(template_cache)
        .get_template(TEMPLATE)
        .render(
            report=report,
            version=_version(),
            metric_keys=frozenset(METRIC_KEYS),
            unit_labels=UNIT_LABELS,
            n_series=len(status.rows),
            n_stale=n_stale,
        )
    )


# --- files ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BriefPaths:
    """Where :func:`write_report` put the brief."""

    html: Path
    json: Path
    plotly_js: Path


def _write_atomic(path: Path, data: bytes) -> None:
    # 0644: mkstemp's 0600 would hide the page from a web server. Not synced to disk: the
    # brief is rebuilt from the store on every run, and an fsync per file cost more than
    # the computing on a busy disk (docs/decisions/0014-cold-brief.md).
    write_atomic(path, data, prefix=f".{path.name}.", mode=0o644, durable=False)


def _plotly_js() -> bytes:
    """The bytes of ``plotly.offline.get_plotlyjs()`` (the package's ``plotly.min.js``,
    UTF-8), read as they are rather than decoded and encoded again.

    The file is found with ``importlib.resources`` on the package's spec, which does not
    run plotly's ``__init__`` (that would import ``importlib.metadata`` and more, for a
    file the brief only copies)."""
    spec = importlib.util.find_spec("plotly")
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        raise ConfigError("plotly is not installed: reinstall carrywatch (`make brief`)")
    path = Path(folders[0]) / "package_data" / "plotly.min.js"
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"the installed plotly package has no plotly.min.js: {exc}") from exc


#: One-line JSON by the C encoder (an ``indent`` would select the pure-Python one): UTF-8
#: text as it is, and a NaN or infinity is a ``ValueError``.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
#: How many levels of ``brief.json`` are laid out one item per line: the top-level keys,
#: each metric and section, their fields, and each card, figure and table of a section.
_JSON_LEVELS: Final = 4


def _json_text(value: object, levels: int, indent: str = "") -> str:
    """``value`` as JSON, its first ``levels`` levels of containers one item per line
    (indented by two spaces a level, as ``indent=2`` would), each deeper value on one line."""
    if levels > 0 and isinstance(value, dict | list | tuple) and value:
        inner = indent + "  "
        if isinstance(value, dict):
            if not all(isinstance(key, str) for key in value):  # let the encoder convert
                return _ONE_LINE(value)
            items = [
                f"{inner}{_ONE_LINE(k)}: {_json_text(v, levels - 1, inner)}"
                for k, v in value.items()
            ]
            return "{\n" + ",\n".join(items) + f"\n{indent}}}"
        items = [inner + _json_text(v, levels - 1, inner) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return _ONE_LINE(value)


def report_json(report: Report) -> str:
    """``brief.json``'s text: UTF-8, no NaN (a NaN would be a bug upstream). The top four
    levels are one item per line (the keys, each metric and section, their fields), each
    deeper value (a card, a figure, a table) is one line: ``json``'s C encoder writes them,
    many times faster than the pure-Python one an ``indent`` needs."""
    return _json_text(report.to_json(), _JSON_LEVELS) + "\n"


def write_report(
    report: Report, out_dir: Path, *, template_cache: Path | None = None
) -> BriefPaths:
    """Write ``brief.html``, ``brief.json`` and ``plotly.min.js`` into ``out_dir`` (created
    if needed), each atomically; returns their paths. ``template_cache``: see
    :func:`render_html`."""
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = BriefPaths(
            html=folder / "brief.html", json=folder / "brief.json", plotly_js=folder / PLOTLY_FILE
        )
        library = _plotly_js()
        if not paths.plotly_js.is_file() or paths.plotly_js.read_bytes() != library:
            _write_atomic(paths.plotly_js, library)
        _write_atomic(paths.json, report_json(report).encode("utf-8"))
        html = render_html(report, template_cache=template_cache)
        _write_atomic(paths.html, html.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot write the brief into {folder}: {exc}") from exc
    return paths


# --- terminal -------------------------------------------------------------------------------


def terminal_summary(report: Report, html: Path | None = None) -> RenderableType:
    """The headline numbers with their changes and readings, the count of missing metrics,
    and where the page is (when ``html`` is given)."""
    headline = report.section("headline")
    table = RichTable(
        title=f"carrywatch brief as of {report.asof.isoformat()}", title_justify="left"
    )
    table.add_column("metric", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("1w", justify="right", no_wrap=True)
    table.add_column("1m", justify="right", no_wrap=True)
    table.add_column("obs_date", no_wrap=True)
    table.add_column("reading")
    for card in headline.cards:
        value = value_text(card.value, card.unit)
        suffix = unit_suffix(card.unit)
        table.add_row(
            card.label,
            f"{value} {suffix}".strip() if card.value is not None else "—",
            change_text(card.change_1w, card.unit, bp=card.bp_changes),
            change_text(card.change_1m, card.unit, bp=card.bp_changes),
            card.obs_date.isoformat() if card.obs_date else "",
            card.reading,
            style=None if card.value is not None else "red",
        )
    parts: list[RenderableType] = [table]
    missing = report.metrics.missing
    if missing:
        parts.append(
            Text(
                f"{len(missing)} of {len(METRIC_KEYS)} metrics are missing as of "
                f"{report.asof}: their inputs are stale or absent (see brief.json); "
                "`carrywatch refresh` brings the store up to date",
                style="yellow",
            )
        )
    if html is not None:
        parts.append(Text.assemble("page: ", (str(html.resolve()), "bold")))
    return Group(*parts)
