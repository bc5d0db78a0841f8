"""Customer project analysis (客户项目分析): planned figures plus the actual cost and sales of projects."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.lists.filters import apply_definition
from org.models import FieldRule
from reports.analysis_project import PROJECT_ANALYSIS
from sales import services_project
from sales.models import Project
from sales.ui import ProjectUI

from .analysis_world import build, projects

PAGE = reverse("reports:project_analysis")
API = "/api/v1/reports/project-analysis/"
YEAR = {"period": "year", "year": "2026"}


@pytest.fixture
def w(db):
    world = build()
    world.p = projects(world)
    return world


def run(user, **params):
    return PROJECT_ANALYSIS.run(user, PROJECT_ANALYSIS.read_query(user, {**YEAR, **params}))


def figures(result):
    return {row.label: row.figures for row in result.rows}


def api(user, **params):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(API, {**YEAR, **params})


def test_by_salesperson_with_actuals(w):
    result = run(w.boss, by="owner")
    seller = figures(result)["seller"]
    assert seller == {"count": 2, "cost": D("80.00"), "expected": D("100.00"), "amount": D("60.00"),
                      "expected_profit": D("20.00"), "expected_margin": D("20.00"),
                      "opportunity_profit": D("-20.00"), "opportunity_margin": D("-33.33"),
                      "actual_cost": D("75.50"), "actual_sales": D("90.00"), "actual_profit": D("14.50"),
                      "actual_margin": D("16.11")}
    assert figures(result)["outsider"]["actual_margin"] == D("100.00")
    totals = result.totals.figures
    assert (totals["actual_cost"], totals["actual_sales"], totals["actual_profit"], totals["actual_margin"]) == (
        D("75.50"), D("120.00"), D("44.50"), D("37.08"))


def test_by_customer_actual_margin_without_sales_is_a_dash(w, client):
    rows = figures(run(w.boss, by="customer"))
    assert rows["杭州西湖贸易"]["actual_profit"] == D("-5.00") and rows["杭州西湖贸易"]["actual_margin"] is None
    data = api(w.boss, by="customer").json()
    row = next(r for r in data["rows"] if r["label"] == "杭州西湖贸易")
    assert row["figures"]["actual_margin"] is None and row["figures"]["actual_cost"] == "5.00"
    client.force_login(w.boss)
    sheet = load_workbook(io.BytesIO(b"".join(
        client.get(PAGE, {**YEAR, "by": "customer", "export": "xlsx"}).streaming_content))).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["杭州西湖贸易"][-4:] == (5, 0, -5, "—") and rows["Total"][-1] == pytest.approx(37.08)


def test_actuals_are_edited_through_the_project_services_and_form(w, client):
    project = services_project.project_update(actor=w.seller, instance=w.p["p1"],
                                              data={"actual_cost": D("10.00"), "actual_sales": D("40.00")})
    assert (project.actual_cost, project.actual_sales) == (D("10.00"), D("40.00"))
    assert figures(run(w.seller, by="owner"))["seller"]["actual_margin"] == D("62.50")  # (40 − 15) ÷ 40
    client.force_login(w.seller)
    form = client.get(ProjectUI.url("update", project.pk)).content.decode()
    assert 'name="actual_cost"' in form and 'name="actual_sales"' in form


def test_gate_salesperson_subject_and_no_grant(w, client):
    assert list(figures(run(w.seller, by="owner"))) == ["seller"]
    data = api(w.seller, owner=str(w.outsider.pk)).json()
    assert data["rows"] == [] and data["totals"]["figures"]["actual_margin"] is None
    assert api(w.nobody).status_code == 403
    client.force_login(w.nobody)
    assert client.get(PAGE, YEAR).status_code == 403


def test_hidden_actual_sales_hides_its_columns(w, client):
    FieldRule.objects.create(role=w.seller.roles.first(), module="sales.project", field="actual_sales",
                             mode=FieldRule.Mode.HIDDEN)
    keys = [c["key"] for c in api(w.seller).json()["columns"]]
    assert "actual_cost" in keys and not {"actual_sales", "actual_profit", "actual_margin"} & set(keys)
    client.force_login(w.seller)
    body = client.get(PAGE, YEAR).content.decode()
    assert "Actual cost" in body and "Actual sales" not in body and "Actual margin" not in body


def test_rows_drill_down_to_their_projects(w, client):
    result = run(w.boss, by="customer")
    for row in result.rows:
        qs = apply_definition(Project.objects.all(), ProjectUI, w.boss, row.filter)
        assert set(qs.values_list("customer_id", flat=True)) == {row.key}
    client.force_login(w.boss)
    assert client.get(result.rows[0].url).status_code == 200


def test_bad_parameters(w):
    for params in ({"by": "x"}, {"period": "custom", "start": "2026-02-01", "end": "2026-01-01"}, {"sort": "-x"}):
        assert api(w.boss, **params).status_code == 400
