"""Hypothesis strategies that damage real payloads, and the parser contract they check.

The contract of every parser: given any bytes, it returns a valid observation frame or
raises ``ParseError`` naming its source. Nothing else may escape.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st

from carrywatch.errors import ParseError
from carrywatch.types import ParsedFrame, RawPayload


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with one to three random edits: truncation, deletion, insertion,
    byte flips, duplicated or dropped lines."""
    body = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "delete", "insert", "flip", "line"]))
        n = len(body)
        if n == 0:
            body.extend(draw(st.binary(min_size=1, max_size=8)))
            continue
        at = draw(st.integers(0, n - 1))
        if kind == "truncate":
            del body[at:]
        elif kind == "delete":
            del body[at : at + draw(st.integers(1, 64))]
        elif kind == "insert":
            body[at:at] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=16),
                    st.sampled_from([b",", b"\n", b'"', b"-", b".", b"null", b"\xff\xfe", b"{"]),
                )
            )
        elif kind == "flip":
            body[at] = draw(st.integers(0, 255))
        else:
            lines = bytes(body).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if draw(st.booleans()):
                lines.insert(i, lines[i])
            else:
                del lines[i]
            body = bytearray(b"\n".join(lines))
    return bytes(body)


def check_parse_contract(
    parse: Callable[[RawPayload], ParsedFrame], payload: RawPayload, source: str
) -> None:
    """Assert the parser contract on one (possibly damaged) payload."""
    error: ParseError | None = None
    try:
        frame = parse(payload)
    except ParseError as exc:
        error = exc
    if error is not None:
        assert error.source == source
        assert str(error).startswith(f"{source}: ")
        return
    rows = frame.rows
    assert frame.source == source
    assert list(rows.columns[:3]) == ["remote_code", "obs_date", "value"]
    # A value is never NaN, except on a withdrawal (the explicit flag; carrywatch.frames).
    present = rows["value"]
    if "withdrawn" in rows.columns:
        assert "known_from" in rows.columns
        assert rows["value"].isna().equals(rows["withdrawn"])
        present = rows.loc[~rows["withdrawn"], "value"]
    assert present.notna().all()
    assert np.isfinite(present.to_numpy(dtype="float64")).all()
    key = [c for c in ("remote_code", "obs_date", "known_from") if c in rows.columns]
    assert not rows.duplicated(key).any()
