"""Set-up shared by the pool tests: the customer world plus an east pool (北区) and a company pool."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.models import LookupItem
from customers.models import Customer, Pool, PoolRule

from .customer_world import create, make_world


def level(code: str) -> LookupItem:
    item, _created = LookupItem.objects.get_or_create(kind="customer_level", code=code, defaults={"name": f"{code}级"})
    return item


def make_pools(world, **limits):
    north = Pool.objects.create(name="北区公海", warn_days=3, **limits)
    north.departments.set([world.north])
    company = Pool.objects.create(name="公司公海", warn_days=3, sort=10)
    return north, company


def backdate(customer: Customer, *, owned_days: int, followup_days: int | None = None, **extra) -> Customer:
    """Pretend the owner got the customer ``owned_days`` ago and last followed it up ``followup_days`` ago."""
    now = timezone.now()
    values = {"owned_since": now - timedelta(days=owned_days),
              "last_followup_at": now - timedelta(days=followup_days) if followup_days is not None else None, **extra}
    Customer.objects.filter(pk=customer.pk).update(**values)
    customer.refresh_from_db()
    return customer


def rule(pool, *, level_item=None, followup=None, deal=None) -> PoolRule:
    return PoolRule.objects.create(pool=pool, level=level_item, no_followup_days=followup, no_deal_days=deal)


__all__ = ["backdate", "create", "level", "make_pools", "make_world", "rule"]
