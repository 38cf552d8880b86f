"""``python -m carrywatch.cli``: the same as the ``carrywatch`` console script."""

from carrywatch.cli import run

run()
