"""The ceiling of a Python web server on this machine for GET /api/v1/customers/?page_size=50.

A bare WSGI callable, served by the same gunicorn workers and loaded by the same wrk clients as the
real API (bench/api_load.py, BENCH_API_CEILING=1): it runs the floor's raw SQL
(bench.scenarios.api_statements: the manager's 50 newest customers and their total, counted the way
the API counts, with the plan the floor found faster) and writes the rows as JSON with orjson. No
middleware, no session or token, no gate, no ORM, no serializer: only the HTTP round trip, the
statements and the JSON. What it reaches is the most requests per second any Python application can
serve for this page here; the API cannot pass it.

    gunicorn bench.api_ceiling:application  (BENCH_CEILING_SUBTREE: the manager's department path + "%")
"""

from __future__ import annotations

import os

import orjson

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")

_ready = False


def _start() -> None:
    """Django's settings and database, once per worker. The connection stays open for the worker's
    life (a bare WSGI app closes nothing), so a setting made on it here holds for every request."""
    import django
    from django.db import connection

    django.setup()
    if os.environ.get("BENCH_CEILING_SERIAL"):  # the floor found the plan without parallel workers faster
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")


def _rows(subtree: str) -> bytes:
    from django.db import connection

    from bench.scenarios import api_statements, count_like_the_page

    rows_sql, count_where = api_statements()
    with connection.cursor() as cursor:
        cursor.execute(rows_sql, [subtree])
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        total = count_like_the_page(cursor, count_where, [subtree])
    return orjson.dumps({"count": total, "results": rows}, default=str)


def application(environ, start_response):
    global _ready
    if not _ready:
        _start()
        _ready = True
    body = _rows(os.environ["BENCH_CEILING_SUBTREE"])
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
