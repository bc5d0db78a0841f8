"""The first N rows of each group — the newest cards of every kanban column — in one statement.

``first_per_group(qs, "stage_id", [3, 4, 7], 20)`` gives, for each key, the first 20 rows of
``qs.filter(stage_id=key)`` in the queryset's own order, as the dicts of ``qs.values()``. The queryset
is whatever the caller got from the access gate, so the gate alone decides which rows exist.

On PostgreSQL that is one ``CROSS JOIN LATERAL``: the queryset is compiled once with the group column
tied to the outer key, and each key is one short index seek inside the same statement — a seventh of
the compiling and round trips of a query per key. Elsewhere (SQLite: no LATERAL, and no round trips
to save) it is one query per key.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

OUTER = "zg_topn_key"


def first_per_group(qs: QuerySet, field: str, keys: list, n: int) -> dict:
    """{key: [row, …]} for every integer key (an empty list where no row matches). ``qs`` must be
    ordered and made of ``values()`` that include ``field``, of columns the database driver returns as
    they are (numbers, text, booleans, dates — no JSON or other fields with converters)."""
    found = {key: [] for key in keys}
    if not keys or n <= 0:
        return found
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        for key in keys:
            found[key] = list(qs.filter(**{field: key})[:n])
        return found
    inner = qs.filter(**{field: RawSQL(f"{OUTER}.key", ())})[:n]
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT zg_rows.* FROM unnest(%s::bigint[]) AS {OUTER}(key) CROSS JOIN LATERAL ({sql}) zg_rows",
                       [list(keys), *params])
        names = [col.name for col in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            found[row[field]].append(row)
    return found
