"""Customer opportunity analysis (客户商机分析): figures, gate, hidden fields, page, Excel, API, bad input."""

import io
import json
from decimal import Decimal as D
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.audit import Action
from core.lists.filters import apply_definition
from core.models import AuditLog
from customers.models import Customer
from org.models import FieldRule
from reports import rollups
from reports.analysis_opportunity import OPPORTUNITY_ANALYSIS
from sales.models import Opportunity
from sales.ui import OpportunityUI

from .analysis_world import at, build, opportunities, record

PAGE = reverse("reports:opportunity_analysis")
API = "/api/v1/reports/opportunity-analysis/"
YEAR = {"period": "year", "year": "2026"}


@pytest.fixture
def w(db):
    world = build()
    world.o = opportunities(world)
    return world


def run(user, **params):
    query = OPPORTUNITY_ANALYSIS.read_query(user, {**YEAR, **params})
    return OPPORTUNITY_ANALYSIS.run(user, query)


def figures(result):
    return {row.label: row.figures for row in result.rows}


def api(user, **params):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(API, {**YEAR, **params})


def test_by_salesperson_exact_figures(w):
    result = run(w.boss, by="owner")
    rows = figures(result)
    assert rows["seller"] == {"count": 2, "cost": D("600.00"), "expected": D("1000.00"), "amount": D("500.00"),
                              "expected_profit": D("400.00"), "expected_margin": D("40.00"),
                              "opportunity_profit": D("-100.00"), "opportunity_margin": D("-20.00")}
    assert rows["outsider"]["expected_profit"] == D("-98.00")
    assert rows["outsider"]["expected_margin"] == D("-3266.67")  # −98 ÷ 3 × 100, half up
    # The totals come from the summed inputs (o5 is in 2025 and does not count).
    assert result.totals.figures == {"count": 4, "cost": D("701.00"), "expected": D("1003.00"), "amount": D("503.00"),
                                     "expected_profit": D("302.00"), "expected_margin": D("30.11"),
                                     "opportunity_profit": D("-198.00"), "opportunity_margin": D("-39.36")}
    assert [r.label for r in result.rows] == ["seller", "outsider"]  # default: expected sales, largest first


def test_by_customer_with_divisions_by_zero(w):
    rows = figures(run(w.boss, by="customer"))
    assert set(rows) == {"上海明远精密机械有限公司", "杭州西湖贸易", "成都天府软件"}
    empty = rows["杭州西湖贸易"]
    assert empty["cost"] == D("0.00") and empty["expected_margin"] is None and empty["opportunity_margin"] is None
    theirs = rows["成都天府软件"]
    assert theirs["cost"] == D("101.00") and theirs["expected"] == D("3.00")


def test_period_is_a_half_open_range_of_created_at(w):
    rows = figures(run(w.boss, by="owner", year="2025"))
    assert list(rows) == ["seller"] and rows["seller"]["cost"] == D("999.00")
    custom = figures(run(w.boss, by="owner", period="custom", start="2025-12-31", end="2026-01-01"))
    assert custom["seller"]["count"] == 1


def test_one_group_by_and_one_name_query(w, django_assert_num_queries):
    query = OPPORTUNITY_ANALYSIS.read_query(w.boss, {**YEAR, "by": "owner"})
    # Whether the roll-up is usable is read once per process and time zone; another test may have
    # cleared that (reports/tests/test_rollups.py), so it is read here, outside the count.
    rollups.usable()
    with django_assert_num_queries(2):
        OPPORTUNITY_ANALYSIS.run(w.boss, query)


def test_subject_and_stage_narrow(w):
    east = w.seller.department
    assert list(figures(run(w.boss, by="owner", department=str(east.pk)))) == ["seller"]
    assert list(figures(run(w.boss, by="owner", owner=str(w.outsider.pk)))) == ["outsider"]
    from sales.tests.world import stage

    initial = stage("initial")
    Opportunity.objects.filter(pk=w.o["o4"].pk).update(stage=initial)
    assert figures(run(w.boss, by="owner", stage=str(initial.pk)))["outsider"]["count"] == 1


def test_salesperson_sees_only_own(w, client):
    assert list(figures(run(w.seller, by="owner"))) == ["seller"]
    assert set(figures(run(w.seller, by="customer"))) == {"上海明远精密机械有限公司", "杭州西湖贸易"}
    data = api(w.seller, by="owner").json()
    assert [r["label"] for r in data["rows"]] == ["seller"] and data["totals"]["figures"]["count"] == 2
    client.force_login(w.seller)
    body = client.get(PAGE, YEAR).content.decode()
    assert "seller" in body and "成都天府软件" not in body


def test_out_of_scope_subject_reveals_nothing(w):
    for params in ({"owner": str(w.outsider.pk)}, {"department": str(w.outsider.department.pk)}):
        data = api(w.seller, by="customer", **params).json()
        assert data["rows"] == [] and data["totals"]["figures"]["cost"] == "0.00"
        assert data["totals"]["figures"]["expected_margin"] is None


def test_no_read_grant_is_refused(w, client):
    assert api(w.nobody).status_code == 403
    client.force_login(w.nobody)
    assert client.get(PAGE, YEAR).status_code == 403
    assert client.get(PAGE, {**YEAR, "export": "xlsx"}).status_code == 403
    assert not AuditLog.objects.filter(action=Action.EXPORT).exists()


