"""The layering rules of docs ARCHITECTURE.md, enforced by scanning imports with ``ast``.

Every import counts: module level, inside functions and under ``TYPE_CHECKING``, since
a type-only dependency is still a dependency between layers. Also checked here: importing
the package does nothing, the public names are pinned, and the error tree in the
docstring of ``errors.py`` is the tree of classes in that module.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import pytest

import carrywatch
from carrywatch import errors

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "carrywatch"

FOUNDATION = frozenset({"errors", "types", "settings", "frames", "files", "exports", "version"})

#: Which layers each layer may import (its own layer is always allowed).
#: ``catalog``, ``sources``, ``store`` and ``analytics`` see only the foundation;
#: ``snapshot`` is built on the store; the joiners are named in ARCHITECTURE.md.
ALLOWED: Mapping[str, frozenset[str]] = {
    "foundation": frozenset({"foundation"}),
    "catalog": frozenset({"foundation"}),
    "sources": frozenset({"foundation"}),
    "store": frozenset({"foundation"}),
    "analytics": frozenset({"foundation"}),
    "snapshot": frozenset({"foundation", "store"}),
    "ingest": frozenset({"foundation", "catalog", "sources", "store"}),
    # The claim check: a grammar over text and a judge over frames, pure; the catalog gives
    # each series' release lag (the point-in-time rule), analytics the as-of alignment.
    "claims": frozenset({"foundation", "catalog", "analytics"}),
    "report": frozenset({"foundation", "catalog", "store", "analytics", "claims"}),
    # Not drawn in ARCHITECTURE.md: opens the store and seeds it from the snapshot; once
    # per store, reads the market snapshots an earlier version archived (the ingest).
    "workspace": frozenset({"foundation", "catalog", "store", "snapshot", "sources", "ingest"}),
    # Alerts: rules checked on the metrics' history, their state in the store, a webhook
    # posted with the project's HTTP client.
    "alerts": frozenset({"foundation", "catalog", "store", "analytics", "report", "sources"})
    | frozenset({"workspace"}),
    # The Python API: the workspace and the report.
    "api": frozenset({"foundation", "catalog", "store", "analytics", "report", "workspace"}),
    # The thin shell and the package facade call everything ...
    "cli": frozenset({"foundation", "catalog", "sources", "store", "snapshot", "analytics"})
    | frozenset({"ingest", "report", "workspace", "api", "alerts"})
    | frozenset({"claims"}),
    "package": frozenset({"foundation", "workspace", "store", "api"}),
}
#: ... and nothing imports the shell.
NOBODY_IMPORTS = frozenset({"cli"})


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_ours(name: str) -> bool:
    base = SRC.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(text: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module named by an import statement anywhere in ``text``.

    Relative imports are resolved against ``module``; ``from carrywatch import errors``
    counts as an import of ``carrywatch.errors`` when that is a module of ours.
    """
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            submodules = {f"{target}.{a.name}" for a in node.names} if target else set()
            submodules = {name for name in submodules if _is_ours(name)}
            found.update(submodules)
            if len(submodules) < len(node.names):  # some name is an attribute of target
                found.add(target)
    return found


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module name -> the modules it imports, for every file of the package."""
    result: dict[str, frozenset[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = _module_name(path)
        result[name] = frozenset(imports_of(text, name, is_package=path.name == "__init__.py"))
    return result


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "carrywatch":
        raise ValueError(f"{module} is not ours")
    if len(parts) == 1:
        return "package"
    top = parts[1]
    return "foundation" if top in FOUNDATION else top


def violations(edges: Mapping[str, frozenset[str]]) -> list[str]:
    """Every import that crosses the layers against ALLOWED, one line each."""
    found: list[str] = []
    for module, targets in sorted(edges.items()):
        layer = layer_of(module)
        if layer not in ALLOWED:
            found.append(f"{module}: layer {layer!r} is not in the architecture table")
            continue
        for target in sorted(t for t in targets if t.split(".")[0] == "carrywatch"):
            other = layer_of(target)
            if other in NOBODY_IMPORTS and other != layer:
                found.append(f"{module} imports {target}: nothing may import {other}")
            elif other != layer and other not in ALLOWED[layer]:
                found.append(f"{module} ({layer}) imports {target} ({other})")
    return found


def _importers_of(third_party: str) -> set[str]:
    return {
        module
        for module, targets in graph().items()
        if any(t == third_party or t.startswith(f"{third_party}.") for t in targets)
    }


# --- the scanner itself -----------------------------------------------------------------


def test_the_scanner_sees_the_whole_package() -> None:
    edges = graph()
    assert len(edges) >= 20
    assert {"carrywatch", "carrywatch.errors", "carrywatch.sources.http"} <= set(edges)
    assert {"httpx", "carrywatch.errors", "carrywatch.types"} <= edges["carrywatch.sources.http"]
    assert "carrywatch.store.sqlite" in edges["carrywatch.ingest"]


def test_the_scanner_resolves_relative_and_submodule_imports() -> None:
    text = (
        "from ..store import sqlite\n"
        "from . import spec\n"
        "from .events import BojMeeting\n"
        "from carrywatch import errors, open_store\n"
        "import carrywatch.types\n"
        "def f():\n"
        "    import httpx\n"
    )
    found = imports_of(text, "carrywatch.catalog.extra")
    assert found == {
        "carrywatch.store.sqlite",
        "carrywatch.catalog.spec",
        "carrywatch.catalog.events",
        "carrywatch.errors",
        "carrywatch",  # open_store is a name in the package facade, not a module
        "carrywatch.types",
        "httpx",
    }
    assert imports_of("from . import errors", "carrywatch", is_package=True) == {
        "carrywatch.errors"
    }


def test_the_checker_flags_a_crossing() -> None:
    edges = {
        "carrywatch.analytics.carry": frozenset({"carrywatch.store.sqlite", "carrywatch.frames"}),
        "carrywatch.types": frozenset({"carrywatch.settings", "carrywatch.catalog.spec"}),
        "carrywatch.ingest": frozenset({"carrywatch.cli", "carrywatch.sources.http"}),
        "carrywatch.brief": frozenset(),
    }
    assert violations(edges) == [
        "carrywatch.analytics.carry (analytics) imports carrywatch.store.sqlite (store)",
        "carrywatch.brief: layer 'brief' is not in the architecture table",
        "carrywatch.ingest imports carrywatch.cli: nothing may import cli",
        "carrywatch.types (foundation) imports carrywatch.catalog.spec (catalog)",
    ]


# --- the rules --------------------------------------------------------------------------


def test_layers_import_only_what_the_architecture_allows() -> None:
    assert violations(graph()) == []


def test_errors_is_the_root_of_the_foundation() -> None:
    ours = {t for t in graph()["carrywatch.errors"] if t.startswith("carrywatch")}
    assert ours == set()


def test_only_the_http_module_imports_httpx() -> None:
    assert _importers_of("httpx") == {"carrywatch.sources.http"}


def test_only_the_store_imports_sqlite3() -> None:
    importers = _importers_of("sqlite3")
    assert importers, "the store is built on sqlite3: finding no importer means no check"
    assert all(m.startswith("carrywatch.store.") for m in importers), importers


def test_analytics_never_sees_http_or_sql() -> None:
    analytics = {m for m in graph() if m.startswith("carrywatch.analytics")}
    assert "carrywatch.analytics" in analytics
    for banned in ("httpx", "sqlite3"):
        assert not (_importers_of(banned) & analytics), banned


# --- importing the package does nothing -------------------------------------------------

_PROBE = r"""
import json, os, sys

