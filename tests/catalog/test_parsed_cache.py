"""The catalog's parsed TOML kept between runs: used only for the same bytes, ignored when
corrupt or planted, never needed (docs/decisions/0019-cold-brief-catalog-cache.md)."""

from __future__ import annotations

import os
import pickle
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from carrywatch.catalog.parsed_cache import CACHE_FILE, parsed_documents
from carrywatch.errors import CatalogError

NAMES = ("events.toml", "releases.toml", "series.toml")


def _packaged() -> dict[str, str]:
    folder = resources.files("carrywatch.catalog")
    return {name: folder.joinpath(name).read_text("utf-8") for name in NAMES}


def _parsed(texts: dict[str, str]) -> dict[str, dict[str, object]]:
    return {name: tomllib.loads(text) for name, text in texts.items()}


def test_the_cached_documents_are_what_tomllib_parses(tmp_path: Path) -> None:
    texts = _packaged()
    expected = _parsed(texts)
    assert parsed_documents(texts, tmp_path) == expected  # parsed, then kept
    assert (tmp_path / CACHE_FILE).is_file()
    stamp = (tmp_path / CACHE_FILE).stat().st_mtime_ns
    assert parsed_documents(texts, tmp_path) == expected  # taken from the cache
    assert (tmp_path / CACHE_FILE).stat().st_mtime_ns == stamp  # not rewritten


def test_a_changed_file_is_parsed_again_never_taken_from_the_cache(tmp_path: Path) -> None:
    texts = _packaged()
    parsed_documents(texts, tmp_path)
    # One value changed, same length: the key is the content's hash, not a size or a time.
    changed = {**texts, "series.toml": texts["series.toml"].replace("us.ust.10y", "us.ust.1Oy", 1)}
    assert len(changed["series.toml"]) == len(texts["series.toml"])
    documents = parsed_documents(changed, tmp_path)
    assert documents == _parsed(changed)
    assert documents != _parsed(texts)
    # And back: the cache now holds the changed files, so the original is parsed again.
    assert parsed_documents(texts, tmp_path) == _parsed(texts)


class _Planted:
    """A pickle that would run a command when loaded by an unrestricted unpickler."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch planted-ran",))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not a pickle at all",
        b"\x80\x05\x95",  # a pickle cut off
        pickle.dumps(("some other key", {})),
        pickle.dumps([1, 2, 3]),
    ],
    ids=["empty", "garbage", "cut-off", "other-key", "other-shape"],
)
def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path, body: bytes) -> None:
    texts = _packaged()
    (tmp_path / CACHE_FILE).write_bytes(body)
    assert parsed_documents(texts, tmp_path) == _parsed(texts)
    # Rebuilt: the next read comes from a good file (whose key matches).
    key, kept = pickle.loads((tmp_path / CACHE_FILE).read_bytes())  # our own file
    assert kept == _parsed(texts)
    assert isinstance(key, str)
    assert len(key) == 64


def test_a_planted_pickle_runs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    texts = _packaged()
    (tmp_path / CACHE_FILE).write_bytes(pickle.dumps(_Planted()))
    assert parsed_documents(texts, tmp_path) == _parsed(texts)
    assert not (tmp_path / "planted-ran").exists()


def test_an_unwritable_cache_folder_only_means_parsing(tmp_path: Path) -> None:
    texts = _packaged()
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    assert parsed_documents(texts, blocked / "catalog") == _parsed(texts)
    assert parsed_documents(texts, None) == _parsed(texts)


def test_a_malformed_catalog_file_is_named(tmp_path: Path) -> None:
    texts = {**_packaged(), "events.toml": "[[fomc]\ndate = 2024-01-31\n"}
    with pytest.raises(CatalogError, match=r"catalog file events\.toml cannot be read"):
        parsed_documents(texts, tmp_path)
    assert not (tmp_path / CACHE_FILE).exists()  # nothing kept from a failed parse
