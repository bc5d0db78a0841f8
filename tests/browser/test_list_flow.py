"""A salesperson filters the customer list with an OR filter, saves it, reloads it and exports it."""

import time

import openpyxl
import pytest

from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Scope

from .fixtures import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MODULE = "customers.customer"
ALL = ["上海贸易公司", "北京科技有限公司", "广州物流公司"]
KEPT = ["上海贸易公司", "北京科技有限公司"]  # name contains 北京 OR phone contains 021


def customer(owner, name, phone):
    return Customer.objects.create(name=name, phone=phone, owner=owner, department=owner.department, created_by=owner)


def table_names(page, expected=None):
    """The customer names in the table; given ``expected``, waits (up to 5 s) for the HTMX swap that
    follows a response to show them."""
    deadline = time.monotonic() + 5
    while True:
        page.wait_for_load_state("networkidle")
        names = sorted(page.locator("#zg-list-table tbody td:nth-child(2) a").all_inner_texts())
        if expected is None or names == expected or time.monotonic() > deadline:
            return names
        page.wait_for_timeout(100)


def set_rule(row, field, operator, value):
    row.locator("[data-zg-field]").select_option(field)
    row.locator("[data-zg-operator]").select_option(operator)
    row.locator("[data-zg-value]").fill(value)


def test_or_filter_saved_reloaded_and_exported(live_server, page, login, screenshot, tmp_path):
    dept = make_department("销售一部")
    seller = make_user("seller", department=dept, first_name="小明", last_name="王",
                       roles=[make_role("sales", grants=full_grants(MODULE, Scope.OWN))])
    other = make_user("other", department=dept, roles=[make_role("sales2", grants=full_grants(MODULE, Scope.OWN))])
    customer(seller, "北京科技有限公司", "010-88886666")
    customer(seller, "上海贸易公司", "021-55550000")
    customer(seller, "广州物流公司", "020-12345678")
    customer(other, "北京别人的客户", "021-99999999")

    login(seller)
    page.goto("/customers/customer/")
    assert table_names(page, ALL) == ALL

    # Build "name contains 北京 OR phone contains 021" in the filter builder.
    page.get_by_test_id("filter-toggle").click()
    builder = page.locator("#zg-filter-builder")
    set_rule(builder.locator(".zg-rule").nth(0), "name", "contains", "北京")
    builder.locator("[data-zg-add-rule]").first.click()
    set_rule(builder.locator(".zg-rule").nth(1), "phone", "contains", "021")
    builder.locator("[data-zg-group-op]").first.select_option("or")
    with page.expect_response(lambda r: "/customers/customer/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("[data-zg-apply]").click()
    assert table_names(page, KEPT) == KEPT
    assert "f=" in page.url  # the filter is in the address, so reload and back keep it
    screenshot("list-filtered-desktop")

    # Save it under a name.
    page.fill("#zg-save-filter input[name=name]", "京沪客户")
    page.locator("#zg-save-filter button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-success").count() == 1

    # A fresh page shows everything again; loading the saved filter narrows it.
    page.goto("/customers/customer/")
    assert table_names(page, ALL) == ALL
    page.get_by_test_id("saved-filters").click()
    with page.expect_response(lambda r: "/customers/customer/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_role("button", name="京沪客户").click()
    assert table_names(page, KEPT) == KEPT
    assert builder.locator(".zg-rule").count() == 2
    assert builder.locator("[data-zg-group-op]").first.input_value() == "or"

    # Sorting by a header keeps the filter; going back returns to the unsorted filtered list.
    page.locator("#zg-list-table th[data-col=name] a").click()
    page.wait_for_url("**sort=name**")
    assert "f=" in page.url
    assert page.locator("#zg-list-table tbody tr").count() == 2
    with page.expect_event("load"):  # htmx reloads the page for the earlier address
        page.go_back()
    assert "sort=name" not in page.url and "f=" in page.url
    assert table_names(page, KEPT) == KEPT
    assert builder.locator(".zg-rule").count() == 2

    # Export what the list shows to Excel.
    page.get_by_test_id("export-menu").click()
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    target = tmp_path / "export.xlsx"
    info.value.save_as(target)
    sheet = openpyxl.load_workbook(target).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "客户名称"  # the browser asks for Chinese, so the export speaks it too
    assert sorted(r[0] for r in rows[1:]) == ["上海贸易公司", "北京科技有限公司"]
    assert "北京别人的客户" not in {r[0] for r in rows}

    # Select a row: the batch bar appears.
    page.locator("[data-zg-row]").first.check()
    assert page.get_by_test_id("batch-bar").is_visible()
    screenshot("list-selected-desktop")

    # The same page at phone width stays usable.
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert table_names(page, KEPT) == KEPT
    screenshot("list-phone")
