"""The filter builder fetches a foreign key's options when the field is picked, and filters by them."""

import pytest

from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MODULE = "customers.customer"


def _team(n: int, lead_name: tuple[str, str], other_name: tuple[str, str], customer: str):
    """A department whose lead and colleague both see it (department scope), and a customer of the lead."""
    dept = make_department(f"销售{'一二三四'[n - 1]}部")
    role = make_role(f"lead{n}", grants=full_grants(MODULE, Scope.DEPARTMENT))
    lead = make_user(f"lead{n}", department=dept, first_name=lead_name[1], last_name=lead_name[0], roles=[role])
    other = make_user(f"other{n}", department=dept, first_name=other_name[1], last_name=other_name[0], roles=[role])
    return dept, lead, other, Customer.objects.create(name=customer, owner=lead, department=dept, created_by=lead)


def test_owner_options_arrive_on_demand_and_filter(live_server, page, login):
    dept = make_department("销售一部")
    role = make_role("lead", grants=full_grants(MODULE, Scope.DEPARTMENT))
    lead = make_user("lead", department=dept, first_name="经理", last_name="张", roles=[role])
    other = make_user("other", department=dept, first_name="小红", last_name="李", roles=[role])
    for owner, name in ((lead, "北京科技有限公司"), (other, "上海贸易公司")):
        Customer.objects.create(name=name, owner=owner, department=dept, created_by=owner)

    login(lead)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "choices=" in r.url else None)
    page.goto("/customers/customer/")
    assert requests == []  # nothing is fetched until a field with stored options is picked
    page.get_by_test_id("filter-toggle").click()
    row = page.locator("#zg-filter-builder .zg-rule").nth(0)
    row.locator("[data-zg-field]").select_option("owner")
    row.locator("[data-zg-operator]").select_option("eq")
    row.locator("select[data-zg-value]").select_option(str(other.pk))  # waits for the fetched options
    assert any("choices=owner" in url for url in requests)
    with page.expect_response(lambda r: "/customers/customer/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("[data-zg-apply]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#zg-list-table tbody td:nth-child(2) a").all_inner_texts() == ["上海贸易公司"]


def test_assign_dialog_fetches_its_people_when_opened_and_assigns(live_server, page, login):
    _dept, lead, other, customer = _team(2, ("赵", "经理"), ("孙", "小明"), "杭州云帆科技有限公司")

    login(lead)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/records/recipients/" in r.url else None)
    page.goto("/customers/customer/")
    page.locator("[data-zg-row]").first.check()
    assert requests == []  # nothing is fetched before the dialog opens
    page.get_by_role("button", name="分配").first.click()
    page.locator("#zg-assign-owner").select_option(str(other.pk))  # waits for the fetched options
    assert len(requests) == 1
    page.screenshot(path="test-results/assign-dialog.png")
    page.locator("#zg-assign-reason").fill("区域调整")
    with page.expect_navigation():
        page.locator("#zg-assign-modal button[value=assign]").click()
    customer.refresh_from_db()
    assert customer.owner_id == other.pk


def test_column_chooser_hides_and_reorders_columns(live_server, page, login):
    dept = make_department("销售三部")
    role = make_role("lead3", grants=full_grants(MODULE, Scope.DEPARTMENT))
    lead = make_user("lead3", department=dept, first_name="经理", last_name="钱", roles=[role])
    Customer.objects.create(name="成都蜀锦贸易有限公司", phone="02888886666", owner=lead, department=dept, created_by=lead)

    login(lead)
    page.goto("/customers/customer/")
    before = page.locator("#zg-list-table thead th[data-col]").evaluate_all("els => els.map(e => e.dataset.col)")
    assert "phone" in before and before[0] == "name"
    page.get_by_test_id("columns").click()
    page.locator("#zg-chooser input[value=phone]").uncheck()
    second = page.locator("#zg-chooser li").nth(1)
    moved = second.locator("input[name=cols]").get_attribute("value")
    second.locator("[data-zg-move='-1']").click()  # the second column becomes the first
    page.screenshot(path="test-results/column-chooser.png")
    with page.expect_navigation():
        page.locator("#zg-columns-modal button[value=columns]").click()
    after = page.locator("#zg-list-table thead th[data-col]").evaluate_all("els => els.map(e => e.dataset.col)")
    assert "phone" not in after and after[:2] == [moved, "name"]


def test_a_records_share_card_fetches_its_people_and_shares(live_server, page, login):
    from core.models import RecordShare

    _dept, lead, other, customer = _team(4, ("周", "经理"), ("吴", "小芳"), "苏州恒通机械有限公司")

    login(lead)
    page.goto(f"/customers/customer/{customer.pk}/")
    page.locator("#share-users").select_option(str(other.pk))  # waits for the options fetched after the page
    assert page.locator("#share-depts option", has_text="销售四部").count() == 1
    page.screenshot(path="test-results/detail-share-card.png", full_page=True)
    with page.expect_navigation():
        page.locator("#share-users").locator("xpath=ancestor::form").get_by_role("button", name="共享").click()
    share = RecordShare.objects.get(object_id=customer.pk)
    assert share.user_id == other.pk and not share.can_edit
    assert "吴小芳" in page.locator(".card", has_text="共享给").inner_text()
