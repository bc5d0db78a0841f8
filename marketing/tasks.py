"""Background jobs of the marketing app (found by core.periodic.autodiscover)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.periodic import periodic

from .models import WebFormHit

# The rate limit looks back one hour; a month of hits is kept for looking into spam waves.
KEEP_HITS_DAYS = 30


def purge_web_form_hits(*, now=None) -> int:
    """Delete submission records older than ``KEEP_HITS_DAYS``; idempotent. Returns the count deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_HITS_DAYS)
    deleted, _rows = WebFormHit.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@periodic("marketing_purge_web_form_hits", daily_at=datetime.time(3, 30))
def purge_web_form_hits_daily() -> None:
    purge_web_form_hits()
