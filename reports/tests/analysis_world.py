"""Hand-made data for the analysis tests, every figure known in advance (created in 2026, Asia/Shanghai).

People: seller (华东组) and outsider (华西组) have the "own" scope on customers, opportunities, projects
and quotes; boss is an administrator; nobody has no grants.

Opportunities (cost / expected / amount):
  o1 seller mine    600.00 / 1000.00 / 500.00
  o2 seller mine2     — /     — /    —       (only zeros: every margin is "—")
  o3 outsider theirs 100.00 /   — /   0.00   (expected 0: expected margin "—")
  o4 outsider theirs   1.00 /  3.00 /  3.00   (2 ÷ 3 → 66.67 %)
  o5 seller mine     999.00 / 999.00 / 999.00, created 2025-12-31 23:59:59 — outside 2026
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from core.testing import make_user
from customers.models import Customer
from sales.models import Opportunity, Project
from sales.tests.world import build_world, customer_of

D = Decimal


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute, second))


@dataclass
class AWorld:
    seller: object
    outsider: object
    boss: object
    nobody: object
    mine: Customer
    mine2: Customer
    theirs: Customer


def build() -> AWorld:
    w = build_world()
    return AWorld(seller=w.seller, outsider=w.outsider, boss=w.boss, nobody=make_user("nobody"), mine=w.mine,
                  mine2=customer_of(w.seller, "杭州西湖贸易"), theirs=w.theirs)


def record(model, owner, customer, cost, expected, amount, *, created=None, subject="分析", **extra):
    obj = model.objects.create(subject=subject, customer=customer, owner=owner, department=owner.department,
                               created_by=owner, cost_estimate=cost, expected_amount=expected, amount=amount,
                               **extra)
    model.objects.filter(pk=obj.pk).update(created_at=created or at(2026, 3, 15))
    return obj


def opportunities(w: AWorld) -> dict:
    return {
        "o1": record(Opportunity, w.seller, w.mine, D("600.00"), D("1000.00"), D("500.00"), subject="o1"),
        "o2": record(Opportunity, w.seller, w.mine2, None, None, None, subject="o2"),
        "o3": record(Opportunity, w.outsider, w.theirs, D("100.00"), None, D("0.00"), subject="o3"),
        "o4": record(Opportunity, w.outsider, w.theirs, D("1.00"), D("3.00"), D("3.00"), subject="o4"),
        "o5": record(Opportunity, w.seller, w.mine, D("999.00"), D("999.00"), D("999.00"),
                     created=at(2025, 12, 31, 23, 59, 59), subject="o5"),
    }


def projects(w: AWorld) -> dict:
    """p1 seller mine: 80/100/60, actual 70.50/90.00; p2 seller mine2: actual cost 5, no sales;
    p3 outsider theirs: 10/20/20, actual 0/30."""
    return {
        "p1": record(Project, w.seller, w.mine, D("80"), D("100"), D("60"), subject="p1", actual_cost=D("70.50"),
                     actual_sales=D("90.00")),
        "p2": record(Project, w.seller, w.mine2, None, None, None, subject="p2", actual_cost=D("5.00")),
        "p3": record(Project, w.outsider, w.theirs, D("10"), D("20"), D("20"), subject="p3", actual_cost=D("0"),
                     actual_sales=D("30")),
    }
