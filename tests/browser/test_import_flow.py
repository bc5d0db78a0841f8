"""Importing customers from a spreadsheet as a person does it: upload, check the column matching, run
the dry run, read what it found, import, and see each row's outcome. (On PostgreSQL the live server
holds no transaction, so the import's batches are committed by the writer thread.)"""

import threading

import pytest
from django.db import connection

from core.imports import engine
from core.models import ImportRun
from customers.models import Customer
from customers.tests.customer_world import create, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_upload_check_and_import_customers(live_server, page, login, screenshot, settings, tmp_path, monkeypatch):
    settings.TASKS = IMMEDIATE
    committed_by = []
    monkeypatch.setattr(engine, "_batch_committed", lambda run_id, last_row: committed_by.append(
        threading.current_thread().name))
    world = make_world()
    known = create(world.alice, "上海月光贸易有限公司", phone="13900139000")
    sheet = tmp_path / "客户.csv"
    sheet.write_text("\n".join([
        "客户名称,电话,省份,城市,区县,客户状态",
        "北京星辰科技有限公司,13800138000,北京,北京市,朝阳区,潜在",
        "杭州云海网络有限公司,0571-88886666,浙江,杭州市,西湖区,意向",
        "上海月光贸易有限公司,13900139000,,,,",      # a stored customer: skipped
        "坏电话公司,12345,,,,",                     # a bad phone: reported, not written
    ]) + "\n", encoding="utf-8")
    login(world.alice)
    page.goto("/imports/new/customers.customer/")
    page.set_input_files("#import-file", str(sheet))
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    # The columns were matched by their Chinese names.
    assert page.locator("select[aria-label='客户名称']").input_value() == "name"
    assert page.locator("select[aria-label='电话']").input_value() == "phone"
    with page.expect_navigation():
        page.get_by_test_id("check").click()
    page.wait_for_selector("[data-testid=start-import]")
    body = page.locator(".page-body").inner_text()
    assert "上海月光贸易有限公司" in body and "12345" in body
    screenshot("import-checked")
    with page.expect_navigation():
        page.get_by_test_id("start-import").click()
    run = ImportRun.objects.get(started_by=world.alice)
    page.wait_for_function("!document.getElementById('import-progress')"
                           " || !document.getElementById('import-progress').hasAttribute('hx-trigger')", timeout=30_000)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and (run.created, run.skipped, run.failed) == (2, 1, 1)
    assert len(committed_by) == 1 and (committed_by[0] == "import-writer") == (connection.vendor == "postgresql")
    screenshot("import-done")
    names = set(Customer.objects.exclude(pk=known.pk).values_list("name", flat=True))
    assert names == {"北京星辰科技有限公司", "杭州云海网络有限公司"}
    assert Customer.objects.get(name="杭州云海网络有限公司").district.name == "西湖区"
    assert "坏电话公司" not in names
