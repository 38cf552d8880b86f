"""The one reader of users' CSV files (``import``, ``odds fed --futures``, ``odds boj
--path``): its limits, and a fuzz of every command that reads one. Whatever the file, the
command exits 0, or 1 with one line saying what is wrong; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carrywatch import files
from carrywatch.cli import main
from carrywatch.errors import ConfigError
from carrywatch.files import read_user_file, user_csv_rows


def test_rows_keep_their_line_numbers_and_drop_blanks_and_comments() -> None:
    body = b"\xef\xbb\xbftenor;rate\n\n# OIS of the day\n 1M ; 0.5 \n3M;0.6\n"
    assert user_csv_rows(body, what="--path ois.csv") == [
        (1, ["tenor", "rate"]),
        (4, ["1M", "0.5"]),
        (5, ["3M", "0.6"]),
    ]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"tenor,rate\n1M," + b"9" * 300 + b"\n", "line 2 has a field of 300 characters"),
        (b"tenor,rate\n1M," + b"9" * 131_073 + b"\n", "more than 131,072 characters"),
        (b"tenor,rate\n1M,0.5\xff\n", "not UTF-8 text"),
        (b"tenor,rate\n1M,0.5\x00\n", "NUL byte"),
    ],
)
def test_bad_files_give_one_line(body: bytes, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as caught:
        user_csv_rows(body, what="--path ois.csv")
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("--path ois.csv: ")


def test_the_row_and_size_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "USER_CSV_MAX_ROWS", 3)
    assert len(user_csv_rows(b"a\nb\nc\n", what="f")) == 3
    with pytest.raises(ConfigError, match="more than 3 rows"):
        user_csv_rows(b"a\nb\nc\nd\n", what="f")
    monkeypatch.setattr(files, "USER_CSV_MAX_BYTES", 10)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 11)
    with pytest.raises(ConfigError, match=r"big\.csv is larger than"):
        read_user_file(big, what="import")
    # An endless file is refused after reading one byte more than the limit.
    with pytest.raises(ConfigError, match="zero is larger than"):
        read_user_file(Path("/dev/zero"), what="import")
    with pytest.raises(ConfigError, match=r"cannot read missing\.csv"):
        read_user_file(tmp_path / "missing.csv", what="import")


_TOKENS = st.sampled_from(
    [
        "contract", "settle", "tenor", "rate", "start", "end", "date", "ON", "1W", "3M", "1Y",
        "99999999999W", "999999W", "0W", "ZQU2", "ZQK3", "2023-05", "ZQA23", "2025-01-24",
        "2025-13-01", "0001-01-01", "9999-12-31", "97.4475", "0.5", "-0.75", "1e308", "nan",
        "inf", "-inf", "", " ", '"', "'", ";", "\t", "\u00e9", "x" * 300, "9" * 131_073,
    ]
)  # fmt: skip
_CSV = st.lists(st.lists(_TOKENS, min_size=1, max_size=4), min_size=0, max_size=6).map(
    lambda rows: "\n".join(",".join(r) for r in rows).encode()
)
_COMMANDS = {
    "futures": ["odds", "fed", "--asof", "2022-09-12", "--futures"],
    "path-boj": ["odds", "boj", "--asof", "2025-01-06", "--path"],
    "path-fed": ["odds", "fed", "--asof", "2022-09-12", "--target-range", "2.25,2.5", "--path"],
    "import": ["import", "--series", "jp.boj.call_rate"],
}


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=st.sampled_from(sorted(_COMMANDS)), body=st.one_of(_CSV, st.binary(max_size=200)))
def test_any_file_gives_odds_or_one_line_never_a_traceback(
    seeded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    command: str,
    body: bytes,
) -> None:
    code, out, err = _run(seeded, tmp_path, monkeypatch, capsys, command=command, body=body)
    assert "Traceback" not in err + out
    assert code in (0, 1), err
    if code == 1:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("error: ")


@pytest.mark.parametrize(
    ("command", "body", "words"),
    [
        # The two crashes of issue 11: csv's field limit, and a tenor that overflowed.
        ("futures", b"contract,settle\nZQU2," + b"9" * 131_073 + b"\n", "131,072 characters"),
        ("path-boj", b"tenor,rate\n99999999999W,0.5\n", "is not a tenor"),
        ("path-boj", b"tenor,rate\n999999W,0.5\n", "from 1D to 50Y"),
        ("import", b"date,call_rate\n2024-01-01," + b"9" * 300 + b"\n", "300 characters"),
    ],
)
def test_the_known_crashes_are_one_line(
    seeded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    command: str,
    body: bytes,
    words: str,
) -> None:
    code, _, err = _run(seeded, tmp_path, monkeypatch, capsys, command=command, body=body)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert words in err


def _run(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    command: str,
    body: bytes,
) -> tuple[int, str, str]:
    """Run ``command`` on a file of ``body`` against ``home``, stderr at 80 columns."""
    monkeypatch.setenv("CARRYWATCH_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "80")
    path = tmp_path / "user.csv"
    path.write_bytes(body)
    code = main([*_COMMANDS[command], str(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
