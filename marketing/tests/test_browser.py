"""A visitor fills in the web form; a salesperson converts the lead they are given in one step."""

import pytest
from playwright.sync_api import expect

from core.basedata import get_item
from customers.models import Contact, Customer
from marketing.models import Lead, WebForm
from sales.models import Opportunity
from tests.browser.fixtures import PHONE

from .world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_web_form_lead_is_routed_and_converted(live_server, browser, page, login, screenshot):
    w = build_world()
    WebForm.objects.create(slug="trial", title="申请免费试用", fields=["company", "mobile", "requirement"],
                           required=["mobile"], team=w.team, source=get_item("customer_source", "website"))
    phone = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
    visitor = phone.new_page()
    visitor.goto("/marketing/web-form/trial/")
    visitor.fill("#id_contact_name", "陈静")
    visitor.fill("#id_company", "苏州恒通精密机械有限公司")
    visitor.fill("#id_mobile", "13912345678")
    visitor.fill("#id_requirement", "三台数控机床的维保方案")
    visitor.wait_for_timeout(3200)  # a person takes a few seconds; faster submissions are refused
    visitor.click("button[type=submit]")
    expect(visitor.get_by_test_id("web-form-done")).to_be_visible()
    phone.close()
    lead = Lead.objects.get()
    assert lead.owner == w.seller_a  # first in turn of the east team

    login(w.seller_a)
    page.goto(f"/marketing/lead/{lead.pk}/")
    page.get_by_test_id("lead-convert").click()
    expect(page.locator("#id_customer_name")).to_have_value("苏州恒通精密机械有限公司")
    page.fill("#id_expected_amount", "120000")
    screenshot("lead-convert")
    page.get_by_test_id("convert-submit").click()
    expect(page.get_by_test_id("lead-status")).to_have_attribute("data-status", "converted")
    customer = Customer.objects.get()
    assert Contact.objects.get().customer == customer and customer.owner == w.seller_a
    opportunity = Opportunity.objects.get()
    assert opportunity.customer == customer and opportunity.subject == "三台数控机床的维保方案"
    # The lead links to what it became; the sales flow carries on from the opportunity.
    page.locator(f"a[href='/sales/opportunity/{opportunity.pk}/']").click()
    expect(page).to_have_url(f"{live_server.url}/sales/opportunity/{opportunity.pk}/")
