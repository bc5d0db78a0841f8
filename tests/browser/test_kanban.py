"""A salesperson drags opportunity cards across the kanban: a move the rules allow lands (stage, rate
and amount change in the database); a move they refuse snaps back with the reason on the page."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.basedata import ensure_default_lookups, get_item
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Scope
from sales import services
from sales.models import Opportunity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def column(page, code: str):
    return page.locator(f".zg-col[data-stage='{get_item('sales_stage', code).pk}']")


def test_drag_a_card_to_the_next_stage_and_a_refused_drag_snaps_back(live_server, page, login, screenshot):
    ensure_default_lookups(["sales_stage"])
    seller = make_user("seller", department=make_department("华东销售部"), first_name="敏", last_name="王",
                       roles=[make_role("sales", grants={**full_grants("sales.opportunity", Scope.OWN),
                                                         **full_grants("customers.customer", Scope.OWN)})])
    customer = Customer.objects.create(name="苏州恒通精密机械有限公司", owner=seller, department=seller.department,
                                       created_by=seller)
    data = {"customer": customer, "stage": get_item("sales_stage", "initial"), "expected_amount": Decimal("200000.00")}
    moving = services.opportunity_create(actor=seller, data={**data, "subject": "数控机床改造"})
    audited = services.opportunity_audit(actor=seller, instance=services.opportunity_create(
        actor=seller, data={**data, "subject": "已审核的商机"}))

    login(seller)
    page.goto("/sales/opportunity/board/")
    card = page.locator(f".zg-card[data-id='{moving.pk}']")
    expect(column(page, "initial").locator(f".zg-card[data-id='{moving.pk}']")).to_be_visible()
    with page.expect_response(lambda r: f"/sales/opportunity/{moving.pk}/move/" in r.url):
        card.drag_to(column(page, "negotiation").locator(".zg-col-body"))
    landed = column(page, "negotiation").locator(f".zg-card[data-id='{moving.pk}']")
    expect(landed).to_be_visible()
    expect(landed).to_have_class(re.compile(r"\bzg-moved\b"))  # the server's answer marks the moved card
    expect(landed).to_contain_text("¥150,000.00")  # 200,000 × the negotiation stage's 75 %
    moving.refresh_from_db()
    assert (moving.stage.code, moving.win_rate, moving.amount) == ("negotiation", 75, Decimal("150000.00"))
    screenshot("kanban-moved")

    # An audited opportunity may not change stage: the card goes back and the reason is shown.
    with page.expect_response(lambda r: f"/sales/opportunity/{audited.pk}/move/" in r.url):
        page.locator(f".zg-card[data-id='{audited.pk}']").drag_to(column(page, "proposal").locator(".zg-col-body"))
    expect(page.locator("#board .alert-danger")).to_be_visible()
    expect(column(page, "initial").locator(f".zg-card[data-id='{audited.pk}']")).to_be_visible()
    assert Opportunity.objects.get(pk=audited.pk).stage.code == "initial"
    screenshot("kanban-refused")
