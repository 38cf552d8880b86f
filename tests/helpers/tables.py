"""Reading rich tables the CLI prints, for assertions on its summaries."""

from __future__ import annotations

from collections.abc import Sequence


def table_rows(stdout: str, columns: Sequence[str]) -> dict[str, dict[str, str]]:
    """A printed table as {first cell: {column: text}}; wrapped cells are joined."""
    rows: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in stdout.splitlines():
        stripped = line.strip()
        if not stripped.startswith("│"):
            continue
        cells = [cell.strip() for cell in stripped.strip("│").split("│")]
        if len(cells) != len(columns):
            continue
        if cells[0]:
            current = cells
            rows[cells[0]] = current
        elif current is not None:
            for i, cell in enumerate(cells):
                if cell:
                    current[i] = f"{current[i]} {cell}".strip()
    return {name: dict(zip(columns, cells, strict=True)) for name, cells in rows.items()}
