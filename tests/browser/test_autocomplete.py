"""A salesperson adds a contact and finds its customer by typing pinyin initials in the chooser."""

import pytest
from playwright.sync_api import expect

from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Contact, Customer
from org.models import Scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choose_a_customer_by_pinyin_initials(live_server, page, login, screenshot):
    dept = make_department("销售一部")
    seller = make_user("seller", department=dept, roles=[make_role("sales", grants=full_grants("customers.customer", Scope.OWN))])
    other = make_user("other", department=make_department("销售二部"),
                      roles=[make_role("sales2", grants=full_grants("customers.customer", Scope.OWN))])
    for name in ("北京科技有限公司", "上海贸易有限公司"):
        Customer.objects.create(name=name, owner=seller, department=dept, created_by=seller)
    Customer.objects.create(name="北京科技发展公司", owner=other, department=other.department, created_by=other)
    login(seller)
    page.goto("/customers/contact/new/")
    chooser = page.locator(".ts-wrapper").first
    chooser.click()
    page.keyboard.type("bjkj")
    options = page.locator(".ts-dropdown .option")
    # Only the match is offered once the search has answered; the other seller's customer never is.
    expect(options).to_have_text(["北京科技有限公司"])
    screenshot("autocomplete-customer")
    options.first.click()
    page.fill("#id_name", "张伟")
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    contact = Contact.objects.get(name="张伟")
    assert contact.customer.name == "北京科技有限公司"
