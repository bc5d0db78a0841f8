"""Each scenario: a real request through the views (and so the gate), and the same rows fetched in raw
SQL — the floor no ORM, template or permission layer can beat."""

import json
import statistics
import time
from urllib.parse import quote

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from customers.models import Customer


def _time(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.95) - 1, 0)]


def _sql(sql: str, params) -> callable:
    def run():
        with connection.cursor() as cursor:
            for statement, args in zip(sql.split(";\n"), params, strict=True):
                cursor.execute(statement, args)
                cursor.fetchall()
    return run


def _request(client: Client, url: str):
    def run():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, (url, response.status_code)
    return run


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


COLUMNS = "c.id, c.name, c.code, c.status, c.phone, c.owner_id, c.last_followup_at, c.created_at"
OWN = "c.deleted_at IS NULL AND (c.owner_id = %s OR c.created_by_id = %s)"
SUBTREE = "c.deleted_at IS NULL AND d.path LIKE %s"


def run_all(world, repeat: int = 30):
    seller, manager = world["sellers"][0], world["manager"]
    as_seller, as_manager = Client(), Client()
    as_seller.force_login(seller)
    as_manager.force_login(manager)
    subtree = manager.department.path + "%"
    deep_page = max(Customer.objects.filter(owner=seller).count() // 20 - 1, 1)
    status_filter = quote(json.dumps({"op": "and", "rules": [{"field": "status", "operator": "eq", "value": "deal"}]}))
    customer = Customer.objects.filter(owner=seller).order_by("id").first()
    join = "customers_customer c JOIN org_department d ON d.id = c.department_id"
    cases = [
        ("list page 1, own scope (with total)", _request(as_seller, "/customers/customer/"),
         _sql(f"SELECT {COLUMNS} FROM customers_customer c WHERE {OWN} ORDER BY c.id DESC LIMIT 20;\n"
              f"SELECT COUNT(*) FROM customers_customer c WHERE {OWN}", [[seller.pk] * 2, [seller.pk] * 2])),
        ("list page 1, subtree, status filter, by last follow-up", _request(as_manager, f"/customers/customer/?f={status_filter}&sort=-last_followup_at"),
         _sql(f"SELECT {COLUMNS} FROM {join} WHERE {SUBTREE} AND c.status = 'deal' ORDER BY c.last_followup_at DESC, c.id DESC LIMIT 20;\n"
              f"SELECT COUNT(*) FROM {join} WHERE {SUBTREE} AND c.status = 'deal'", [[subtree], [subtree]])),
        (f"list deep page {deep_page}, own scope", _request(as_seller, f"/customers/customer/?page={deep_page}"),
         _sql(f"SELECT {COLUMNS} FROM customers_customer c WHERE {OWN} ORDER BY c.id DESC LIMIT 20 OFFSET {(deep_page - 1) * 20};\n"
              f"SELECT COUNT(*) FROM customers_customer c WHERE {OWN}", [[seller.pk] * 2, [seller.pk] * 2])),
        ("search name fragment '科技', subtree", _request(as_manager, "/customers/customer/?q=" + quote("科技")),
         _sql(f"SELECT {COLUMNS} FROM {join} WHERE {SUBTREE} AND c.search_text LIKE %s ORDER BY c.id DESC LIMIT 20;\n"
              f"SELECT COUNT(*) FROM {join} WHERE {SUBTREE} AND c.search_text LIKE %s", [[subtree, "%科技%"], [subtree, "%科技%"]])),
        ("search pinyin initials 'bj', subtree", _request(as_manager, "/customers/customer/?q=bj"),
         _sql(f"SELECT {COLUMNS} FROM {join} WHERE {SUBTREE} AND c.search_text LIKE %s ORDER BY c.id DESC LIMIT 20;\n"
              f"SELECT COUNT(*) FROM {join} WHERE {SUBTREE} AND c.search_text LIKE %s", [[subtree, "%bj%"], [subtree, "%bj%"]])),
        ("API GET /api/v1/customers/ (50 rows), subtree", _request(as_manager, "/api/v1/customers/?page_size=50"),
         _sql(f"SELECT c.* FROM {join} WHERE {SUBTREE} ORDER BY c.id DESC LIMIT 50;\n"
              f"SELECT COUNT(*) FROM {join} WHERE {SUBTREE}", [[subtree], [subtree]])),
        ("customer 360 page", _request(as_seller, f"/customers/customer/{customer.pk}/360/"),
         _sql("SELECT * FROM customers_customer WHERE id = %s;\n"
              "SELECT COUNT(*) FROM customers_contact WHERE customer_id = %s AND deleted_at IS NULL;\n"
              "SELECT COUNT(*), MAX(occurred_at) FROM customers_followup WHERE customer_id = %s AND deleted_at IS NULL",
              [[customer.pk], [customer.pk], [customer.pk]])),
    ]
    for name, page, floor in cases:
        median, p95 = _time(page, repeat)
        floor_median, _p = _time(floor, repeat)
        yield {"name": name, "median": median, "p95": p95, "queries": _queries(page), "floor": floor_median,
               "ratio": median / floor_median if floor_median else float("nan")}
