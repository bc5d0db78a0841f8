"""Each scenario: a real request through the views (and so the gate), next to the same work done in raw
SQL in the same run — the floor no ORM, template or permission layer can beat — and the target it has.

The floors do what the page does: the rows of the page and its total, counted the way the page counts
(on PostgreSQL exactly up to core.lists.paging.EXACT_LIMIT, then the planner's estimate; SQLite exactly).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from contextlib import contextmanager
from urllib.parse import quote

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from core.lists.paging import EXACT_LIMIT, SortKeys
from customers.models import Customer


def _time(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.95 + 0.5) - 1, 0)]


@contextmanager
def serial_plans():
    """PostgreSQL statements run without parallel workers inside the block (a no-op elsewhere)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")


def floor_time(floor, repeat: int) -> tuple[float, bool]:
    """(median ms, run serially) of a floor: the faster of PostgreSQL's plans with and without parallel
    workers. The planner misjudges how many rows a LIMIT must read before it stops (a bounded count of
    the manager's customers: 14 ms with two workers, 3 ms without), and the floor is the best the raw
    SQL can do, not the plan it happens to get. Reports that scan the whole table run faster in
    parallel and keep that plan."""
    median, _p95 = _time(floor, repeat)
    if connection.vendor != "postgresql":
        return median, False
    with serial_plans():
        serial, _p95 = _time(floor, repeat)
    return (serial, True) if serial < median else (median, False)


def _sql(*statements) -> callable:
    """Raw SQL run in order; a statement's "{count}" is replaced by how the page counts its total."""
    def run():
        with connection.cursor() as cursor:
            for sql, args in statements:
                if sql.startswith("COUNT "):
                    count_like_the_page(cursor, sql.removeprefix("COUNT "), args)
                else:
                    cursor.execute(sql, args)
                    cursor.fetchall()
    return run


