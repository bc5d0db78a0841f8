"""SQLite's planner statistics (core.dbstats): kept by a daily job and refreshed after imports."""

from __future__ import annotations

import pytest
from django.db import connection

from core import dbstats
from core.periodic import registered
from core.testing import make_user
from customers.models import Customer

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def test_with_statistics_sqlite_probes_the_key_index_not_every_live_row():
    if connection.vendor != "sqlite":
        assert dbstats.refresh() is False  # PostgreSQL keeps its own
        return
    owner = make_user("stats")
    Customer.objects.bulk_create([Customer(name=f"统计客户{i}", code=f"ST{i:04d}", owner=owner) for i in range(300)])
    lookup = Customer.objects.filter(code__in=["ST0001", "ST0002", "ST0003"])
    assert "deleted_at" in _plan(lookup)  # without statistics: every live row, through the deleted_at index
    assert dbstats.refresh() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'customers_customer'")
        assert cursor.fetchone()[0] > 0
    plan = _plan(lookup)
    assert "customer_code_idx" in plan and "deleted_at" not in plan
    assert sorted(lookup.values_list("code", flat=True)) == ["ST0001", "ST0002", "ST0003"]


def test_the_refresh_is_a_daily_job():
    import core.tasks  # noqa: F401  (the worker imports every app's tasks module)

    job = registered()["sqlite_statistics"]
    assert job.daily_at is not None and job.func.__module__ == "core.tasks"
