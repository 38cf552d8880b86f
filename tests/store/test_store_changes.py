"""The append rule decided over a whole payload at once agrees with the per-series pandas
decision it replaced (kept below as the oracle), on Hypothesis-generated stores and
payloads: revisions, reverts, vintages older than what is held, withdrawals, ties of
``known_from``, several rows of one date in one payload; on SQLite and on a throwaway
PostgreSQL server (tests/helpers/postgres.py).

Values and moments are hypothetical: the rule is about their order and equality, not
their size (real payloads go through the same code in tests/store/test_store.py and
tests/test_refresh_e2e.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carrywatch.store import changes
from carrywatch.store.dialect import Db
from carrywatch.store.incoming import Incoming, normalised
from carrywatch.store.sqlite import Store, iso_utc
from tests.helpers.appends import T0, GeneratedRow, fetch_at, frame_of, generated_rows

# -- the oracle: the append rule as decided up to schema version 3 ----------------------


def _old_changes(db: Db, incoming: pd.DataFrame) -> pd.DataFrame:
    """The incoming rows that change what is known (the append rule), series by series
    through pandas: the code this module's subject replaced, verbatim."""
    if incoming.empty:
        return incoming
    parts = []
    columns = ["obs_date", "known_from", "value", "withdrawn"]
    for series_id, group in incoming.groupby("series_id", sort=False):
        existing = db.execute(
            "SELECT obs_date, known_from, fetch_id, value, withdrawn FROM observations "
            "WHERE series_id = ? AND obs_date BETWEEN ? AND ?",
            (series_id, group["obs_date"].min(), group["obs_date"].max()),
        ).fetchall()
        if not existing:
            ordered = group.sort_values(["obs_date", "known_from"])
            parts.append(ordered[_old_changed(ordered)])
            continue
        old = pd.DataFrame(existing, columns=["obs_date", "known_from", "fetch_id", *columns[2:]])
        old["withdrawn"] = old["withdrawn"].astype(bool)
        old["is_new"] = False
        new = group.drop(columns="series_id").assign(fetch_id=np.iinfo(np.int64).max, is_new=True)
        both = pd.concat([old, new], ignore_index=True).sort_values(
            ["obs_date", "known_from", "is_new", "fetch_id"], kind="stable"
        )
        keep = both["is_new"] & _old_changed(both)
        parts.append(both.loc[keep, columns].assign(series_id=series_id))
    return pd.concat(parts, ignore_index=True) if parts else incoming.iloc[0:0]


def _old_changed(rows: pd.DataFrame) -> pd.Series:
    state = rows["value"].where(~rows["withdrawn"].astype(bool))  # NaN: absent
    previous = state.groupby(rows["obs_date"]).shift()
    return (state != previous) & ~(state.isna() & previous.isna())


def _oracle_had_value(db: Db, fresh: pd.DataFrame) -> list[bool]:
    """Whether each row's date has a stored value row: one lookup per row."""
    return [
        db.execute(
            "SELECT 1 FROM observations WHERE series_id = ? AND obs_date = ? AND withdrawn = 0",
            (sid, day),
        ).fetchone()
        is not None
        for sid, day in zip(fresh["series_id"], fresh["obs_date"], strict=True)
    ]


# -- generated stores and payloads -------------------------------------------------------

_payload = st.lists(generated_rows, min_size=0, max_size=8)


def _frame(rows: Incoming) -> pd.DataFrame:
    """``rows`` as the frame the oracle takes (text dates and moments)."""
    return pd.DataFrame(
        {
            "series_id": rows.series_ids(),
            "obs_date": rows.obs_dates(),
            "known_from": rows.known_from,
            "value": rows.value,
            "withdrawn": rows.withdrawn,
        }
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["series_id", "obs_date", "known_from", "value", "withdrawn"]
    out = frame[columns].sort_values(columns[:3]).reset_index(drop=True)
    text = dict.fromkeys(columns[:3], "str")
    return out.astype({**text, "value": "float64", "withdrawn": "bool"})


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(history=st.lists(_payload, min_size=0, max_size=5), offered=_payload)
def test_the_whole_payload_rule_agrees_with_the_per_series_oracle(
    new_store: Callable[[], Store],
    history: list[list[GeneratedRow]],
    offered: list[GeneratedRow],
) -> None:
    with new_store() as store:
        # Each payload of the history is checked too, against the store as it then was.
        for i, rows in enumerate([*history, offered]):
            at = T0 + timedelta(minutes=i)
            incoming = normalised(frame_of(rows, at), iso_utc(at))
            db = store._db
            expected = _old_changes(db, _frame(incoming))
            keep, had_value = changes.changed_rows(changes.stored_revisions(db, incoming), incoming)
            got = _frame(incoming.take(keep))
            pd.testing.assert_frame_equal(_sorted(got), _sorted(expected))
            assert list(had_value[keep]) == _oracle_had_value(db, got)
            store.append(fetch_at(at), frame_of(rows, at))


def test_an_empty_payload_changes_nothing() -> None:
    empty = pd.DataFrame(columns=["series_id", "obs_date", "known_from", "value", "withdrawn"])
    keep, had_value = changes.changed_rows(
        changes.Revisions.empty(), normalised(empty, iso_utc(T0))
    )
    assert keep.size == 0
    assert had_value.size == 0


def test_a_vintage_older_than_the_held_value_is_compared_with_its_own_predecessor() -> None:
    # Held: 3.8 from 08-10 (fetch 1). Offered: 3.8 known from 08-02 (before it: absent, so
    # stored), and 3.9 from 08-10 12:03 (after 3.8: a revision). The same value again at
    # the held moment sorts after the held row of that moment and repeats it.
    stored = changes.Revisions(
        np.array([0], dtype=np.intp),  # the payload's first (only) series
        np.array([(date(2024, 8, 1) - date(1970, 1, 1)).days], dtype=np.int64),
        np.array(["2024-08-10T12:00:00Z"], dtype=object),
        np.array([1], dtype=np.int64),
        np.array([3.8]),
        np.array([False]),
    )
    offered = pd.DataFrame(
        {
            "series_id": ["us.ust.10y"] * 3,
            "obs_date": ["2024-08-01"] * 3,
            "known_from": ["2024-08-02T00:00:00Z", "2024-08-10T12:00:00Z", "2024-08-10T12:03:00Z"],
            "value": [3.8, 3.8, 3.9],
            "withdrawn": [False, False, False],
        }
    )
    keep, had_value = changes.changed_rows(stored, normalised(offered, iso_utc(T0)))
    assert list(keep) == [True, False, True]
    assert list(had_value) == [True, True, True]
