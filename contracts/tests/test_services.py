"""Contracts and orders: Decimal totals, plan, approval generating receivables, status moves, receipts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from contracts import receipts, services
from contracts.lines import line_amount
from contracts.models import Contract, DocumentStatus, Order, Receipt, Receivable, ReceivableStatus
from core.models import AuditLog

from .world import SIGNED, build_world, contract

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world():
    return build_world()


def test_line_amount_is_exact_half_up():
    assert line_amount(D("3"), D("333.33"), D("10")) == D("899.99")  # 899.991
    assert line_amount(D("1"), D("0.125"), D("0")) == D("0.13")
    assert line_amount(D("0.1"), D("0.2"), D("0")) == D("0.02")


def test_contract_amount_is_the_sum_of_lines_with_units(world):
    c = contract(world, lines=[
        {"product": world.product, "quantity": "3", "price": "333.33", "discount": "10"},
        {"product": world.product, "unit": world.box, "quantity": "2"},  # list price 10 × 24 per box
    ])
    assert c.amount == D("899.99") + D("480.00")
    assert c.code.startswith("HT-")
    line = c.lines.get(unit=world.box)
    assert line.price == D("240") and line.tax_rate == D("13") and line.amount == D("480.00")
    assert AuditLog.objects.filter(object_id=str(c.pk), action="create").exists()


def test_bad_lines_are_refused_and_change_nothing(world):
    other_unit = type(world.box).objects.create(name="台")
    for bad in ({"product": world.product, "quantity": "0"},
                {"product": world.product, "quantity": "1", "discount": "120"},
                {"product": world.product, "quantity": "abc"},
                {"product": world.product, "quantity": "1", "unit": other_unit}):
        with pytest.raises(ValidationError):
            contract(world, lines=[bad])
    assert not Contract.all_objects.exists()


def test_amount_cannot_be_typed(world):
    with pytest.raises(PermissionDenied):
        contract(world, amount=D("1"))


def test_customer_outside_scope_is_refused(world):
    with pytest.raises(ValidationError):
        contract(world, customer=world.theirs)


def test_plan_must_sum_to_amount_when_approving(world):
    c = contract(world, plan=[{"due_date": SIGNED, "amount": "500.00"}, {"due_date": SIGNED, "amount": "399.98"}])
    with pytest.raises(ValidationError, match="adds up to 899.98"):
        services.document_approve(actor=world.seller, instance=c)
    c.refresh_from_db()
    assert c.status == DocumentStatus.DRAFT and not Receivable.objects.exists()


def test_approve_generates_one_receivable_per_period_and_only_once(world):
    due2 = SIGNED + datetime.timedelta(days=60)
    c = contract(world, plan=[{"due_date": SIGNED, "amount": "500.00"}, {"due_date": due2, "amount": "399.99"}])
    c = services.document_approve(actor=world.seller, instance=c)
    assert c.status == DocumentStatus.APPROVED and c.approved_by == world.seller
    rows = list(Receivable.objects.filter(contract=c).order_by("period"))
    assert [(r.period, r.due_date, r.amount, r.balance) for r in rows] == [
        (1, SIGNED, D("500.00"), D("500.00")), (2, due2, D("399.99"), D("399.99"))]
    assert all(r.owner == world.seller and r.customer == world.mine for r in rows)
    with pytest.raises(ValidationError, match="already approved"):
        services.document_approve(actor=world.seller, instance=c)
    assert Receivable.objects.count() == 2
    with pytest.raises(ValidationError, match="draft"):
        services.document_update(actor=world.seller, instance=c, data={"title": "x"})


def test_order_without_plan_gets_one_receivable(world):
    order = services.document_create(actor=world.seller, model=Order,
                                     data={"customer": world.mine, "order_date": SIGNED, "contact": world.contact},
                                     lines=[{"product": world.product, "quantity": "5"}])
    assert order.code.startswith("DD-") and order.amount == D("50.00")
    services.document_approve(actor=world.seller, instance=order)
    r = Receivable.objects.get(order=order)
    assert (r.amount, r.due_date, r.period) == (D("50.00"), SIGNED, 1)


def test_unapprove_refused_once_money_received(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    r = Receivable.objects.get(contract=c)
    receipts.receipt_post(actor=world.seller, receivable=r, amount="1.00", date=SIGNED, idempotency_key="k1")
    with pytest.raises(ValidationError, match="cannot be unapproved"):
        services.document_unapprove(actor=world.seller, instance=c)
    assert Receivable.objects.filter(contract=c).exists()


def test_unapprove_without_receipts_removes_receivables(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    c = services.document_unapprove(actor=world.seller, instance=c)
    assert c.status == DocumentStatus.DRAFT and not Receivable.all_objects.exists()


def test_status_moves(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    c = services.document_set_status(actor=world.seller, instance=c, status=DocumentStatus.EXECUTING)
    with pytest.raises(ValidationError, match="still open"):
        services.document_set_status(actor=world.seller, instance=c, status=DocumentStatus.COMPLETED)
    r = Receivable.objects.get(contract=c)
    receipts.receipt_post(actor=world.seller, receivable=r, amount=r.balance, date=SIGNED, idempotency_key="all")
    c = services.document_set_status(actor=world.seller, instance=c, status=DocumentStatus.COMPLETED)
    assert c.status == DocumentStatus.COMPLETED
    with pytest.raises(ValidationError):
        services.document_set_status(actor=world.seller, instance=c, status=DocumentStatus.EXECUTING)


def test_receipt_bounds_and_balance(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    r = Receivable.objects.get(contract=c)
    for bad in ("0", "-1", "900.00", "0.001"):
        with pytest.raises(ValidationError):
            receipts.receipt_post(actor=world.seller, receivable=r, amount=bad, date=SIGNED, idempotency_key=f"b{bad}")
    assert not Receipt.objects.exists()
    receipts.receipt_post(actor=world.seller, receivable=r, amount="899.98", date=SIGNED, idempotency_key="a")
    r.refresh_from_db()
    assert (r.received, r.balance) == (D("899.98"), D("0.01"))
    with pytest.raises(ValidationError, match="more than the balance"):
        receipts.receipt_post(actor=world.seller, receivable=r, amount="0.02", date=SIGNED, idempotency_key="b")


def test_repeated_idempotency_key_records_one_receipt(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    r = Receivable.objects.get(contract=c)
    first = receipts.receipt_post(actor=world.seller, receivable=r, amount="100", date=SIGNED, idempotency_key="same")
    again = receipts.receipt_post(actor=world.seller, receivable=r, amount="100", date=SIGNED, idempotency_key="same")
    assert first.pk == again.pk and Receipt.objects.count() == 1 and again.replayed
    r.refresh_from_db()
    assert r.received == D("100.00")
    # A replay of the receipt that took the whole balance is still a replay, not "more than the balance".
    rest = receipts.receipt_post(actor=world.seller, receivable=r, amount=r.balance, date=SIGNED, idempotency_key="all")
    replay = receipts.receipt_post(actor=world.seller, receivable=r, amount=rest.amount, date=SIGNED,
                                   idempotency_key="all")
    assert replay.pk == rest.pk and replay.replayed and Receipt.objects.count() == 2
    r.refresh_from_db()
    assert r.balance == D("0.00")
    # The key of another receivable's receipt is refused and records nothing.
    other = Receivable.objects.create(customer=r.customer, contract=r.contract, period=9, due_date=SIGNED,
                                      amount=D("50.00"), balance=D("50.00"), owner=r.owner, department=r.department,
                                      created_by=r.created_by)
    with pytest.raises(ValidationError, match="another receivable"):
        receipts.receipt_post(actor=world.seller, receivable=other, amount="10", date=SIGNED, idempotency_key="same")
    assert Receipt.objects.count() == 2


def test_status_by_date(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    r = Receivable.objects.get(contract=c)
    before, after = SIGNED - datetime.timedelta(days=1), SIGNED + datetime.timedelta(days=1)
    assert r.status_on(before) == ReceivableStatus.PENDING
    assert r.status_on(after) == ReceivableStatus.OVERDUE
    assert list(Receivable.objects.with_status("overdue", after)) == [r]
    receipts.receipt_post(actor=world.seller, receivable=r, amount="10", date=SIGNED, idempotency_key="p")
    r.refresh_from_db()
    assert r.status_on(before) == ReceivableStatus.PARTLY_PAID
    assert list(Receivable.objects.with_status("partly_paid", before)) == [r]
    receipts.receipt_post(actor=world.seller, receivable=r, amount=r.balance, date=SIGNED, idempotency_key="q")
    r.refresh_from_db()
    assert r.status_on(after) == ReceivableStatus.PAID
    assert list(Receivable.objects.with_status("paid", after)) == [r]


def test_outsider_sees_nothing_and_changes_nothing(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    r = Receivable.objects.get(contract=c)
    for fn in (services.document_approve, services.document_unapprove):
        with pytest.raises(Http404):
            fn(actor=world.outsider, instance=c)
    with pytest.raises(Http404):
        services.document_set_status(actor=world.outsider, instance=c, status=DocumentStatus.EXECUTING)
    with pytest.raises(Http404):
        receipts.receipt_post(actor=world.outsider, receivable=r, amount="1", date=SIGNED, idempotency_key="x")
    assert not Receipt.objects.exists()
    c.refresh_from_db()
    assert c.status == DocumentStatus.APPROVED and c.version == 2
