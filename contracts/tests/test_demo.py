"""The demo seeder's contracts step: plans sum to amounts, balances are exact."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from contracts import demo
from contracts.models import Contract, Receipt, Receivable
from core.demo import DemoContext
from sales import services as sales_services
from sales.models import Opportunity

from .world import build_world

pytestmark = pytest.mark.django_db


def test_seed_makes_consistent_contracts():
    from core.basedata import ensure_default_lookups

    ensure_default_lookups(["sales_stage", "lost_reason", "customer_source"])
    world = build_world()
    for n in range(4):
        opp = sales_services.opportunity_create(actor=world.boss, data={
            "subject": f"项目{n}", "customer": world.mine, "expected_amount": Decimal("1000")})
        Opportunity.objects.filter(pk=opp.pk).update(status=Opportunity.Status.WON)
    demo.seed(DemoContext(password="x", log=lambda _m: None))
    assert Contract.objects.count() == 4
    for contract in Contract.objects.all():
        assert contract.amount == contract.lines.aggregate(s=Sum("amount"))["s"]
        assert contract.amount == contract.plan.aggregate(s=Sum("amount"))["s"]
    for r in Receivable.objects.all():
        received = Receipt.objects.filter(receivable=r).aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert r.received == received and r.balance == r.amount - received >= 0


def test_payments_spread_like_real_customers():
    """Over many periods the demo's payment behaviour gives every receivable status, receipts never
    after today nor before the contract's approval, and never more than the period's amount."""
    import random
    from collections import Counter
    from datetime import timedelta

    from django.utils import timezone

    rng, today = random.Random(7), timezone.localdate()
    start = today - timedelta(days=400)
    statuses, months = Counter(), set()
    for n in range(600):
        receivable = Receivable(amount=Decimal("1000.00"), due_date=today + timedelta(days=90 - n % 300),
                                received=Decimal("0"), balance=Decimal("1000.00"))
        payments = demo._payments(rng, receivable, start, today)
        paid = sum((amount for _day, amount in payments), Decimal("0"))
        assert Decimal("0") <= paid <= receivable.amount
        assert all(start <= day <= today and amount > 0 for day, amount in payments)
        months |= {day.strftime("%Y-%m") for day, _amount in payments}
        receivable.received, receivable.balance = paid, receivable.amount - paid
        statuses[receivable.status_on(today)] += 1
    assert set(statuses) == {"paid", "partly_paid", "pending", "overdue"}
    assert statuses["paid"] > statuses["overdue"] > 0
    assert len(months) >= 7  # due dates span about seven months before today
