"""Product quote detail (产品报价明细): approved and sent quote lines per product, in base units."""

import io
from decimal import Decimal as D
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.audit import Action
from core.models import AuditLog
from core.testing import make_user
from products.models import Unit, UnitConversion
from reports import quote_detail
from sales import services_quotes, services_records
from sales.models import ContactRecord, Quote
from sales.tests.quote_world import build, line
from sales.tests.world import opportunity

from .analysis_world import at

PAGE = reverse("reports:quote_detail")
API = "/api/v1/reports/quote-detail/"
YEAR = {"period": "year", "year": "2026"}


def quote(q, actor, *lines, submit=True, customer=None):
    opp = opportunity(q.w, actor=actor, **({"customer": customer} if customer else {}))
    record = services_records.record_create(actor=actor, model=ContactRecord, data={"opportunity": opp, "content": "报价"})
    made = services_quotes.quote_create(actor=actor, data={"contact_record": record}, lines=list(lines))
    if submit:
        made = services_quotes.quote_submit(actor=actor, instance=made)
    Quote.objects.filter(pk=made.pk).update(created_at=at(2026, 6, 1))
    return made


@pytest.fixture
def q(db):
    world = build()
    box = Unit.objects.get(name="箱")
    # Approved: 10 袋 at 4.00 less 10 %, and 2 箱 at 86.40 (= 48 袋).
    world.a = quote(world, world.w.seller, line(world, quantity=D("10"), unit_price=D("4.00"), discount=D("10")),
                    line(world, unit=box, quantity=D("2"), unit_price=D("86.40")))
    world.draft = quote(world, world.w.seller, line(world, quantity=D("1000")), submit=False)
    world.theirs = quote(world, world.w.outsider, line(world, quantity=D("5"), unit_price=D("4.00")),
                         customer=world.w.theirs)
    return world


def run(user, **params):
    return quote_detail.run(user, quote_detail.read_query(user, {**YEAR, **params}))


def api(user, **params):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(API, {**YEAR, **params})


def test_lines_add_up_per_product_in_base_units(q):
    assert q.a.status == Quote.Status.APPROVED and q.draft.status == Quote.Status.DRAFT
    result = run(q.w.seller)
    (row,) = result.rows
    assert row.key == q.product.pk and "挂耳咖啡" in row.label and "(袋)" in row.label
    # 10 + 2 × 24 = 58 袋; 40.00 + 172.80 = 212.80; less 4.00 discount; 212.80 ÷ 58 = 3.66896… → 3.6690.
    assert row.figures == {"count": 2, "quantity": D("58"), "unit_price": D("3.6690"), "amount": D("212.80"),
                           "discounted": D("208.80")}
    boss = run(q.w.boss)
    assert boss.rows[0].figures["amount"] == D("232.80") and boss.totals.figures["discounted"] == D("228.80")
    assert boss.totals.figures["quantity"] is None and boss.totals.figures["unit_price"] is None


def test_sent_counts_pending_and_draft_do_not(q):
    services_quotes.quote_send(actor=q.w.seller, instance=q.a)
    assert run(q.w.seller).rows[0].figures["count"] == 2
    Quote.objects.filter(pk=q.a.pk).update(status=Quote.Status.PENDING)
    assert run(q.w.seller).rows == []


def test_a_unit_that_no_longer_converts_keeps_its_own_row(q):
    UnitConversion.objects.filter(product=q.product).delete()
    rows = {r.label: r.figures for r in run(q.w.seller, sort="label").rows}
    box = next(f for label, f in rows.items() if "(箱)" in label)
    bag = next(f for label, f in rows.items() if "(袋)" in label)
    assert box["quantity"] == D("2") and box["unit_price"] == D("86.4000")
    assert bag["quantity"] == D("10") and bag["unit_price"] == D("4.0000")


def test_customer_and_subject_narrow_and_out_of_scope_reveals_nothing(q):
    assert run(q.w.boss, customer=str(q.w.theirs.pk)).rows[0].figures["amount"] == D("20.00")
    assert run(q.w.boss, owner=str(q.w.outsider.pk)).rows[0].figures["quantity"] == D("5")
    assert run(q.w.seller, owner=str(q.w.outsider.pk)).rows == []
    response = api(q.w.seller, customer=str(q.w.theirs.pk))
    assert response.status_code == 400 and "成都" not in response.content.decode()
    nobody = make_user("nobody")
    assert api(nobody).status_code == 403
    client = APIClient()
    client.force_login(nobody)
    assert client.get(PAGE, YEAR).status_code == 403


def test_row_drills_down_to_its_quote_lines(q, client):
    row = run(q.w.boss).rows[0]
    assert parse_qs(urlparse(row.url).query)["product"] == [str(q.product.pk)]
    client.force_login(q.w.seller)
    body = client.get(row.url).content.decode()
    assert q.a.code in body and q.theirs.code not in body and q.draft.code not in body
    assert 'data-testid="quote-lines"' in body and "3.6690<" in body and "86.40<" in body
    data = api(q.w.seller, product=str(q.product.pk)).json()
    assert [line["quote_code"] for line in data["lines"]] == [q.a.code, q.a.code]
    assert {line["figures"]["quantity"] for line in data["lines"]} == {"10", "2"}
    # The totals row opens the quote list filtered to the counted quotes.
    from core.lists.filters import apply_definition
    from sales.ui_quotes import QuoteUI

    totals = run(q.w.boss).totals
    assert set(apply_definition(Quote.objects.all(), QuoteUI, q.w.boss, totals.filter)) == {q.a, q.theirs}
    client.force_login(q.w.boss)
    assert client.get(totals.url).status_code == 200


def test_page_excel_and_api(q, client):
    client.force_login(q.w.seller)
    body = client.get(PAGE, YEAR).content.decode()
    assert "Product quote detail" in body and "212.80" in body and "208.80" in body
    response = client.get(PAGE, {**YEAR, "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0] == ("Product", "Quote lines", "Quantity", "Unit price", "Amount", "Discounted amount")
    assert rows[1][1:] == (2, 58, pytest.approx(3.669), pytest.approx(212.8), pytest.approx(208.8))
    assert rows[2][0] == "Total" and rows[2][2:4] == ("—", "—")
    assert AuditLog.objects.filter(action=Action.EXPORT, changes__report="reports.quote_detail").exists()
    data = api(q.w.seller).json()
    assert data["rows"][0]["figures"] == {"count": 2, "quantity": "58", "unit_price": "3.6690", "amount": "212.80",
                                          "discounted": "208.80"}
    assert data["totals"]["figures"]["unit_price"] is None


@pytest.mark.parametrize("params", [{"customer": "x"}, {"product": "999999"}, {"sort": "cost"}, {"month": "13",
                                                                                                "period": "month"}])
def test_bad_parameters(q, client, params):
    assert api(q.w.boss, **params).status_code == 400
    client.force_login(q.w.boss)
    assert client.get(PAGE, {**YEAR, **params}).status_code == 400
