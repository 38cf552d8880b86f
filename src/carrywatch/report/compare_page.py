"""The served app's dates: a date picker on every served brief, two dates side by side, and
the alerts recorded by then.

Only lays out (no store, no network): the server hands in the headline metrics of each date
(:func:`carrywatch.report.metrics.headline_metrics`, the one point-in-time rule) and the
alert events the store recorded (:mod:`carrywatch.store.alert_state`). Every value is
escaped; the pages carry no script, so they work offline and from any proxy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Final

from carrywatch.report.formats import change_text, value_text
from carrywatch.report.metrics import METRIC_KEYS, HeadlineMetrics, Metric
from carrywatch.store.alert_state import FiredEvent

__all__ = ["compare_page", "date_bar"]

_STYLE: Final = (
    "body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b2a3a}"
    "main{max-width:1100px;margin:0 auto;padding:16px}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{padding:4px 8px;border-bottom:1px solid #dde3ea;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}td.d{white-space:nowrap}"
)


def date_bar(asof: date | None, compare_with: date | None = None) -> str:
    """A form bar for the served brief: pick the date (``/?asof=D``) or compare two
    (``/?asof=D1&compare=D2``). ``asof`` None is the default date."""
    shown = asof.isoformat() if asof else ""
    other = compare_with.isoformat() if compare_with else ""
    return (
        '<div class="cw-datebar" style="background:#1b2a3a;color:#fff;padding:6px 16px;'
        'font:13px system-ui,sans-serif">'
        '<form method="get" action="/" style="display:inline">'
        f'<label>as of <input type="date" name="asof" value="{escape(shown)}"></label> '
        '<button type="submit">show</button></form> · '
        '<form method="get" action="/" style="display:inline">'
        f'<input type="hidden" name="asof" value="{escape(shown)}">'
        f'<label>compare with <input type="date" name="compare" value="{escape(other)}"></label> '
        '<button type="submit">compare</button></form> · '
        '<a style="color:#fff" href="/check">check a commentary</a></div>'
    )


def _value(metric: Metric) -> str:
    return escape(value_text(metric.value, metric.unit))


def _change(first: Metric, second: Metric) -> str:
    if first.value is None or second.value is None:
        return "—"
    return escape(change_text(second.value - first.value, first.unit))


def compare_page(
    first: HeadlineMetrics, second: HeadlineMetrics, fired: Sequence[FiredEvent]
) -> str:
    """Every headline metric as of ``first.asof`` and ``second.asof`` with the change
    between them (each value with the observation date it comes from), then the alert
    events recorded for observations up to the later date."""
    d1, d2 = first.asof.isoformat(), second.asof.isoformat()
    rows = []
    for key in METRIC_KEYS:
        a, b = first[key], second[key]
        why = "; ".join(escape(m.reason) for m in (a, b) if m.value is None and m.reason)
        rows.append(
            f"<tr><td>{escape(key)}</td>"
            f'<td class="n">{_value(a)}</td><td class="d">{a.obs_date or ""}</td>'
            f'<td class="n">{_value(b)}</td><td class="d">{b.obs_date or ""}</td>'
            f'<td class="n">{_change(a, b)}</td><td>{why}</td></tr>'
        )
    last = max(first.asof, second.asof)
    shown = [e for e in fired if e.obs_date <= last]
    alerts = (
        "<p>No alert recorded for observations up to "
        f"{last.isoformat()} (<code>carrywatch alerts check</code> records them).</p>"
        if not shown
        else "<table><tr><th>rule</th><th>observation</th><th>value</th><th>message</th>"
        "<th>delivered</th></tr>"
        + "".join(
            f"<tr><td>{escape(e.rule)}</td><td>{e.obs_date}</td>"
            f'<td class="n">{"—" if e.value is None else f"{e.value:,.4g}"}</td>'
            f"<td>{escape(e.message)}</td><td>{escape(e.fired_at)}</td></tr>"
            for e in shown
        )
        + "</table>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>carrywatch: {d1} and {d2}</title><style>{_STYLE}</style></head><body>"
        f"{date_bar(first.asof, second.asof)}<main>"
        f"<h1>Headline metrics as of {d1} and {d2}</h1>"
        f'<p>Full briefs: <a href="/?asof={d1}">{d1}</a> · <a href="/?asof={d2}">{d2}</a>. '
        "Each value is what was published by its date (the one point-in-time rule), with the "
        "observation it comes from.</p>"
        f"<table><tr><th>metric</th><th>{d1}</th><th>obs</th><th>{d2}</th><th>obs</th>"
        "<th>change</th><th>why missing</th></tr>" + "".join(rows) + "</table>"
        f"<h2>Alerts recorded</h2>{alerts}</main></body></html>"
    )
