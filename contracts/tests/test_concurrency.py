"""Twenty concurrent receipts against one receivable on PostgreSQL: exact balance, never negative;
five concurrent submits of one idempotency key record one receipt."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from contracts import receipts, services
from contracts.models import Receipt, Receivable
from core.testing import run_together

from .world import SIGNED, build_world, contract

pytestmark = pytest.mark.postgres


def _run(workers: int, work) -> list:
    return run_together(workers, work, expected=(ValidationError,))


@pytest.fixture
def receivable(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    world = build_world()
    # 10 × 100.00 = 1000.00 owed
    c = contract(world, lines=[{"product": world.product, "quantity": "10", "price": "100"}])
    services.document_approve(actor=world.seller, instance=c)
    return world, Receivable.objects.get(contract=c)


def test_twenty_concurrent_receipts_keep_the_balance_exact(receivable):
    world, r = receivable
    amounts = [Decimal("33.33")] * 15 + [Decimal("400.00")] * 5  # more than owed in all: some must be refused

    def work(i):
        return receipts.receipt_post(actor=world.seller, receivable=r.pk, amount=amounts[i], date=SIGNED,
                                     idempotency_key=f"t{i}")

    outcomes = _run(20, work)
    r.refresh_from_db()
    posted = Receipt.objects.filter(receivable=r)
    total = sum((p.amount for p in posted), Decimal("0.00"))
    assert total == r.received
    assert r.balance == r.amount - r.received >= 0
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert refused and len(refused) + posted.count() == 20


def test_same_key_five_times_records_one_receipt(receivable):
    world, r = receivable

    def work(i):
        return receipts.receipt_post(actor=world.seller, receivable=r.pk, amount="10.00", date=SIGNED,
                                     idempotency_key="double-click")

    outcomes = _run(5, work)
    assert Receipt.objects.count() == 1
    assert {o.pk for o in outcomes} == {Receipt.objects.get().pk}
    r.refresh_from_db()
    assert r.received == Decimal("10.00") and r.balance == Decimal("990.00")
