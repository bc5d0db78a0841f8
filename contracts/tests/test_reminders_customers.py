"""Reminders before and after the due date, once each; the customer 360 figures and delete rule."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts import receipts, services
from contracts.customer_links import contract_amount, contract_count, receivable_balance, received_amount
from contracts.models import Receivable
from contracts.tasks import send_reminders
from core import services as core_services
from core.models import Notification
from customers.models import Customer

from .world import SIGNED, build_world, contract

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world():
    return build_world()


def test_reminder_before_due_and_when_overdue_once_each(world):
    services.document_approve(actor=world.seller, instance=contract(world))
    assert send_reminders(today=SIGNED - datetime.timedelta(days=4)) == 0
    assert send_reminders(today=SIGNED - datetime.timedelta(days=3)) == 1
    assert send_reminders(today=SIGNED - datetime.timedelta(days=1)) == 0
    assert send_reminders(today=SIGNED + datetime.timedelta(days=1)) == 1
    assert send_reminders(today=SIGNED + datetime.timedelta(days=2)) == 0
    titles = list(Notification.objects.filter(user=world.seller).values_list("title", flat=True))
    assert len(titles) == 2 and any("overdue" in t for t in titles)


def test_paid_receivable_gets_no_reminder(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    r = Receivable.objects.get(contract=c)
    receipts.receipt_post(actor=world.seller, receivable=r, amount=r.balance, date=SIGNED, idempotency_key="all")
    assert send_reminders(today=SIGNED + datetime.timedelta(days=5)) == 0


def test_customer_figures_follow_scope(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    contract(world)  # a draft counts, but has no amount yet
    r = Receivable.objects.get(contract=c)
    receipts.receipt_post(actor=world.seller, receivable=r, amount="99.99", date=SIGNED, idempotency_key="k")
    assert contract_count(world.mine, world.seller) == 2
    assert contract_amount(world.mine, world.seller) == D("899.99")
    assert received_amount(world.mine, world.seller) == D("99.99")
    assert receivable_balance(world.mine, world.seller) == D("800.00")
    assert contract_count(world.mine, world.outsider) == 0
    assert receivable_balance(world.mine, world.outsider) == D("0.00")


def test_customer_with_balance_or_contracts_cannot_be_deleted(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    with pytest.raises(ValidationError, match="receivable balance of 899.99"):
        core_services.delete_record(actor=world.boss, instance=world.mine)
    assert Customer.objects.filter(pk=world.mine.pk).exists()
    other = Customer.objects.create(name="无合同客户", owner=world.seller)
    core_services.delete_record(actor=world.boss, instance=other)
    assert not Customer.objects.filter(pk=other.pk).exists()
    assert c.pk
