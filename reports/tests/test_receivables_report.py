"""Receivables tracking: status totals, days overdue, paging, gate, streamed Excel export, API."""

import io

import pytest
from openpyxl import load_workbook

from core.models import AuditLog
from reports import receivables

from .pipeline_world import build

pytestmark = pytest.mark.django_db
URL, API = "/reports/receivables/", "/api/v1/reports/receivables/"


@pytest.fixture
def world():
    return build()


def _totals(response):
    return {t.status: (t.count, str(t.amount), str(t.received), str(t.balance)) for t in response.context["totals"]}


def _ids(world, response):
    names = {r.pk: k for k, r in world.receivables.items()}
    return [names[row["id"]] for row in response.context["rows"]]


def test_totals_per_status_and_rows_in_due_order(world, client, django_assert_max_num_queries):
    client.force_login(world.boss)
    client.get(URL)
    with django_assert_max_num_queries(13):
        response = client.get(URL)
    assert response.status_code == 200
    assert _totals(response) == {
        "pending": (1, "120000.00", "0.00", "120000.00"),
        "partly_paid": (1, "80000.00", "20000.00", "60000.00"),
        "paid": (1, "60000.00", "60000.00", "0.00"),
        "overdue": (2, "90000.00", "10000.00", "80000.00"),
        "": (5, "350000.00", "90000.00", "260000.00"),
    }
    assert _ids(world, response) == ["r1", "r2", "r5", "r4", "r3"]
    rows = {r["id"]: r for r in response.context["rows"]}
    assert rows[world.receivables["r2"].pk]["overdue_days"] == 40
    assert rows[world.receivables["r5"].pk]["overdue_days"] == 3
    assert rows[world.receivables["r4"].pk]["overdue_days"] == 0
    assert rows[world.receivables["r1"].pk]["status"] == "paid"


@pytest.mark.parametrize("status, expected", [("overdue", ["r2", "r5"]), ("paid", ["r1"]), ("pending", ["r3"]),
                                              ("partly_paid", ["r4"])])
def test_status_filter(world, client, status, expected):
    client.force_login(world.boss)
    response = client.get(URL, {"status": status})
    assert _ids(world, response) == expected
    # The totals still cover every status, so the status rows can be compared.
    assert response.context["totals"][-1].count == 5


def test_due_period_filter(world, client):
    client.force_login(world.boss)
    r5 = world.receivables["r5"].due_date
    response = client.get(URL, {"period": "custom", "start": r5.isoformat(), "end": world.today.isoformat()})
    assert _ids(world, response) == ["r5"]


def test_paging_never_loads_more_than_a_page(world, client, monkeypatch):
    monkeypatch.setattr(receivables, "PAGE_SIZE", 2)
    client.force_login(world.boss)
    first = client.get(URL)
    assert _ids(world, first) == ["r1", "r2"] and first.context["paged"].page.paginator.count == 5
    assert _ids(world, client.get(URL, {"page": "3"})) == ["r3"]


def test_salesperson_sees_only_own_receivables(world, client):
    client.force_login(world.a)
    response = client.get(URL)
    assert _ids(world, response) == ["r1", "r2", "r5"]
    assert response.context["totals"][-1].count == 3
    outsider = client.get(URL, {"owner": world.c.pk})
    assert _ids(world, outsider) == [] and outsider.context["totals"][-1].count == 0
    assert "天府软件" not in outsider.content.decode()


def test_manager_sees_the_subtree(world, client):
    client.force_login(world.manager)
    assert _ids(world, client.get(URL)) == ["r1", "r2", "r5", "r3"]
    assert _ids(world, client.get(URL, {"department": world.east1.pk})) == ["r3"]
    assert _ids(world, client.get(URL, {"department": world.west.pk})) == []


@pytest.mark.parametrize("params, message", [({"status": "late"}, "Unknown status"),
                                             ({"period": "quarter", "quarter": "5"}, "not a valid quarter"),
                                             ({"owner": "abc"}, "does not exist")])
def test_bad_parameters(world, client, params, message):
    client.force_login(world.boss)
    page = client.get(URL, params)
    assert page.status_code == 400 and message in page.content.decode()
    api = client.get(API, params)
    assert api.status_code == 400 and message in str(api.json())


def test_without_permission(world, client):
    client.force_login(world.nobody)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"export": "xlsx"}).status_code == 403
    assert client.get(API).status_code == 403
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()


def test_excel_streams_all_matching_rows_and_is_audited(world, client, monkeypatch):
    monkeypatch.setattr(receivables, "PAGE_SIZE", 1)  # the export is not limited to a page
    client.force_login(world.a)
    response = client.get(URL, {"status": "overdue", "export": "xlsx"})
    assert response.status_code == 200 and response["X-Export-Rows"] == "2"
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["Customer", "Contract / order", "Period", "Due date", "Amount", "Received", "Balance", "Status",
                       "Days overdue", "Owner"]
    assert [r[0] for r in rows[1:3]] == ["明远机械", "华光电子"]
    assert rows[1][2:] == [2, world.receivables["r2"].due_date.isoformat(), 40000, 10000, 30000, "Overdue", 40,
                           "王安"]
    assert rows[3][0] == "Total" and rows[3][4:7] == [90000, 10000, 80000]
    entry = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert entry.actor_id == world.a.pk and entry.changes["rows"] == 2 and entry.changes["status"] == "overdue"


def test_api_pages_like_the_rest(world, client):
    client.force_login(world.manager)
    data = client.get(API, {"page_size": 2}).json()
    assert data["count"] == 4 and data["next"] and data["previous"] is None
    assert [r["id"] for r in data["results"]] == [world.receivables["r1"].pk, world.receivables["r2"].pk]
    row = data["results"][1]
    assert row["status"] == "overdue" and row["overdue_days"] == 40 and row["balance"] == 30000.0
    totals = {t["status"]: t for t in data["totals"]}
    assert totals[""]["count"] == 4 and totals["pending"]["balance"] == 120000.0
    assert client.get(API, {"status": "paid"}).json()["count"] == 1
