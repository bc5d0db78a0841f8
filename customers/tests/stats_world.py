"""A small known data set for the customer statistics tests.

alice (北区, own scope) owns c1 and c2, bob (南区, own scope) owns c3 and c4; the manager sees all
four. Creation times sit on month boundaries of the company's time zone (Asia/Shanghai) on purpose.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.models import LookupItem
from customers.models import Customer

from .customer_world import World, make_world

SH = ZoneInfo("Asia/Shanghai")


@dataclass
class StatsWorld:
    w: World
    fair: LookupItem
    web: LookupItem
    c1: Customer
    c2: Customer
    c3: Customer
    c4: Customer

    @property
    def all(self) -> list[Customer]:
        return [self.c1, self.c2, self.c3, self.c4]


def _customer(name, owner, department, *, status, amount, source, created, followup_days=None, updated_days=0):
    now = timezone.now()
    row = Customer.objects.create(name=name, owner=owner, department=department, created_by=owner, status=status,
                                  amount=Decimal(amount), source=source)
    # created_at / updated_at are automatic: set them afterwards to known values.
    Customer.objects.filter(pk=row.pk).update(
        created_at=created, updated_at=now - datetime.timedelta(days=updated_days),
        last_followup_at=None if followup_days is None else now - datetime.timedelta(days=followup_days))
    row.refresh_from_db()
    return row


def make_stats_world() -> StatsWorld:
    w = make_world()
    fair = LookupItem.objects.create(kind="customer_source", code="zg_fair", name="展会")
    web = LookupItem.objects.create(kind="customer_source", code="zg_web", name="官网")
    return StatsWorld(
        w=w, fair=fair, web=web,
        c1=_customer("甲", w.alice, w.north, status="deal", amount="100.10", source=fair,
                     created=datetime.datetime(2026, 1, 15, 10, 0, tzinfo=SH), followup_days=3, updated_days=1),
        # 00:30 on 1 February in Shanghai is still 31 January in UTC: it belongs to February.
        c2=_customer("乙", w.alice, w.north, status="potential", amount="200.20", source=fair,
                     created=datetime.datetime(2026, 2, 1, 0, 30, tzinfo=SH), followup_days=200, updated_days=20),
        c3=_customer("丙", w.bob, w.south, status="deal", amount="0.01", source=web,
                     created=datetime.datetime(2026, 2, 10, 9, 0, tzinfo=SH), followup_days=45, updated_days=100),
        c4=_customer("丁", w.bob, w.south, status="lost", amount="50.00", source=None,
                     created=datetime.datetime(2026, 3, 31, 23, 59, tzinfo=SH), followup_days=None, updated_days=400),
    )
