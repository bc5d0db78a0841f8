"""Customer statistics page, Excel export and API: scope, errors, drill-down links and pinned query counts."""

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.lists.query import ListContext, ListState
from core.models import AuditLog
from customers.ui import CustomerUI
from org.models import FieldRule

from .customer_world import api
from .stats_world import make_stats_world

pytestmark = pytest.mark.django_db
PAGE = "/customers/stats/"
EXPORT = "/customers/stats/export/"
API = "/api/v1/customer-stats/"


@pytest.fixture
def sw():
    return make_stats_world()


def _chart(html: str) -> dict:
    start = html.index('<script id="zg-stats-data" type="application/json">') + len('<script id="zg-stats-data" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def _sheet(response) -> list[list]:
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in wb.active.iter_rows(values_only=True)]


def test_urls_and_menu_entry(sw, client):
    assert reverse("customers:customer_stats") == PAGE
    client.force_login(sw.w.alice)
    html = client.get(reverse("customers:customer_list")).content.decode()
    assert f'href="{PAGE}"' in html


def test_page_shows_chart_and_table_with_drill_down_links(sw, client):
    client.force_login(sw.w.manager)
    response = client.get(PAGE, {"x": "owner", "series": "status", "measure": "count", "chart": "stack"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="zg-stats-chart"' in html and "vendor/echarts/echarts.min.js" in html and "js/stats.js" in html
    chart = _chart(html)
    # Equal totals: owners by name.
    assert chart["type"] == "stack" and chart["categories"] == ["李强", "王丽"]
    assert {s["name"]: s["data"] for s in chart["series"]} == {"Potential": [0, 1], "Deal": [1, 1], "Lost": [1, 0]}
    # The link of the chart's (李强, Deal) bar opens exactly c3 in the customer list.
    deal = next(s for s in chart["series"] if s["name"] == "Deal")
    url = deal["urls"][0]
    assert urlsplit(url).path == reverse("customers:customer_list")
    definition = json.loads(parse_qs(urlsplit(url).query)["f"][0])
    ids = set(ListContext.load(CustomerUI, sw.w.manager).queryset(ListState(definition=definition)).values_list("pk", flat=True))
    assert ids == {sw.c3.pk}
    listed = client.get(url)
    assert listed.status_code == 200 and "丙" in listed.content.decode() and "丁" not in listed.content.decode()
    assert 'data-testid="stats-table"' in html and html.count('data-testid="stats-cell"') >= 4


def test_htmx_request_gets_only_the_result(sw, client):
    client.force_login(sw.w.manager)
    response = client.get(PAGE, {"x": "source"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="zg-stats-result"') and "<html" not in html
    assert _chart(html)["categories"] == ["展会", "官网", "Not set"]


def test_bad_parameters_show_an_error_not_a_500(sw, client):
    client.force_login(sw.w.manager)
    for params in ({"x": "nope"}, {"f": "[1"}, {"x": "owner", "series": "status", "chart": "pie"}, {"saved": "x"}):
        response = client.get(PAGE, params)
        assert response.status_code == 400
        assert 'data-testid="stats-error"' in response.content.decode()
        assert client.get(EXPORT, params).status_code == 400
        body = api(sw.w.manager).get(API, params)
        assert body.status_code == 400 and body.json()["error"]["message"]


def test_own_scope_on_page_export_and_api(sw, client):
    client.force_login(sw.w.alice)
    html = client.get(PAGE, {"x": "owner", "measure": "amount"}, HTTP_HX_REQUEST="true").content.decode()
    assert _chart(html)["categories"] == ["王丽"] and "李强" not in html and "300.30" in html
    sheet = _sheet(client.get(EXPORT, {"x": "owner", "series": "status", "measure": "amount"}))
    assert sheet[0] == ["Owner", "Potential", "Deal", "Total"]
    assert sheet[1][0] == "王丽" and sheet[-1][0] == "Total" and len(sheet) == 3
    assert sheet[-1][-1] == pytest.approx(300.30)
    assert AuditLog.objects.filter(action="export", actor=sw.w.alice).exists()
    data = api(sw.w.alice).get(API, {"x": "owner"}).json()
    assert [r["x_label"] for r in data["rows"]] == ["王丽"] and data["total"] == 2


def test_user_without_grant_sees_nothing(sw, client):
    client.force_login(sw.w.nobody)
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert api(sw.w.nobody).get(API).status_code == 403
    assert not AuditLog.objects.filter(actor=sw.w.nobody).exists()
    client.logout()
    assert client.get(PAGE).status_code == 302  # to the login page


def test_export_neutralises_formulas_in_labels(sw, client):
    sw.fair.name = "=HYPERLINK(\"http://evil\")"
    sw.fair.save()
    client.force_login(sw.w.manager)
    response = client.get(EXPORT, {"x": "source"})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = wb.active["A2"]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"


def test_api_returns_rows_with_their_filters(sw):
    data = api(sw.w.manager).get(API, {"x": "created_month", "series": "source", "measure": "amount"}).json()
    assert data["x"] == "created_month" and data["series"] == "source"
    rows = {(r["x_label"], r["series_label"]): r for r in data["rows"]}
    assert rows[("2026-02", "展会")]["value"] == 200.2
    assert data["total"] == 350.31
    # The row's filter used with the customer API finds the same customers.
    found = api(sw.w.manager).get("/api/v1/customers/", {"filter": json.dumps(rows[("2026-02", "官网")]["filter"])}).json()
    assert [c["id"] for c in found["results"]] == [sw.c3.pk]


def test_api_refuses_hidden_fields(sw):
    for role in sw.w.alice.roles.all():
        FieldRule.objects.create(role=role, module="customers.customer", field="amount", mode="hidden")
    response = api(sw.w.alice).get(API, {"x": "owner", "measure": "amount"})
    assert response.status_code == 400
    assert "You may not use the field amount" in response.json()["error"]["message"]


def _queries(fn) -> list[str]:
    """The queries of a request, leaving out the session's own (its save depends on the middleware)."""
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]]


def test_pinned_query_counts(sw, client):
    """One GROUP BY for the figures whatever the dimensions; the rest is session, grants and form choices."""
    client.force_login(sw.w.manager)
    client.get(PAGE)  # warm caches that belong to the process (content types)
    page = _queries(lambda: client.get(PAGE, {"x": "department", "series": "created_month", "measure": "amount"}))
    # (The bell's unread count is the other grouped statement: one row per user, read by its own index.)
    assert sum("GROUP BY" in q and "core_notification" not in q for q in page) == 1
    assert len(page) == 10, "\n".join(page)
    # An owner dimension needs its users' names: one label query more, never one per row. The HTMX
    # fragment shows no bell, so the unread notifications are not counted.
    owners = _queries(lambda: client.get(PAGE, {"x": "owner", "series": "status"}, HTTP_HX_REQUEST="true"))
    assert sum("GROUP BY" in q for q in owners) == 1
    assert not any("core_notification" in q for q in owners)
    assert len(owners) == 6, "\n".join(owners)
    client_api = api(sw.w.manager)
    rows = _queries(lambda: client_api.get(API, {"x": "days_since_followup", "series": "source"}))
    assert sum("GROUP BY" in q for q in rows) == 1
    assert len(rows) == 4, "\n".join(rows)
