"""The demo pipeline, quotes and contracts obey the same rules as real data."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from contracts import demo as contracts_demo
from contracts.models import Contract, Receipt, Receivable
from core.demo import DemoContext
from core.demo import basedata as demo_basedata
from core.demo import customers as demo_customers
from core.demo import org as demo_org
from products import demo as products_demo
from products.selectors import needs_approval
from sales import demo, demo_quotes
from sales.models import ContactRecord, Opportunity, Project, Quote, QuoteLine, StageChange
from sales.models.pipeline import compute_amount


def _seed(*steps, customers=40):
    ctx = DemoContext(password="x", log=lambda text: None, options={"customers": customers})
    for step in (demo_basedata, demo_org, demo_customers, *steps):
        step.seed(ctx)
    return ctx


@pytest.mark.django_db
def test_demo_pipeline_is_consistent():
    _seed(demo)
    opportunities = list(Opportunity.objects.all())
    assert len(opportunities) >= 10
    assert {o.status for o in opportunities} >= {"open", "won", "lost"}
    for o in opportunities:
        assert o.amount == compute_amount(o.expected_amount, o.win_rate)
        last = ContactRecord.objects.filter(opportunity=o, completed=True).order_by("-seq").first()
        assert last is not None and last.stage_id == o.stage_id and last.win_rate == o.win_rate
        records = list(ContactRecord.objects.filter(opportunity=o).order_by("seq"))
        assert [r.seq for r in records] == list(range(1, len(records) + 1))
        assert all(r.completed for r in records[:-1])  # only the last one may be open
        assert [r.created_at for r in records] == sorted(r.created_at for r in records)  # in order in time
        stints = list(StageChange.objects.filter(opportunity=o).order_by("entered_at"))
        assert stints[-1].stage_id == o.stage_id and stints[-1].left_at is None
        assert all(s.left_at is not None for s in stints[:-1])
        if o.status == "lost":
            assert o.lost_reason_id
        if o.status in ("won", "lost"):
            assert o.actual_close == last.date
    for p in Project.objects.select_related("opportunity"):
        assert p.opportunity.audited and p.opportunity.converted


@pytest.mark.django_db
def test_demo_year_quotes_and_contracts_are_consistent():
    ctx = _seed(products_demo, demo, demo_quotes, contracts_demo, customers=60)
    now = ctx.now
    # A year of history: opportunities start in many different months, none in the future.
    months = {o.created_at.strftime("%Y-%m") for o in Opportunity.objects.all()}
    assert len(months) >= 8 and Opportunity.objects.filter(created_at__gt=now).count() == 0
    assert Opportunity.objects.filter(created_at__lt=now - timedelta(days=200)).exists()

    quotes = list(Quote.objects.select_related("contact_record__opportunity", "maintenance_record__project"))
    assert len(quotes) >= 10
    records = [q.contact_record_id or q.maintenance_record_id for q in quotes]
    assert len(set(records)) == len(records)  # at most one quote per record
    assert len({q.code for q in quotes}) == len(quotes) and all(q.code.startswith("BJ-") for q in quotes)
    for quote in quotes:
        lines = list(quote.lines.select_related("product", "unit"))
        assert lines
        for line in lines:
            expected = QuoteLine(quantity=line.quantity, unit_price=line.unit_price, discount=line.discount,
                                 tax_rate=line.tax_rate)
            expected.compute()
            assert (line.amount, line.discount_amount, line.tax, line.total) == (
                expected.amount, expected.discount_amount, expected.tax, expected.total)
        assert quote.grand_total == sum(line.total for line in lines) > 0
        assert quote.subtotal - quote.discount_total + quote.tax_total == quote.grand_total
        parent = quote.contact_record.opportunity if quote.contact_record_id else quote.maintenance_record.project
        assert quote.customer_id == parent.customer_id and quote.owner_id == parent.owner_id
        below = any(needs_approval(quote.created_by, line.product, line.unit, line.effective_price) for line in lines)
        if quote.status == Quote.Status.PENDING or quote.approved_by_id:
            assert below  # only quotes priced below the author's level went to a manager
        if quote.approved_by_id:
            assert quote.approved_by_id != quote.created_by_id
        if quote.status in (Quote.Status.APPROVED, Quote.Status.SENT) and not below:
            assert quote.approved_by_id is None and quote.decided_at
        if quote.status == Quote.Status.SENT:
            assert quote.created_at <= quote.sent_at <= now
        if quote.contact_record_id and parent.status in ("won", "lost"):
            assert quote.status in (Quote.Status.SENT, Quote.Status.REJECTED)
    assert len({q.status for q in quotes}) >= 3

    contracts = list(Contract.objects.select_related("opportunity"))
    assert len(contracts) == Opportunity.objects.filter(status="won").count() > 0
    for contract in contracts:
        assert contract.amount == contract.lines.aggregate(s=Sum("amount"))["s"]
        assert contract.amount == contract.plan.aggregate(s=Sum("amount"))["s"]
        assert contract.sign_date >= contract.opportunity.actual_close
        if contract.status == "draft":
            assert not Receivable.objects.filter(contract=contract).exists()
        else:
            assert contract.approved_at >= contract.created_at
            assert Receivable.objects.filter(contract=contract).count() == contract.plan.count()
    statuses = Counter(r.status for r in Receivable.objects.all())
    assert statuses["paid"] and len(statuses) >= 2  # the full spread is checked in contracts/tests/test_demo.py
    for r in Receivable.objects.all():
        received = Receipt.objects.filter(receivable=r).aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert r.received == received and r.balance == r.amount - received >= 0
    receipts = list(Receipt.objects.select_related("receivable__contract"))
    assert receipts and all(r.date <= timezone.localdate() for r in receipts)
    assert all(r.date >= timezone.localtime(r.receivable.contract.approved_at).date() for r in receipts)
    assert len({r.date.strftime("%Y-%m") for r in receipts}) >= 3  # over the months, not on one day
