"""Export (.xlsx/.csv) and print: same rows and columns as the list, permissions, formula injection, audit."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.text import capfirst
from openpyxl import load_workbook

from core.models import AuditLog, ColumnPreference, CustomField
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import FieldRule, Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"
EXPORT = reverse("customers:customer_export")
PRINT = reverse("customers:customer_print")


@pytest.fixture
def dept():
    return make_department("销售一部")


@pytest.fixture
def seller(dept):
    return make_user("seller", department=dept, roles=[make_role("sales", grants=full_grants(MODULE, Scope.OWN))])


@pytest.fixture
def colleague(dept):
    return make_user("colleague", department=dept, roles=[make_role("sales2", grants=full_grants(MODULE, Scope.OWN))])


def customer(owner, name, **kw):
    return Customer.objects.create(name=name, owner=owner, department=owner.department, created_by=owner, **kw)


def columns(user, names):
    ColumnPreference.objects.create(user=user, list_key="customers.customer", columns=names, frozen=1, per_page=20)


def workbook_rows(response):
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


@pytest.fixture
def data(seller, colleague):
    columns(seller, ["name", "phone", "amount", "status"])
    return {
        "formula": customer(seller, "=1+1", phone="+8613800000000", amount=Decimal("1234.50"), status="deal"),
        "plain": customer(seller, "北京科技", phone="@home", amount=Decimal("-5"), status="intent"),
        "other": customer(colleague, "别人的客户", phone="999", amount=Decimal("1")),
    }


def test_xlsx_export_matches_the_list(client, seller, data):
    client.force_login(seller)
    response = client.get(EXPORT, {"format": "xlsx", "sort": "name"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows, sheet = workbook_rows(response)
    header = [capfirst(Customer._meta.get_field(n).verbose_name) for n in ("name", "phone", "amount", "status")]
    assert rows[0] == header
    body = [[r[0], r[1], float(r[2]), r[3]] for r in rows[1:]]
    assert body == [
        ["=1+1", "+8613800000000", 1234.5, str(Customer.Status.DEAL.label)],
        ["北京科技", "@home", -5.0, str(Customer.Status.INTENT.label)],
    ]
    # The formula text is a plain string cell, the amounts real numbers.
    assert sheet["A2"].data_type == "s" and sheet["C2"].data_type == "n" and sheet["C3"].data_type == "n"
    assert "别人的客户" not in {r[0] for r in rows}


def test_export_uses_search_filter_and_selected_ids(client, seller, data):
    client.force_login(seller)
    definition = json.dumps({"op": "or", "rules": [{"field": "name", "operator": "contains", "value": "北京"}]})
    rows, _sheet = workbook_rows(client.get(EXPORT, {"format": "xlsx", "f": definition}))
    assert [r[0] for r in rows[1:]] == ["北京科技"]
    rows, _sheet = workbook_rows(client.get(EXPORT, {"format": "xlsx", "q": "=1"}))
    assert [r[0] for r in rows[1:]] == ["=1+1"]
    ids = f"{data['formula'].pk},{data['other'].pk}"  # the other user's id is simply not in scope
    rows, _sheet = workbook_rows(client.get(EXPORT, {"format": "xlsx", "ids": ids}))
    assert [r[0] for r in rows[1:]] == ["=1+1"]
    assert client.get(EXPORT, {"format": "xlsx", "f": "{bad"}).status_code == 400
    assert client.get(EXPORT, {"format": "pdf"}).status_code == 400


def test_csv_export_has_bom_and_neutralised_formulas(client, seller, data):
    client.force_login(seller)
    response = client.get(EXPORT, {"format": "csv", "sort": "name"})
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1] == ["'=1+1", "'+8613800000000", "1234.50", str(Customer.Status.DEAL.label)]
    assert rows[2] == ["北京科技", "'@home", "-5.00", str(Customer.Status.INTENT.label)]
    assert len(rows) == 3


def test_hidden_column_is_never_exported(client, seller, data):
    FieldRule.objects.create(role=seller.roles.get(), module=MODULE, field="phone", mode="hidden")
    client.force_login(seller)
    rows, _sheet = workbook_rows(client.get(EXPORT, {"format": "xlsx"}))
    assert capfirst(Customer._meta.get_field("phone").verbose_name) not in rows[0]
    assert all("+8613800000000" not in row and "@home" not in row for row in rows)
    csv_text = b"".join(client.get(EXPORT, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert "8613800000000" not in csv_text


def test_custom_fields_are_exported_typed(client, seller):
    CustomField.objects.create(module=MODULE, code="budget", label="预算", type="money")
    CustomField.objects.create(module=MODULE, code="region", label="区域", type="choice", choices=[{"value": "e", "label": "华东"}])
    columns(seller, ["name", "custom.budget", "custom.region"])
    customer(seller, "甲", custom={"budget": "88.80", "region": "e"})
    client.force_login(seller)
    rows, sheet = workbook_rows(client.get(EXPORT, {"format": "xlsx"}))
    assert rows[0] == [capfirst(Customer._meta.get_field("name").verbose_name), "预算", "区域"]
    assert rows[1][0] == "甲" and float(rows[1][1]) == 88.8 and rows[1][2] == "华东"
    assert sheet["B2"].data_type == "n"


def test_export_needs_the_export_permission_and_its_own_scope(client, dept, seller, data):
    reader = make_user("reader", department=dept, roles=[make_role("r", grants={MODULE: {"read": Scope.ALL}})])
    client.force_login(reader)
    assert client.get(EXPORT, {"format": "xlsx"}).status_code == 403
    assert client.get(PRINT).status_code == 403
    assert not AuditLog.objects.filter(action__in=["export", "print"]).exists()
    # Reading everything but exporting only one's own: the export holds only one's own rows.
    narrow = make_user("narrow", department=dept, roles=[make_role("n", grants={MODULE: {"read": Scope.ALL, "export": Scope.OWN}})])
    customer(narrow, "自己的")
    client.force_login(narrow)
    rows, _sheet = workbook_rows(client.get(EXPORT, {"format": "xlsx"}))
    assert [r[0] for r in rows[1:]] == ["自己的"]


def test_export_and_print_are_audited(client, seller, data):
    client.force_login(seller)
    definition = {"op": "and", "rules": [{"field": "name", "operator": "contains", "value": "北京"}]}
    client.get(EXPORT, {"format": "csv", "f": json.dumps(definition)})
    entry = AuditLog.objects.get(action="export")
    assert entry.actor == seller and entry.changes["rows"] == 1 and entry.changes["filter"] == definition
    assert entry.changes["format"] == "csv"
    response = client.get(PRINT, {"sort": "name"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "=1+1" in html and "北京科技" in html and "别人的客户" not in html
    assert AuditLog.objects.get(action="print").changes["rows"] == 2


def test_print_is_capped(client, seller, monkeypatch):
    from core.lists import views

    monkeypatch.setattr(views, "PRINT_LIMIT", 2)
    for i in range(3):
        customer(seller, f"客户{i}")
    client.force_login(seller)
    response = client.get(PRINT)
    assert response.context["capped"] and len(response.context["rows"]) == 2 and response.context["total"] == 3


def test_selected_ids_outside_the_scope_export_nothing(client, colleague, data):
    client.force_login(colleague)
    rows, _sheet = workbook_rows(client.get(EXPORT, {"format": "xlsx", "ids": str(data["formula"].pk)}))
    assert rows[1:] == []
    assert AuditLog.objects.get(action="export").changes["rows"] == 0
