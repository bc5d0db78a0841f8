"""Top N: exact rankings per measure and grouping, limit, gate, Excel, API, bad input."""

import io
from decimal import Decimal as D

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from core.models import AuditLog
from reports.top import build_top, read_top_query

from .pipeline_world import build

pytestmark = pytest.mark.django_db
URL, API = "/reports/top/", "/api/v1/reports/top/"
YEAR = {"period": "year", "year": "2026"}


@pytest.fixture
def world():
    return build()


def top(user, **params):
    query = QueryDict(mutable=True)
    query.update({**YEAR, **params})
    return [(r.label, r.value) for r in build_top(user, read_top_query(user, query)).rows]


def test_contract_amount_and_count_by_owner(world):
    # Drafts, cancelled contracts and one signed on 2025-12-31 do not count.
    assert top(world.boss, measure="contract_amount") == [("王安", D("150000.00")), ("李博", D("120000.00")),
                                                          ("赵成", D("80000.00"))]
    # Equal counts keep a stable order (by id).
    assert top(world.boss, measure="contract_count") == [("王安", 2), ("李博", 1), ("赵成", 1)]


def test_by_customer_with_limit(world):
    assert top(world.boss, measure="contract_amount", by="customer", limit="2") == [
        ("江南纺织", D("120000.00")), ("明远机械", D("100000.00"))]


def test_by_product_sums_lines_and_counts_contracts(world):
    assert top(world.boss, measure="contract_amount", by="product") == [
        ("P-1 数控机床", D("190000.00")), ("P-2 伺服电机", D("160000.00"))]
    assert top(world.boss, measure="contract_count", by="product") == [("P-1 数控机床", 3), ("P-2 伺服电机", 2)]


def test_receipts_belong_to_the_receivable_owner(world):
    # 2025 receipts and those of a receivable in the recycle bin are left out.
    assert top(world.boss, measure="receipts") == [("王安", D("60000.00")), ("赵成", D("20000.00"))]
    assert top(world.boss, measure="receipts", by="customer") == [("明远机械", D("60000.00")), ("天府软件", D("20000.00"))]
    assert top(world.boss, measure="receipts", period="quarter", quarter="1") == [("王安", D("60000.00"))]


def test_opportunity_amount_and_new_customers(world):
    assert top(world.boss, measure="opportunity_amount") == [("王安", D("65000.00")), ("李博", D("20000.00")),
                                                             ("赵成", D("6000.00"))]
    assert top(world.boss, measure="new_customers") == [("王安", 2), ("李博", 1)]  # 天府软件 came in 2025


def test_gate_salesperson_and_manager(world):
    assert top(world.a, measure="contract_amount") == [("王安", D("150000.00"))]
    assert top(world.a, measure="receipts", by="customer") == [("明远机械", D("60000.00"))]
    assert top(world.a, measure="contract_amount", owner=str(world.c.pk)) == []
    assert top(world.manager, measure="contract_amount") == [("王安", D("150000.00")), ("李博", D("120000.00"))]
    assert top(world.manager, measure="contract_amount", department=str(world.east1.pk)) == [("李博", D("120000.00"))]
    assert top(world.manager, measure="receipts", department=str(world.west.pk)) == []


def test_page_shows_bar_chart_and_table(world, client, django_assert_max_num_queries):
    client.force_login(world.manager)
    client.get(URL, YEAR)
    with django_assert_max_num_queries(13):
        response = client.get(URL, {**YEAR, "measure": "contract_amount"})
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart["type"] == "bar" and [i["value"] for i in chart["items"]] == [150000.0, 120000.0]
    html = response.content.decode()
    assert "150,000.00" in html and "270,000.00" in html  # the total row


@pytest.mark.parametrize("params, message", [
    ({"measure": "profit"}, "Unknown measure"), ({"by": "region"}, "Unknown grouping"),
    ({"measure": "receipts", "by": "product"}, "cannot be ranked by product"),
    ({"measure": "new_customers", "by": "customer"}, "cannot be ranked by customer"),
    ({"limit": "0"}, "from 1 to 100"), ({"limit": "101"}, "from 1 to 100"), ({"limit": "ten"}, "from 1 to 100"),
    ({"period": "month", "month": "13"}, "not a valid month"),
])
def test_bad_parameters(world, client, params, message):
    client.force_login(world.boss)
    page = client.get(URL, {**YEAR, **params})
    assert page.status_code == 400 and message in page.content.decode()
    api = client.get(API, {**YEAR, **params})
    assert api.status_code == 400 and message in str(api.json())


def test_without_permission(world, client):
    client.force_login(world.nobody)
    assert client.get(URL, YEAR).status_code == 403
    assert client.get(API, {**YEAR, "measure": "receipts"}).status_code == 403


def test_excel_export(world, client):
    client.force_login(world.boss)
    response = client.get(URL, {**YEAR, "measure": "receipts", "export": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows == [["Rank", "Salesperson", "Receipts"], [1, "王安", 60000], [2, "赵成", 20000],
                    ["Total", "—", 80000]]
    assert AuditLog.objects.filter(action=AuditLog.Action.EXPORT, changes__report="reports.top").count() == 1


def test_api(world, client):
    client.force_login(world.a)
    data = client.get(API, {**YEAR, "measure": "contract_count", "by": "customer"}).json()
    assert data["measure"] == "contract_count" and data["limit"] == 10
    assert [(r["rank"], r["key"], r["label"], r["value"]) for r in data["rows"]] == [
        (1, world.customers["a1"].pk, "明远机械", 1.0), (2, world.customers["a2"].pk, "华光电子", 1.0)]
    assert data["total"] == 2.0
