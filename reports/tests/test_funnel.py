"""Sales funnel: exact figures, "—" for zero denominators, drill-down, gate, Excel, API, bad input."""

import io
import json
from decimal import Decimal as D
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from core import access
from core.lists.filters import apply_definition
from core.models import AuditLog
from reports.funnel import build_funnel
from reports.params import Subject, read_period
from sales.models import Opportunity
from sales.ui import OpportunityUI

from .pipeline_world import build

pytestmark = pytest.mark.django_db
URL, API = "/reports/funnel/", "/api/v1/reports/funnel/"
YEAR = {"period": "year", "year": "2026"}


@pytest.fixture
def world():
    return build()


def _funnel(user, subject=None, params=YEAR):
    return build_funnel(user, read_period(params), subject or Subject())


def _stages(funnel):
    return {r.label: r for r in funnel.stages}


def test_company_figures_per_stage_and_status(world):
    f = _funnel(world.boss)
    assert (f.count, f.expected, f.amount) == (7, D("360000.00"), D("91000.00"))
    assert [r.label for r in f.stages] == ["初步接洽", "需求确认", "方案报价", "谈判审核", "赢单", "输单", "No stage"]
    rows = [(r.count, r.expected, r.amount, r.count_share, r.amount_share, r.reached, r.conversion) for r in f.stages]
    assert rows == [
        (3, D("210000.00"), D("21000.00"), D("42.86"), D("23.08"), 6, None),
        (1, D("80000.00"), D("20000.00"), D("14.29"), D("21.98"), 3, D("50.00")),
        (1, D("40000.00"), D("20000.00"), D("14.29"), D("21.98"), 2, D("66.67")),
        (0, D("0.00"), D("0.00"), D("0.00"), D("0.00"), 1, D("50.00")),
        (1, D("30000.00"), D("30000.00"), D("14.29"), D("32.97"), 1, D("100.00")),
        (0, D("0.00"), D("0.00"), D("0.00"), D("0.00"), None, None),  # 输单 (win rate 0): where they drop out
        (1, D("0.00"), D("0.00"), D("14.29"), D("0.00"), None, None),
    ]
    statuses = {r.key: (r.count, r.expected, r.amount) for r in f.statuses}
    assert statuses == {"open": (4, D("270000.00"), D("55000.00")), "won": (1, D("30000.00"), D("30000.00")),
                        "lost": (1, D("0.00"), D("0.00")), "terminated": (1, D("60000.00"), D("6000.00"))}


def test_period_bounds_are_local_days(world):
    q4 = _funnel(world.boss, params={"period": "quarter", "year": "2026", "quarter": "4"})
    assert q4.count == 1 and _stages(q4)["赢单"].count == 1  # 2026-12-31 23:59:59 is still in the year
    before = _funnel(world.boss, params={"period": "custom", "start": "2025-12-31", "end": "2025-12-31"})
    assert before.count == 1  # o8, one second before the year


def test_empty_period_shows_dashes(world, client):
    f = _funnel(world.boss, params={"period": "year", "year": "2030"})
    assert f.count == 0 and all(r.count_share is None and r.amount_share is None for r in f.stages + f.statuses)
    client.force_login(world.boss)
    html = client.get(URL, {"period": "year", "year": "2030"}).content.decode()
    assert "—" in html and "No opportunities were created in this period." in html


def test_drill_down_selects_exactly_the_stage_rows(world, client):
    expected = {"初步接洽": {"o1", "o2", "o7"}, "需求确认": {"o3"}, "方案报价": {"o5"}, "赢单": {"o4"}, "No stage": {"o6"}}
    names = {o.pk: k for k, o in world.opps.items()}
    for row in build_funnel(world.boss, read_period(YEAR), Subject()).stages:
        visible = access.visible_to(world.boss, "read", Opportunity)
        ids = apply_definition(visible, OpportunityUI, world.boss, row.filter).values_list("pk", flat=True)
        assert {names[i] for i in ids} == expected.get(row.label, set()), row.label
        assert json.loads(parse_qs(urlparse(row.url).query)["f"][0]) == row.filter
    # The department subject travels too: 华东组 with its sub-department, stage 初步接洽.
    row = _stages(build_funnel(world.manager, read_period(YEAR), Subject(department=world.east)))["初步接洽"]
    visible = access.visible_to(world.manager, "read", Opportunity)
    assert set(apply_definition(visible, OpportunityUI, world.manager, row.filter)) == {world.opps["o1"], world.opps["o2"]}
    status = {r.key: r for r in build_funnel(world.boss, read_period(YEAR), Subject(owner=world.b)).statuses}["lost"]
    assert list(apply_definition(Opportunity.objects.all(), OpportunityUI, world.boss, status.filter)) == [world.opps["o6"]]
    # The drill-down link opens the opportunity list and shows those rows.
    client.force_login(world.boss)
    response = client.get(_stages(_funnel(world.boss))["需求确认"].url)
    assert response.status_code == 200 and "商机 o3" in response.content.decode()
    assert "商机 o1" not in response.content.decode()


