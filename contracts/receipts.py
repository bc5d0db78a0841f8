"""Receipts (回款) against a receivable: exact under concurrency, once per idempotency key."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, audit
from core.audit import Action

from .lines import CENT, to_decimal
from .models import Receipt, Receivable

LOCKED = ("id", "owner_id", "department_id", "created_by_id", "customer_id", "period", "amount", "received",
          "balance", "version", "updated_at", "contract__code", "contract__title", "order__code")


def _clean_key(key) -> str:
    key = str(key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError({"idempotency_key": _("Give an idempotency key of 1 to 64 characters.")})
    return key


def _insert_once(receipt: Receipt) -> bool:
    """``INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`` (PostgreSQL; SQLite 3.35+): True
    with the pk set when the receipt is recorded, False when its key is taken. The unique key decides
    replays in the one statement, with no savepoint and no lookup for the common case of a new key."""
    receipt.created_at = timezone.now()  # auto_now_add, which only save() applies
    fields = [field for field in Receipt._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(Receipt._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) "
           f"ON CONFLICT ({quote(Receipt._meta.get_field('idempotency_key').column)}) DO NOTHING "
           f"RETURNING {quote(Receipt._meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_save(getattr(receipt, field.attname), connection) for field in fields])
        row = cursor.fetchone()
    if row is None:
        return False
    receipt.pk = row[0]
    receipt._state.adding = False
    return True


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
    # Only what a receipt changes and the gate and the audit entry's text (contract or order) need.
    locked = access.get_visible(actor, "update", Receivable.objects.select_for_update(of=("self",))
                                .select_related("contract", "order").only(*LOCKED), pk=pk)
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
    receipt = Receipt(receivable=locked, amount=amount, date=date, method=method, idempotency_key=key,
                      notes=notes or "", created_by=actor)
    if not _insert_once(receipt):
        existing = _existing(key, locked.pk)  # another receivable's key raises ValidationError here
        if existing is None:  # taken, and deleted again before this read: nothing was recorded
            raise ValidationError({"idempotency_key": _("This idempotency key is being used; try again.")})
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
