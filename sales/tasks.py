"""The daily stage dwell-time alert: the salesperson hears once per stint when an open opportunity has
sat in a stage longer than the stage's limit (StageRule, else settings.SALES_STAGE_ALERT_DAYS, 30)."""

from __future__ import annotations

import logging
from datetime import time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.models import Notification
from core.periodic import periodic

from .models import Opportunity, StageChange, StageRule

logger = logging.getLogger("zhanggui.sales")


def default_limit_days() -> int:
    return max(int(getattr(settings, "SALES_STAGE_ALERT_DAYS", 30)), 1)


def limit_days(stage_id: int | None, rules: dict[int, int] | None = None) -> int:
    if rules is None:
        rules = dict(StageRule.objects.values_list("stage_id", "max_days"))
    return rules.get(stage_id, default_limit_days())


def overdue_stints(now=None):
    """Open stints of live, open, active opportunities past their stage's limit and not yet alerted."""
    now = now or timezone.now()
    rules = dict(StageRule.objects.values_list("stage_id", "max_days"))
    stints = (StageChange.objects.filter(left_at__isnull=True, alerted_at__isnull=True,
                                         opportunity__deleted_at__isnull=True, opportunity__terminated=False,
                                         opportunity__status=Opportunity.Status.OPEN,
                                         opportunity__owner__is_active=True)
              .select_related("opportunity", "opportunity__owner", "stage"))
    return [s for s in stints if now - s.entered_at > timedelta(days=limit_days(s.stage_id, rules))]


def alert_stalled(*, now=None) -> int:
    """Notify the owners; returns how many alerts were sent. Safe to run again: a stint is alerted once."""
    now = now or timezone.now()
    sent = 0
    for stint in overdue_stints(now):
        opportunity, owner = stint.opportunity, stint.opportunity.owner
        with transaction.atomic():
            # The marker is set under the row's own update, so a rerun or a second worker skips it.
            claimed = StageChange.objects.filter(pk=stint.pk, alerted_at__isnull=True).update(alerted_at=now)
            if not claimed or not access.visible_to(owner, "read", Opportunity).filter(pk=opportunity.pk).exists():
                continue
            days = (now - stint.entered_at).days
            Notification.objects.create(
                user=owner,
                title=_("%(opportunity)s has been in stage %(stage)s for %(days)s days") % {
                    "opportunity": opportunity, "stage": stint.stage or "—", "days": days},
                body=_("Customer: %(customer)s") % {"customer": opportunity.customer},
                url=reverse("sales:opportunity_detail", args=[opportunity.pk]),
            )
            sent += 1
    if sent:
        logger.info("Sent %s stage dwell-time alerts", sent)
    return sent


@periodic("sales_stage_alerts", daily_at=time(8, 0))
def send_stage_alerts() -> None:
    alert_stalled()