def test_salesperson_sees_only_own_figures(world):
    f = _funnel(world.a)
    assert (f.count, f.amount) == (4, D("65000.00"))
    assert _stages(f)["初步接洽"].count == 2 and _stages(f)["赢单"].amount == D("30000.00")
    # Asking for somebody else's figures reveals nothing.
    assert _funnel(world.a, Subject(owner=world.c)).count == 0
    assert _funnel(world.a, Subject(department=world.west)).count == 0


def test_manager_sees_the_subtree_only(world):
    f = _funnel(world.manager)
    assert (f.count, f.amount) == (6, D("85000.00"))
    assert _funnel(world.manager, Subject(department=world.east1)).count == 2
    assert _funnel(world.manager, Subject(department=world.west)).count == 0
    assert _funnel(world.manager, Subject(owner=world.c)).count == 0


def test_page_renders_chart_and_tables(world, client, django_assert_max_num_queries):
    client.force_login(world.a)
    client.get(URL, YEAR)  # first request of a session: security policy row, content type cache
    # Session, user, roles and menu take ~9; the report adds its aggregate, the stages and the form choices.
    with django_assert_max_num_queries(13):
        response = client.get(URL, YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="zg-stats-chart"' not in html and 'id="zg-report-chart"' in html
    chart = response.context["chart"]
    assert chart["type"] == "funnel" and [i["value"] for i in chart["items"]][:2] == [4, 2]
    assert "65,000.00" in html and "—" in html


def test_htmx_gets_only_the_result(world, client):
    client.force_login(world.boss)
    response = client.get(URL, YEAR, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="report-result"' in html and "<form" not in html


@pytest.mark.parametrize("params, message", [
    ({"period": "decade"}, "Unknown period"), ({"period": "year", "year": "abc"}, "not a valid year"),
    ({"period": "custom", "start": "2026-02-01", "end": "2026-01-01"}, "cannot be before"),
    ({"owner": "999999"}, "does not exist"), ({"department": "x"}, "does not exist"),
    ({"export": "pdf"}, "Unknown export format"),
])
def test_bad_parameters_are_a_form_error_and_a_400(world, client, params, message):
    client.force_login(world.boss)
    page = client.get(URL, params)
    assert page.status_code == 400 and message in page.content.decode()
    api = client.get(API, params)
    assert api.status_code == 400 and message in json.dumps(api.json(), ensure_ascii=False)


def test_without_read_permission_nothing_is_shown(world, client):
    client.force_login(world.nobody)
    assert client.get(URL, YEAR).status_code == 403
    assert client.get(API, YEAR).status_code == 403
    assert client.get(URL, {**YEAR, "export": "xlsx"}).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_excel_export_has_the_table_and_is_audited(world, client):
    client.force_login(world.a)
    response = client.get(URL, {**YEAR, "export": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Sales stage", "Opportunities", "Expected amount"]
    first = rows[1]
    assert first[:7] == ["初步接洽", 2, 150000, 15000, 50, 23.08, 4] and first[7] == "—"
    total = next(r for r in rows if r[0] == "Total")
    assert total[1:4] == [4, 260000, 65000]
    assert any(r[0] == "Won" and r[1] == 1 for r in rows)
    entry = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert entry.actor_id == world.a.pk and entry.changes["report"] == "reports.funnel"


def test_api_returns_the_same_figures(world, client):
    client.force_login(world.manager)
    data = client.get(API, {**YEAR, "department": world.east1.pk}).json()
    assert data["count"] == 2 and data["amount"] == 20000.0 and data["subject"]["department"] == world.east1.pk
    stage = {r["label"]: r for r in data["stages"]}["方案报价"]
    assert stage["count"] == 1 and stage["expected_amount"] == 40000.0 and stage["count_share"] == 50.0
    assert {r["key"]: r["count"] for r in data["statuses"]} == {"open": 1, "won": 0, "lost": 1, "terminated": 0}
    assert stage["filter"]["rules"][-1] == {"field": "stage", "operator": "eq", "value": world.stages["proposal"].pk}


def test_hidden_fields_stay_hidden(world, client):
    from org.models import FieldRule, User

    role = world.a.roles.get()
    FieldRule.objects.create(role=role, module="sales.opportunity", field="expected_amount", mode="hidden")
    FieldRule.objects.create(role=role, module="sales.opportunity", field="stage", mode="hidden")
    user = User.objects.get(pk=world.a.pk)  # fresh object: field rules are cached per request
    f = _funnel(user)
    assert not f.show_expected and not f.show_stage and f.stages == [] and f.count == 4
    client.force_login(user)
    html = client.get(URL, YEAR).content.decode()
    assert "Expected amount" not in html and "150,000.00" not in html and "初步接洽" not in html
    data = client.get(API, YEAR).json()
    assert data["expected_amount"] is None and data["stages"] == []
    ws = load_workbook(io.BytesIO(b"".join(client.get(URL, {**YEAR, "export": "xlsx"}).streaming_content))).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["Status", "Opportunities", "Opportunity amount", "Share of count (%)", "Share of amount (%)",
                       "Reached", "Conversion (%)"]
    assert "Expected amount" not in str(rows)
