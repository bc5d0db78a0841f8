"""Daily receivable reminders: the owner hears N days before the due date (CONTRACTS_REMIND_DAYS,
default 3) and once it is overdue; each reminder goes out once per receivable."""

from __future__ import annotations

import datetime
import logging
from datetime import time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Notification
from core.periodic import periodic

from .models import Receivable

logger = logging.getLogger("zhanggui.contracts")


def remind_days() -> int:
    return max(int(getattr(settings, "CONTRACTS_REMIND_DAYS", 3)), 0)


def _notify(receivable: Receivable, title: str) -> None:
    Notification.objects.create(user=receivable.owner, title=title[:200],
                                body=_("Customer: %(customer)s") % {"customer": receivable.customer},
                                url=f"/contracts/receivables/{receivable.pk}/")


def send_reminders(*, today: datetime.date | None = None) -> int:
    """Returns how many reminders were sent. Safe to rerun: the marker is claimed under the row's update."""
    today = today or timezone.localdate()
    now = timezone.now()
    open_ = Receivable.objects.filter(balance__gt=0, owner__isnull=False, owner__is_active=True)
    sent = 0
    due_soon = open_.filter(due_date__gte=today, due_date__lte=today + timedelta(days=remind_days()),
                            reminded_due_at__isnull=True)
    for receivable in due_soon.select_related("customer", "owner", "contract", "order"):
        with transaction.atomic():
            if Receivable.objects.filter(pk=receivable.pk, reminded_due_at__isnull=True).update(reminded_due_at=now):
                _notify(receivable, _("%(what)s: %(balance)s due on %(date)s") % {
                    "what": receivable, "balance": receivable.balance, "date": receivable.due_date})
                sent += 1
    overdue = open_.filter(due_date__lt=today, reminded_overdue_at__isnull=True)
    for receivable in overdue.select_related("customer", "owner", "contract", "order"):
        with transaction.atomic():
            if Receivable.objects.filter(pk=receivable.pk, reminded_overdue_at__isnull=True).update(
                    reminded_overdue_at=now):
                _notify(receivable, _("%(what)s is overdue: %(balance)s was due on %(date)s") % {
                    "what": receivable, "balance": receivable.balance, "date": receivable.due_date})
                sent += 1
    if sent:
        logger.info("Sent %s receivable reminders", sent)
    return sent


@periodic("contracts_receivable_reminders", daily_at=time(8, 30))
def receivable_reminders() -> None:
    send_reminders()