def count_like_the_page(cursor, where_sql: str, args) -> int:
    """The total, counted like the page: exactly on SQLite; on PostgreSQL a bounded exact count and past
    EXACT_LIMIT the planner's estimate."""
    if connection.vendor != "postgresql":
        cursor.execute(f"SELECT COUNT(*) {where_sql}", args)
        return cursor.fetchone()[0]
    cursor.execute(f"SELECT COUNT(*) FROM (SELECT c.id {where_sql} LIMIT {EXACT_LIMIT + 1}) t", args)
    exact = cursor.fetchone()[0]
    if exact <= EXACT_LIMIT:
        return exact
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT c.id {where_sql}", args)
    plan = cursor.fetchone()[0]
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def _request(client: Client, url: str):
    def run():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, (url, response.status_code)
    return run


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    # Transaction control is not a query the page asked for.
    return len([q for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")])


COLUMNS = ("c.id, c.name, c.code, c.status, c.phone, c.owner_id, c.department_id, c.level_id, "
           "c.last_followup_at, c.created_at, c.amount")
LIVE = "c.deleted_at IS NULL"


def _filter(*rules) -> str:
    return quote(json.dumps({"op": "and", "rules": [
        {"field": f, "operator": "eq", "value": v} for f, v in rules]}))


def cases(world) -> list[dict]:
    seller, manager, level = world["sellers"][0], world["manager"], world["levels"][0]
    as_seller, as_manager = Client(), Client()
    as_seller.force_login(seller)
    as_manager.force_login(manager)
    subtree = manager.department.path + "%"
    dept = "JOIN org_department d ON d.id = c.department_id"
    scope = f"FROM customers_customer c {dept} WHERE {LIVE} AND d.path LIKE %s"
    own = f"FROM customers_customer c WHERE {LIVE} AND (c.owner_id = %s OR c.created_by_id = %s)"
    # Page 5000 needs 100,000 rows; a smaller data set goes half way through its pages instead.
    deep = 5000 if world["customers"] >= 100_000 else max(2, world["customers"] // 40)
    cursor_row = Customer.objects.order_by("-id").only("id")[(deep - 1) * 20 - 1:(deep - 1) * 20].get()
    cursor = SortKeys.of(Customer.objects.order_by("-id")).encode(cursor_row)
    sample = Customer.objects.filter(owner=seller).order_by("id").first()
    name_frag = sample.name[2:5]          # brand and trade, e.g. 华盛电
    initials = sample.search_text.split("|")[2][:4]   # pinyin initials of city and brand, e.g. bjhs
    phone_frag = sample.phone[3:10]
    out = [
        {"name": "list p1, manager (all rows), total", "url": "/customers/customer/", "client": as_manager,
         "floor": _sql((f"SELECT {COLUMNS} {scope} ORDER BY c.id DESC LIMIT 20", [subtree]), (f"COUNT {scope}", [subtree])),
         "targets": {"p95": 100, "ratio": 2, "queries": 15}},
        {"name": "list p1, seller (own rows), total", "url": "/customers/customer/", "client": as_seller,
         "floor": _sql((f"SELECT {COLUMNS} {own} ORDER BY c.id DESC LIMIT 20", [seller.pk] * 2),
                       (f"COUNT {own}", [seller.pk] * 2)),
         "targets": {"p95": 100, "ratio": 2, "queries": 15}},
        {"name": "list owner+level, by last follow-up", "client": as_manager,
         "url": f"/customers/customer/?f={_filter(('owner', seller.pk), ('level', level.pk))}&sort=-last_followup_at",
         "floor": _sql((f"SELECT {COLUMNS} {scope} AND c.owner_id = %s AND c.level_id = %s "
                        "ORDER BY c.last_followup_at DESC NULLS LAST, c.id DESC LIMIT 20", [subtree, seller.pk, level.pk]),
                       (f"COUNT {scope} AND c.owner_id = %s AND c.level_id = %s", [subtree, seller.pk, level.pk])),
         "targets": {"ratio": 2}},
        {"name": f"list deep page {deep} (cursor), manager", "client": as_manager,
         "url": f"/customers/customer/?after={cursor}&page={deep}",
         "floor": _sql((f"SELECT {COLUMNS} {scope} AND c.id < %s ORDER BY c.id DESC LIMIT 20", [subtree, cursor_row.pk]),
                       (f"COUNT {scope}", [subtree])),
         "targets": {"vs_p1": 1.5}},
    ]
    for label, term, like in (("name fragment", name_frag, name_frag), ("pinyin initials", initials, initials),
                              ("phone", phone_frag, phone_frag)):
        cond = "(c.search_text LIKE %s OR c.contact_search LIKE %s)"
        args = [f"%{like}%"] * 2
        if label == "phone":
            cond = "(c.search_text LIKE %s OR c.contact_search LIKE %s OR c.phone_norm LIKE %s OR c.contact_search LIKE %s)"
            args = [f"%{like}%"] * 4
        if connection.vendor == "sqlite":
            cols = "{search_text contact_search}" if label != "phone" else "{search_text contact_search phone_norm}"
            cond = "c.id IN (SELECT rowid FROM customers_customer_fts WHERE customers_customer_fts MATCH %s)"
            args = [f'{cols} : "{like}"']
        out.append({
            "name": f"search {label} '{term}', manager", "client": as_manager, "url": "/customers/customer/?q=" + quote(term),
            "floor": _sql((f"SELECT {COLUMNS} {scope} AND {cond} ORDER BY c.id DESC LIMIT 20", [subtree, *args]),
                          (f"COUNT {scope} AND {cond}", [subtree, *args])),
            "targets": {"ratio": 3}})
    # The session and the user, read as every signed-in page reads them: the floor of the pages below
    # that show no business rows.
    signed_in = _sql(("SELECT session_data FROM django_session WHERE session_key = %s",
                      [as_manager.cookies["sessionid"].value]),
                     ("SELECT u.*, d.* FROM org_user u LEFT JOIN org_department d ON d.id = u.department_id "
                      "WHERE u.id = %s", [manager.pk]))
    out += [
        {"name": "customer 360 page, seller", "client": as_seller, "url": f"/customers/customer/{sample.pk}/360/",
         "floor": _sql(("SELECT * FROM customers_customer WHERE id = %s", [sample.pk]),
                       ("SELECT COUNT(*) FROM customers_contact WHERE customer_id = %s AND deleted_at IS NULL", [sample.pk]),
                       ("SELECT * FROM customers_followup WHERE customer_id = %s AND deleted_at IS NULL "
                        "ORDER BY occurred_at DESC, id DESC LIMIT 20", [sample.pk])),
         "targets": {"p95": 100}},
        {"name": "API GET /api/v1/customers/ 50 rows, manager", "client": as_manager,
         "url": "/api/v1/customers/?page_size=50", "floor": api_floor(world), "targets": {}},
        # No target: what a page of the same shell costs with no business rows at all (the profile
        # page: session, user, roles, menu, header). A list page cannot come in under it.
        {"name": "page shell alone (profile page), manager", "client": as_manager, "url": "/org/profile/",
         "floor": signed_in, "targets": {}},
        # No target: Django's own cost here, under every page (bench/urls.py): a signed-in request
        # through the project's middleware that answers a few bytes, and the page shell with nothing in it.
        {"name": "Django alone (signed-in, no page)", "client": as_manager, "url": "/bench/signed-in/",
         "floor": signed_in, "targets": {}},
        {"name": "Django page shell (base.html, empty)", "client": as_manager, "url": "/bench/shell/",
         "floor": signed_in, "targets": {}},
    ]
    return out


def api_statements() -> tuple[str, str]:
    """(the rows' SQL, the total's FROM … WHERE) of GET /api/v1/customers/?page_size=50 for a manager
    whose scope is a department subtree (one argument: the subtree's path + "%")."""
    scope = ("FROM customers_customer c JOIN org_department d ON d.id = c.department_id "
             f"WHERE {LIVE} AND d.path LIKE %s")
    return f"SELECT c.* {scope} ORDER BY c.id DESC LIMIT 50", scope


def api_floor(world) -> callable:
    """The raw SQL of GET /api/v1/customers/?page_size=50 for the manager: the page's 50 rows and its
    total, counted the way the API counts (also run under load by bench/api_load.py)."""
    rows_sql, scope = api_statements()
    subtree = world["manager"].department.path + "%"
    return _sql((rows_sql, [subtree]), (f"COUNT {scope}", [subtree]))


def chosen(items: list[dict]) -> list[dict]:
    """BENCH_ONLY=text[,text…] keeps the scenarios whose name contains one of them (a quick re-run)."""
    only = os.environ.get("BENCH_ONLY", "").split(",")
    return [item for item in items if any(text in item["name"] for text in only)]


def run_all(world, repeat: int = 30):
    with override_settings(ROOT_URLCONF="bench.urls"):  # the project's pages and the benchmark's own two
        yield from _run_all(world, repeat)


def _run_all(world, repeat: int):
    page1 = None
    for case in chosen(cases(world)):
        page = _request(case["client"], case["url"])
        median, p95 = _time(page, repeat)
        floor_median, _serial = floor_time(case["floor"], repeat)
        row = {"name": case["name"], "median": median, "p95": p95, "queries": _queries(page), "floor": floor_median,
               "ratio": median / floor_median if floor_median else float("nan")}
        if page1 is None:
            page1 = row
        row["verdict"] = _verdict(row, case["targets"], page1)
        yield row


def _verdict(row: dict, targets: dict, page1: dict) -> str:
    """Each target as "name≤limit ok/MISS"; empty when the scenario has none on this database."""
    checks = []
    if connection.vendor == "postgresql":
        if "p95" in targets:
            checks.append((f"p95≤{targets['p95']}", row["p95"] <= targets["p95"]))
        if "ratio" in targets:
            checks.append((f"ratio≤{targets['ratio']}", row["ratio"] <= targets["ratio"]))
        if "queries" in targets:
            checks.append((f"queries≤{targets['queries']}", row["queries"] <= targets["queries"]))
        if "vs_p1" in targets:
            checks.append((f"≤{targets['vs_p1']}×p1 ({row['median'] / page1['median']:.2f})",
                           row["median"] <= targets["vs_p1"] * page1["median"]))
    elif "ratio" in targets or "queries" in targets:
        checks.append(("ratio≤3", row["ratio"] <= 3))
    return " ".join(f"{name} {'ok' if ok else 'MISS'}" for name, ok in checks)
