"""Receipts (回款) against a receivable: exact under concurrency, once per idempotency key."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import access, audit
from core.audit import Action

from .lines import CENT, to_decimal
from .models import Receipt, Receivable


def _clean_key(key) -> str:
    key = str(key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError({"idempotency_key": _("Give an idempotency key of 1 to 64 characters.")})
    return key


def _existing(key: str, receivable_id: int) -> Receipt | None:
    receipt = Receipt.objects.filter(idempotency_key=key).first()
    if receipt is not None and receipt.receivable_id != receivable_id:
        raise ValidationError({"idempotency_key": _("This idempotency key was used for another receivable.")})
    return receipt


@transaction.atomic
def receipt_post(*, actor, receivable: Receivable | int, amount, date: datetime.date, idempotency_key: str,
                 method=None, notes: str = "") -> Receipt:
    """Record a receipt. A key seen before returns the receipt it recorded, and records nothing."""
    key = _clean_key(idempotency_key)
    amount = to_decimal(amount, "amount")
    if not date:
        raise ValidationError({"date": _("Give the date of the receipt.")})
    pk = getattr(receivable, "pk", receivable)
    # The row lock serialises every receipt of this receivable: balance reads and writes cannot interleave.
    # Contract and order come along for the audit entry's text.
    locked = access.get_visible(actor, "update", Receivable.objects.select_for_update(of=("self",))
                                .select_related("contract", "order"), pk=pk)
    refusal = None
    if amount <= 0 or amount != amount.quantize(CENT):
        refusal = ValidationError({"amount": _("The amount must be more than zero, in cents.")})
    elif amount > locked.balance:
        refusal = ValidationError({"amount": _("The amount %(amount)s is more than the balance %(balance)s.") % {
            "amount": amount, "balance": locked.balance}})
    if refusal is not None:
        # A repeated request whose first run already took the balance is a replay, not an error.
        existing = _existing(key, locked.pk)
        if existing is None:
            raise refusal
        existing.replayed = True
        return existing
    try:
        # The unique key decides replays: the common case (a new key) costs no lookup.
        with transaction.atomic():
            receipt = Receipt.objects.create(receivable=locked, amount=amount, date=date, method=method,
                                             idempotency_key=key, notes=notes or "", created_by=actor)
    except IntegrityError:
        existing = _existing(key, locked.pk)  # another receivable's key raises ValidationError here
        if existing is None:
            raise
        existing.replayed = True  # the caller answers "already recorded" (API: 200, not 201)
        return existing
    before = {"received": str(locked.received), "balance": str(locked.balance)}
    locked.received = locked.received + amount
    locked.balance = locked.amount - locked.received
    locked.version += 1
    locked.save(update_fields=["received", "balance", "version", "updated_at"])
    audit.log(actor=actor, action=Action.UPDATE, instance=locked, message=_("Receipt %(amount)s") % {"amount": amount},
              changes={"received": [before["received"], str(locked.received)],
                       "balance": [before["balance"], str(locked.balance)], "receipt": receipt.pk})
    return receipt


def receivable_totals(receivables) -> dict[str, Decimal]:
    from django.db.models import Sum

    sums = receivables.aggregate(amount=Sum("amount"), received=Sum("received"), balance=Sum("balance"))
    return {k: v or Decimal("0.00") for k, v in sums.items()}
