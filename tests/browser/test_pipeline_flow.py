"""A sales manager takes a lead all the way to money in the bank, clicking through the pages:

lead → convert (customer, contact, opportunity) → two contact records, completed in order → audit →
project; a quote on a contact record → its PDF shows the total in Chinese capitals (大写) → contract
with the quoted line and a two-period plan → approve → receivables → a receipt → the receivable's
balance and the customer 360 figures follow. Every step is checked on the page and in the database;
at the end someone from another department sees none of it and changes nothing.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from contracts.models import Contract, Receipt, Receivable
from core.basedata import ensure_default_lookups, get_item
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Contact, Customer
from marketing import services as marketing_services
from marketing.models import Lead
from org.models import Scope
from products.models import PriceLevel, PriceLevelGrant, Product, ProductPrice, Unit
from sales.amount_words import amount_in_words
from sales.models import ContactRecord, Opportunity, Project, Quote
from sales.tests.pdf_text import text as pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MODULES = ("marketing.lead", "customers.customer", "sales.opportunity", "sales.project", "sales.quote",
           "contracts.contract", "contracts.receivable")
# 10 台 × 5299.00 less 5 % = 50340.50, plus 13 % tax 6544.27 (6544.265 rounded half up).
QUOTE_TOTAL = Decimal("56884.77")
QUOTE_WORDS = "伍万陆仟捌佰捌拾肆元柒角柒分"
# The contract prices include tax: 5299 × 1.13 = 5987.87; 10 × 5987.87 less 5 % = 56884.765 → 56884.77.
CONTRACT_PRICE = "5987.87"
FIRST, SECOND = Decimal("17065.43"), Decimal("39819.34")
PAID = Decimal("10000.00")


def build():
    ensure_default_lookups(["sales_stage", "customer_source", "industry", "payment_method", "lead_lost_reason"])
    east = make_department("华东销售部")
    grants = {}
    for module in MODULES:
        grants.update(full_grants(module, Scope.SUBTREE))
    grants.update(full_grants("products.product", Scope.ALL, actions=["read"]))
    role = make_role("sales_manager", grants=grants)
    manager = make_user("liuyang", department=east, roles=[role], first_name="洋", last_name="刘")
    own = {}
    for module in MODULES:
        own.update(full_grants(module, Scope.OWN))
    outsider = make_user("outsider", department=make_department("华南销售部"), roles=[make_role("rep", grants=own)])
    unit = Unit.objects.create(name="台")
    product = Product.objects.create(code="CP-PC1", name="商用台式电脑", spec="i5/16G/512G", base_unit=unit,
                                     list_price=Decimal("5299.00"), tax_rate=Decimal("13"))
    # The manager may quote down to the wholesale level, so a 5 % discount needs no approval.
    wholesale = PriceLevel.objects.create(name="批发价", sort=1)
    ProductPrice.objects.create(product=product, level=wholesale, price=Decimal("4769.10"))
    PriceLevelGrant.objects.create(role=role, level=wholesale)
    lead = marketing_services.lead_create(actor=manager, data={
        "company": "苏州恒通精密机械有限公司", "contact_name": "陈静", "mobile": "13912345678",
        "requirement": "办公电脑集中采购"})
    return manager, outsider, product, lead


def add_record(page, opportunity, *, stage: str, content: str, day):
    page.locator(f"a[href='/sales/contactrecord/new/?opportunity={opportunity.pk}']").click()
    page.fill("#id_date", day.isoformat())
    page.fill("#id_content", content)
    page.select_option("#id_stage", str(get_item("sales_stage", stage).pk))
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"/sales/opportunity/{opportunity.pk}/")


def complete(page, record):
    page.locator(f"form[action='/sales/contactrecord/{record.pk}/complete/'] button").click()
    page.wait_for_load_state("networkidle")


def _choose(page, chooser: str, typed: str, value) -> None:
    """Pick a record in an autocomplete chooser as a person does: click, type, click the answer. A
    dropdown still closing from the previous chooser can swallow the first try, so it is tried again."""
    wrapper = page.locator(chooser).locator("xpath=following-sibling::div[contains(@class,'ts-wrapper')]")
    for _attempt in range(3):
        wrapper.locator(".ts-control").click()
        page.keyboard.press("Control+A")
        page.keyboard.type(typed)
        # The option of this chooser that answers the search, not one of another chooser still closing.
        option = wrapper.locator(".ts-dropdown .option", has_text=typed).first
        try:
            option.wait_for(state="visible", timeout=5000)
            option.click()
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
        if page.locator(chooser).input_value() == str(value):
            return
    expect(page.locator(chooser)).to_have_value(str(value))


def test_lead_to_receipt(live_server, page, login, screenshot):
    def shot(name: str):
        # From the top: a full-page shot of a scrolled page draws the fixed header and sidebar mid-page.
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(name)

    manager, outsider, product, lead = build()
    today = timezone.localdate()
    login(manager)

    # Convert the lead: customer, contact and opportunity in one step.
    page.goto(f"/marketing/lead/{lead.pk}/")
    page.get_by_test_id("lead-convert").click()
    expect(page.locator("#id_customer_name")).to_have_value("苏州恒通精密机械有限公司")
    page.fill("#id_expected_amount", "60000")
    shot("flow-1-lead-convert")
    page.get_by_test_id("convert-submit").click()
    expect(page.get_by_test_id("lead-status")).to_have_attribute("data-status", "converted")
    customer = Customer.objects.get()
    opportunity = Opportunity.objects.get()
    assert Contact.objects.get().customer == customer and opportunity.customer == customer
    assert Lead.objects.get().status == "converted" and customer.owner == manager

    # Two contact records, completed in order: the opportunity takes the figures of the last one.
    page.locator(f"a[href='/sales/opportunity/{opportunity.pk}/']").first.click()
    add_record(page, opportunity, stage="needs", content="上门拜访，确认需求清单", day=today - timedelta(days=3))
    add_record(page, opportunity, stage="proposal", content="提交方案与报价", day=today)
    first, second = ContactRecord.objects.filter(opportunity=opportunity).order_by("seq")
    assert (first.seq, second.seq) == (1, 2) and not first.completed and not second.completed
    complete(page, second)  # out of order: refused, nothing changes
    expect(page.locator(".alert-danger")).to_contain_text("#1")
    second.refresh_from_db()
    assert not second.completed
    complete(page, first)
    complete(page, second)
    assert ContactRecord.objects.filter(opportunity=opportunity, completed=True).count() == 2
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "proposal" and opportunity.win_rate == Decimal("50")
    shot("flow-2-records-completed")

    # Audit, then convert into a project.
    page.locator(f"button[formaction='/sales/opportunity/{opportunity.pk}/do/audit/']").click()
    page.wait_for_load_state("networkidle")
    opportunity.refresh_from_db()
    assert opportunity.audited and opportunity.audited_by == manager
    page.locator(f"button[formaction='/sales/opportunity/{opportunity.pk}/do/convert/']").click()
    page.wait_for_load_state("networkidle")
    project = Project.objects.get(opportunity=opportunity)
    assert page.url.endswith(f"/sales/project/{project.pk}/")
    opportunity.refresh_from_db()
    assert opportunity.converted and project.customer == customer

    # A quote on the proposal record: one line, submitted (within the manager's price level) and sent.
    page.goto(f"/sales/opportunity/{opportunity.pk}/")
    page.locator(f"a[href='/sales/quote/new/?contact_record={second.pk}']").click()
    page.select_option("#id_lines-0-product", str(product.pk))
    page.select_option("#id_lines-0-unit", str(product.base_unit_id))
    page.fill("#id_lines-0-quantity", "10")
    page.fill("#id_lines-0-unit_price", "5299")
    page.fill("#id_lines-0-discount", "5")
    page.fill("#id_lines-0-tax_rate", "13")
    page.locator("form.card button.btn-primary").last.click()
    page.wait_for_load_state("networkidle")
    quote = Quote.objects.get()
    assert quote.contact_record == second and quote.grand_total == QUOTE_TOTAL and quote.code.startswith("BJ-")
    expect(page.locator("body")).to_contain_text("56884.77")
    page.locator(f"button[formaction='/sales/quote/{quote.pk}/do/submit/']").click()
    page.wait_for_load_state("networkidle")
    page.locator(f"button[formaction='/sales/quote/{quote.pk}/do/send/']").click()
    page.wait_for_load_state("networkidle")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and quote.sent_at
    expect(page.locator("body")).to_contain_text(QUOTE_WORDS)
    shot("flow-3-quote-sent")

    # Its PDF carries the total in words.
    href = page.locator(f"a[href='/sales/quote/{quote.pk}/pdf/']").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert amount_in_words(QUOTE_TOTAL) == QUOTE_WORDS
    assert QUOTE_WORDS in pdf_text(response.body())

    # The contract: the quoted line at its tax-inclusive price, a plan of two periods.
    page.goto("/contracts/contract/")
    page.locator("a[href='/contracts/contract/new/']").first.click()
    page.fill("#id_title", "办公电脑集中采购合同")
    for chooser, typed, chosen in (("#id_customer", "苏州恒通", customer), ("#id_opportunity", opportunity.code, opportunity),
                                   ("#id_project", project.code, project)):
        _choose(page, chooser, typed, chosen.pk)
    page.fill("#id_sign_date", today.isoformat())
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    contract = Contract.objects.get()
    assert (contract.customer, contract.opportunity, contract.project) == (customer, opportunity, project)
    assert contract.status == "draft" and contract.code.startswith("HT-")
    page.select_option("#line-product", str(product.pk))
    page.fill("#line-qty", "10")
    page.fill("#line-price", CONTRACT_PRICE)
    page.fill("#line-discount", "5")
    page.locator("#line-discount").locator("xpath=ancestor::form").locator("button").click()
    page.wait_for_load_state("networkidle")
    contract.refresh_from_db()
    assert contract.amount == QUOTE_TOTAL
    for due, amount in ((today + timedelta(days=10), FIRST), (today + timedelta(days=40), SECOND)):
        page.fill("#plan-due", due.isoformat())
        page.fill("#plan-amount", str(amount))
        page.locator("#plan-amount").locator("xpath=ancestor::form").locator("button").click()
        page.wait_for_load_state("networkidle")
    assert list(contract.plan.values_list("amount", flat=True)) == [FIRST, SECOND]

    # Approve: one receivable per period.
    page.locator(f"form[action='/contracts/contract/{contract.pk}/do/approve/'] button").click()
    page.wait_for_load_state("networkidle")
    contract.refresh_from_db()
    assert contract.approved and contract.approved_by == manager
    receivables = list(Receivable.objects.filter(contract=contract).order_by("period"))
    assert [(r.amount, r.balance, r.customer_id) for r in receivables] == [
        (FIRST, FIRST, customer.pk), (SECOND, SECOND, customer.pk)]
    for r in receivables:
        expect(page.locator(f"a[href='/contracts/receivable/{r.pk}/']")).to_be_visible()
    shot("flow-4-contract-approved")

    # Before any money comes in, the customer 360 page shows the whole amount still owed.
    page.goto(f"/customers/customer/{customer.pk}/360/")
    figures = page.locator("[data-testid=figures]")
    expect(figures.locator("[data-figure=contract_amount]")).to_contain_text("¥56,884.77")
    expect(figures.locator("[data-figure=received_amount]")).to_contain_text("¥0.00")
    expect(figures.locator("[data-figure=receivable_balance]")).to_contain_text("¥56,884.77")
    page.go_back()

    # A receipt against the first period: partly paid, balance down by what came in.
    page.locator(f"a[href='/contracts/receivable/{receivables[0].pk}/']").click()
    page.fill("#id_amount", str(PAID))
    page.fill("#id_date", today.isoformat())
    page.select_option("#id_method", str(get_item("payment_method", "bank_transfer").pk))
    page.locator(f"form[action='/contracts/receivable/{receivables[0].pk}/receipt/'] button").click()
    page.wait_for_load_state("networkidle")
    first_period = Receivable.objects.get(pk=receivables[0].pk)
    assert (first_period.received, first_period.balance) == (PAID, FIRST - PAID)
    assert first_period.status == "partly_paid" and Receipt.objects.get().amount == PAID
    expect(page.locator("body")).to_contain_text(str(FIRST - PAID))
    shot("flow-5-receipt")

    # The customer 360 figures follow.
    page.goto(f"/customers/customer/{customer.pk}/360/")
    expect(figures.locator("[data-figure=contract_amount]")).to_contain_text("¥56,884.77")
    expect(figures.locator("[data-figure=received_amount]")).to_contain_text("¥10,000.00")
    expect(figures.locator("[data-figure=receivable_balance]")).to_contain_text("¥46,884.77")
    expect(figures.locator("[data-figure=contract_count]")).to_contain_text("1")
    shot("flow-6-customer-360")

    # Someone from another department sees none of it and changes nothing.
    client = Client()
    client.force_login(outsider)
    for url in (f"/customers/customer/{customer.pk}/360/", f"/sales/opportunity/{opportunity.pk}/",
                f"/sales/quote/{quote.pk}/pdf/", f"/contracts/contract/{contract.pk}/",
                f"/contracts/receivable/{receivables[0].pk}/"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/contracts/receivable/{receivables[0].pk}/receipt/",
                           {"amount": "100.00", "date": today.isoformat(), "idempotency_key": "outsider-1"})
    assert response.status_code == 404
    assert Receipt.objects.count() == 1 and Receivable.objects.get(pk=receivables[0].pk).balance == FIRST - PAID
