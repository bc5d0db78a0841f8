"""The demo seeder's targets step: monthly splits add up, departments cover their people, grants given."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from core.demo import DemoContext
from org.models import Grant, Scope
from targets import demo
from targets.access import MODULE
from targets.models import Level, Measure, SalesTarget

from .world import build_world

pytestmark = pytest.mark.django_db


def test_monthly_split_adds_up_exactly():
    for total in (Decimal("770000.00"), Decimal("10600000.00"), Decimal("123456.78")):
        months = demo.monthly(total)
        assert len(months) == 12 and sum(months) == total and all(m >= 0 for m in months)
        assert months[1] < months[0] < months[11]  # quiet February, strong December


def test_seed_targets_for_people_departments_and_company():
    world = build_world()
    rep, head = world.seller.roles.get(), world.manager.roles.get()
    ctx = DemoContext(password="x", log=lambda _m: None)
    ctx.departments = {"销售中心": world.sales, "华东组": world.east, "华西组": world.west}
    ctx.roles = {"sales_rep": rep, "sales_manager": head}
    ctx.users = {"seller": world.seller, "seller2": world.seller2, "manager": world.manager}
    ctx.role_of = {"seller": "sales_rep", "seller2": "sales_rep", "manager": "sales_manager"}
    ctx.admin = world.boss
    demo.seed(ctx)
    year = timezone.localdate().year

    def total(**lookup):
        return SalesTarget.objects.filter(year=year, measure=Measure.CONTRACT_AMOUNT, **lookup).aggregate(
            s=Sum("amount"))["s"]

    people = [total(level=Level.PERSON, owner=u) for u in (world.seller, world.seller2, world.manager)]
    assert all(p >= demo.Decimal(300000) for p in people)
    assert total(level=Level.DEPARTMENT, department=world.east) >= people[0] + people[2]
    assert total(level=Level.DEPARTMENT, department=world.sales) >= sum(people)
    assert total(level=Level.COMPANY) >= total(level=Level.DEPARTMENT, department=world.sales)
    receipts = SalesTarget.objects.filter(measure=Measure.RECEIPTS, level=Level.PERSON, owner=world.seller)
    assert receipts.count() == 12 and receipts.aggregate(s=Sum("amount"))["s"] < people[0]
    assert Grant.objects.get(role=rep, module=MODULE, action="read").scope == Scope.OWN
    assert not Grant.objects.filter(role=rep, module=MODULE, action="create").exists()
    assert Grant.objects.get(role=head, module=MODULE, action="create").scope == Scope.SUBTREE