events = []
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

def hook(event, args):
    if event.startswith("socket."):
        events.append(event)
    elif event == "open":
        path, mode, flags = args
        if (isinstance(mode, str) and set(mode) & set("wax+")) or (
            isinstance(flags, int) and flags & WRITE
        ):
            events.append(f"open for writing: {path}")
    elif event in {"os.mkdir", "os.rename", "os.remove", "os.truncate", "subprocess.Popen"}:
        events.append(f"{event}: {args[0]}")

sys.addaudithook(hook)
import carrywatch

print(json.dumps({
    "events": events,
    "modules": sorted(m for m in sys.modules if m.split(".")[0] in {
        "carrywatch", "httpx", "httpcore", "pandas", "numpy", "sqlite3", "_sqlite3",
    }),
}))
"""


def _probe(tmp_path: Path, after_import: str = "") -> tuple[dict[str, list[str]], Path, Path]:
    home = tmp_path / "cw-home"
    home.mkdir()
    xdg = tmp_path / "xdg"
    env = {
        **os.environ,
        "CARRYWATCH_HOME": str(home),
        "XDG_DATA_HOME": str(xdg),
        "XDG_CACHE_HOME": str(xdg),
        "XDG_CONFIG_HOME": str(xdg),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    script = _PROBE.replace("import carrywatch\n", f"import carrywatch\n{after_import}\n")
    done = subprocess.run(
        [sys.executable, "-B", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), home, xdg


def test_importing_carrywatch_does_nothing(tmp_path: Path) -> None:
    probe, home, xdg = _probe(tmp_path)
    # Nothing but the facade and its version constant: no other submodule, no httpx,
    # pandas, numpy or sqlite3.
    assert probe["modules"] == ["carrywatch", "carrywatch.version"]
    # No socket created, no file opened for writing, no directory made.
    assert probe["events"] == []
    assert list(home.iterdir()) == []
    assert not xdg.exists()


def test_the_import_probe_would_notice(tmp_path: Path) -> None:
    # The control: the same probe sees a socket, a write and a heavy import.
    probe, home, _ = _probe(
        tmp_path,
        "import socket, sqlite3\n"
        "socket.socket().close()\n"
        "open(os.path.join(os.environ['CARRYWATCH_HOME'], 'x'), 'w').close()",
    )
    assert "socket.__new__" in probe["events"]
    assert any(e.startswith("open for writing:") and e.endswith("x") for e in probe["events"])
    assert "sqlite3" in probe["modules"]
    assert [p.name for p in home.iterdir()] == ["x"]


# --- public names -----------------------------------------------------------------------


def test_the_package_api_is_pinned() -> None:
    assert carrywatch.__all__ == [
        "Brief",
        "Metrics",
        "Odds",
        "__version__",
        "brief",
        "metrics",
        "odds",
        "open_store",
        "series",
    ]
    assert all(hasattr(carrywatch, name) for name in carrywatch.__all__)
    assert re.fullmatch(r"\d+\.\d+\.\d+", carrywatch.__version__)
    # The installed distribution's version is read from the package (pyproject's dynamic
    # version), so the page's "carrywatch X" and pip agree.
    assert importlib.metadata.version("carrywatch") == carrywatch.__version__


ERROR_NAMES = [
    "AnalyticsError",
    "CarrywatchError",
    "CatalogError",
    "ConfigError",
    "FetchError",
    "InsufficientDataError",
    "OutlierError",
    "ParseError",
    "SourceError",
    "StoreError",
]


def test_the_error_api_is_pinned() -> None:
    assert errors.__all__ == ERROR_NAMES
    assert all(inspect.isclass(getattr(errors, name)) for name in errors.__all__)


def _error_classes() -> dict[str, type[BaseException]]:
    return {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and value.__module__ == errors.__name__
    }


def test_every_error_is_a_carrywatch_error() -> None:
    every_class = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and value.__module__ == errors.__name__
    }
    classes = _error_classes()
    assert every_class == set(classes)
    assert sorted(classes) == ERROR_NAMES
    for name, cls in classes.items():
        assert issubclass(cls, errors.CarrywatchError), name
    assert errors.CarrywatchError.__bases__ == (Exception,)


def _documented_tree() -> dict[str, tuple[str | None, set[str]]]:
    """``{class: (parent, attributes)}`` from the tree drawn in the errors docstring."""
    doc = errors.__doc__ or ""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip().endswith("::")) + 1
    block: list[str] = []
    for line in lines[start:]:
        if not line.strip():
            if block:
                break
            continue
        block.append(line[4:])  # the literal block is indented by four spaces
    tree: dict[str, tuple[str | None, set[str]]] = {}
    stack: list[str] = []
    for line in block:
        match = re.match(r"^((?:[│ ]   |[├└]── )*)([A-Z]\w*)(.*)$", line)
        assert match, f"cannot read tree line {line!r}"
        prefix, name, rest = match.groups()
        depth = len(prefix) // 4
        del stack[depth:]
        tree[name] = (stack[-1] if stack else None, set(re.findall(r"\.(\w+)", rest)))
        stack.append(name)
    return tree


def _attributes_set_in_init(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__ != errors.__name__:
            continue
        tree = ast.parse(inspect.getsource(klass))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                names.add(node.attr)
    return names


def test_the_docstring_tree_is_the_class_tree() -> None:
    tree = _documented_tree()
    classes = _error_classes()
    assert set(tree) == set(classes)
    assert set(tree) == set(errors.__all__)
    for name, (parent, attributes) in tree.items():
        cls = classes[name]
        expected_parent = "Exception" if parent is None else parent
        assert [b.__name__ for b in cls.__bases__] == [expected_parent], name
        # Context travels in attributes: each one the tree names is really set.
        assert attributes <= _attributes_set_in_init(cls), (name, attributes)


def test_the_tree_reader_reads_the_documented_shape() -> None:
    tree = _documented_tree()
    assert tree["CarrywatchError"] == (None, set())
    assert tree["FetchError"] == ("SourceError", {"url", "status"})
    assert tree["InsufficientDataError"] == ("AnalyticsError", {"series"})


@pytest.mark.parametrize("name", ERROR_NAMES)
def test_every_error_has_a_docstring(name: str) -> None:
    doc = getattr(errors, name).__doc__
    assert doc
    assert doc.strip()