def test_hidden_cost_hides_the_cost_columns(w, client):
    FieldRule.objects.create(role=w.seller.roles.first(), module="sales.opportunity", field="cost_estimate",
                             mode=FieldRule.Mode.HIDDEN)
    data = api(w.seller).json()
    assert [c["key"] for c in data["columns"]] == ["count", "expected", "amount"]
    assert set(data["rows"][0]["figures"]) == {"count", "expected", "amount"}
    assert api(w.seller, sort="cost").status_code == 400
    FieldRule.objects.create(role=w.seller.roles.first(), module="sales.opportunity", field="stage",
                             mode=FieldRule.Mode.HIDDEN)
    assert api(w.seller, stage="1").status_code == 400  # narrowing by a hidden field would reveal it
    client.force_login(w.seller)
    body = client.get(PAGE, YEAR).content.decode()
    assert "Expected cost" not in body and "Expected profit" not in body and "Expected sales" in body
    sheet = load_workbook(io.BytesIO(b"".join(client.get(PAGE, {**YEAR, "export": "xlsx"}).streaming_content)))
    headers = [c.value for c in next(sheet.active.iter_rows())]
    assert headers == ["Salesperson", "Count", "Expected sales", "Opportunity amount"]


def test_excel_export_has_rows_totals_and_dashes(w, client):
    client.force_login(w.boss)
    response = client.get(PAGE, {**YEAR, "by": "customer", "sort": "label", "export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Customer", "Count", "Expected cost", "Expected sales")
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["杭州西湖贸易"][1:] == (1, 0, 0, 0, 0, "—", 0, "—")
    assert by_label["Total"][1:] == (4, 701, 1003, 503, 302, pytest.approx(30.11), -198, pytest.approx(-39.36))
    log = AuditLog.objects.get(action=Action.EXPORT)
    assert log.changes["report"] == "reports.opportunity_analysis" and log.changes["rows"] == 3


def test_api_json_is_exact(w):
    response = api(w.boss, by="owner")
    assert response.status_code == 200
    data = response.json()
    seller = next(r for r in data["rows"] if r["key"] == w.seller.pk)
    assert seller["figures"] == {"count": 2, "cost": "600.00", "expected": "1000.00", "amount": "500.00",
                                 "expected_profit": "400.00", "expected_margin": "40.00",
                                 "opportunity_profit": "-100.00", "opportunity_margin": "-20.00"}
    assert data["period"]["start"] == "2026-01-01" and data["count"] == 2 and data["page_count"] == 1
    zero = next(r for r in api(w.boss, by="customer").json()["rows"] if r["label"] == "杭州西湖贸易")
    assert zero["figures"]["expected_margin"] is None and zero["figures"]["opportunity_margin"] is None


@pytest.mark.parametrize("params", [
    {"by": "region"}, {"period": "decade"}, {"year": "20x6"}, {"sort": "nope"}, {"page": "0"}, {"page": "9"},
    {"owner": "abc"}, {"owner": "1", "department": "1"}, {"stage": "999999"},
])
def test_bad_parameters_are_a_clear_400(w, client, params):
    response = api(w.boss, **params)
    assert response.status_code == 400 and response.json()["error"]["message"]
    client.force_login(w.boss)
    page = client.get(PAGE, {**YEAR, **params})
    assert page.status_code == 400 and 'data-testid="analysis-error"' in page.content.decode()
    if params != {"page": "9"}:  # the export has every row: it ignores the page
        assert client.get(PAGE, {**YEAR, **params, "export": "xlsx"}).status_code == 400
    assert client.get(PAGE, {**YEAR, "export": "pdf"}).status_code == 400


def test_rows_drill_down_to_exactly_their_opportunities(w, client):
    result = run(w.boss, by="owner")
    for row in result.rows:
        qs = apply_definition(Opportunity.objects.all(), OpportunityUI, w.boss, row.filter)
        assert set(qs.values_list("owner_id", flat=True)) == {row.key} and qs.count() == row.figures["count"]
    client.force_login(w.boss)
    seller = next(r for r in result.rows if r.key == w.seller.pk)
    assert urlparse(seller.url).path == OpportunityUI.url("list")
    assert json.loads(parse_qs(urlparse(seller.url).query)["f"][0]) == seller.filter
    assert client.get(seller.url).status_code == 200
    totals = apply_definition(Opportunity.objects.all(), OpportunityUI, w.boss, result.totals.filter)
    assert totals.count() == 4


def test_page_and_htmx_partial(w, client):
    client.force_login(w.boss)
    body = client.get(PAGE, YEAR).content.decode()
    assert "Customer opportunity analysis" in body and "40.00" in body and "-3,266.67" not in body
    assert "-3266.67" in body and "zg-stats-data" in body and 'data-testid="analysis-totals"' in body
    partial = client.get(PAGE, {**YEAR, "by": "customer"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "杭州西湖贸易" in partial and "—" in partial


def test_many_customers_are_paged_with_totals_over_all(w):
    customers = Customer.objects.bulk_create([Customer(name=f"客户{i:03d}", owner=w.seller,
                                                       department=w.seller.department, created_by=w.seller)
                                              for i in range(60)])
    for c in customers:
        record(Opportunity, w.seller, c, D("1.00"), D("2.00"), D("1.00"), created=at(2026, 5, 1))
    first = run(w.boss, by="customer", sort="label")
    second = run(w.boss, by="customer", sort="label", page="2")
    assert len(first.rows) == 50 and len(second.rows) == 13 and first.count == 63 and first.page_count == 2
    assert first.totals.figures["count"] == second.totals.figures["count"] == 64
    assert first.totals.figures["cost"] == D("761.00")
