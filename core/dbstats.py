"""Planner statistics on SQLite, refreshed daily, after an import and after the demo data.

PostgreSQL keeps its own (autovacuum analyses tables as they change). SQLite has none until ANALYZE
runs, and without them it guesses. Beside ``deleted_at IS NULL``, the filter of every business
model's default manager, it then walks the deleted_at index, that is every live row, instead of
probing another index once per value of an IN list. ``code IN (5 codes)`` among 100,000 customers took
156 ms that way, 0.3 ms with statistics.

``PRAGMA analysis_limit`` makes ANALYZE read about that many entries of each index rather than all of
them: 0.24 s instead of 1 s for a 330 MB database, with statistics good enough for those choices.
"""

from __future__ import annotations

from django.db import connection

ANALYSIS_LIMIT = 1000


def refresh(tables: list[str] | None = None) -> bool:
    """ANALYZE ``tables`` (every table when None) on SQLite; False, doing nothing, on other databases."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        for table in tables or [None]:
            cursor.execute("ANALYZE" if table is None else f"ANALYZE {connection.ops.quote_name(table)}")
    return True
