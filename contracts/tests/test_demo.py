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
