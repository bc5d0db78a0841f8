"""The rules that return customers to the public pool, and the daily job applying them.

Which pool a customer belongs to is :func:`selectors.target_pool` of its department; the rule is
that pool's active rule for the customer's level, else its active rule without a level.

* N days without a follow-up count from the later of the last follow-up and the day the owner got
  the customer (``owned_since``);
* M days without a deal count from the later of ``owned_since`` and the last deal, and apply only to
  customers whose status is not "deal".

The owner is warned once (a notification, ``pool_warned_at``) when the return is at most the pool's
``warn_days`` away; a follow-up clears the warning and restarts the clock. A customer is returned
only after its owner was warned at least ``warn_days`` days before (or the pool warns 0 days ahead),
so a rule created today never takes customers away without notice. The job is idempotent: a second
run the same day finds nothing more to do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.models import Notification
from core.periodic import periodic
from customers.models import Customer, Pool, PoolRule

from . import selectors, services

logger = logging.getLogger("zhanggui.customers")
BATCH = 500


@dataclass(frozen=True)
class Due:
    """When a held customer returns to a pool, and why."""

    pool: Pool
    rule: PoolRule
    at: datetime
    why: str


class RuleBook:
    """Active pools and rules, read once per job run, with the target pool cached per department."""

    def __init__(self):
        self.rules: dict[int, dict[int | None, PoolRule]] = {}
        for rule in PoolRule.objects.filter(active=True, pool__active=True).select_related("pool"):
            self.rules.setdefault(rule.pool_id, {})[rule.level_id] = rule
        self._pools: dict[int | None, Pool | None] = {}

    def pool_for(self, department) -> Pool | None:
        key = getattr(department, "pk", None)
        if key not in self._pools:
            self._pools[key] = selectors.target_pool(department)
        return self._pools[key]

    def rule_for(self, pool: Pool, level_id) -> PoolRule | None:
        rules = self.rules.get(pool.pk, {})
        return rules.get(level_id) or rules.get(None)


def due(customer: Customer, book: RuleBook) -> Due | None:
    """When the rules return this held customer to a pool, or None when no rule applies."""
    if customer.pool_id is not None or customer.owner_id is None:
        return None
    pool = book.pool_for(customer.department)
    rule = book.rule_for(pool, customer.level_id) if pool is not None else None
    if rule is None:
        return None
    since = customer.owned_since or customer.created_at
    candidates = []
    if rule.no_followup_days:
        start = max(filter(None, [customer.last_followup_at, since]))
        candidates.append((start + timedelta(days=rule.no_followup_days),
                           _("no follow-up for %(n)s days") % {"n": rule.no_followup_days}))
    if rule.no_deal_days and customer.status != Customer.Status.DEAL:
        start = max(filter(None, [customer.last_deal_at, since]))
        candidates.append((start + timedelta(days=rule.no_deal_days),
                           _("no deal for %(n)s days") % {"n": rule.no_deal_days}))
    if not candidates:
        return None
    at, why = min(candidates, key=lambda c: c[0])
    return Due(pool=pool, rule=rule, at=at, why=why)


def release_day(customer: Customer, found: Due) -> date:
    """The day the job will return the customer: the rule's day, but never before the warning has run its course."""
    day = timezone.localtime(found.at).date()
    if found.pool.warn_days and customer.pool_warned_at:
        day = max(day, timezone.localtime(customer.pool_warned_at).date() + timedelta(days=found.pool.warn_days))
    return day


def _warn(customer: Customer, found: Due, *, now: datetime) -> None:
    customer.pool_warned_at = now
    Customer.objects.filter(pk=customer.pk).update(pool_warned_at=now)
    Notification.objects.create(
        user=customer.owner,
        title=_("%(customer)s returns to %(pool)s on %(date)s") % {
            "customer": customer.name, "pool": found.pool.name, "date": date_format(release_day(customer, found), "Y-m-d")},
        body=_("Reason: %(why)s. Record a follow-up to keep the customer.") % {"why": found.why},
        url=reverse("customers:customer_360", args=[customer.pk]),
    )


def decide(customer: Customer, book: RuleBook, now: datetime) -> tuple[str, Due | None]:
    """("warn" | "release" | "clear" | "", the rule found) for a held customer."""
    found = due(customer, book)
    today = timezone.localtime(now).date()
    if found is None or timezone.localtime(found.at).date() - timedelta(days=found.pool.warn_days) > today:
        # Not within the warning time (any more): an old warning no longer applies.
        return ("clear" if customer.pool_warned_at is not None else ""), found
    if found.pool.warn_days and customer.pool_warned_at is None:
        return "warn", found
    if found.at <= now and release_day(customer, found) <= today:
        return "release", found
    return "", found


def _act(pk: int, book: RuleBook, now: datetime, counts: dict[str, int]) -> None:
    with transaction.atomic():
        # Re-read and decide again under the lock: a follow-up or a claim may have come in meanwhile.
        customer = (Customer.objects.select_for_update(of=("self",)).filter(pk=pk, pool__isnull=True, owner__isnull=False)
                    .select_related("owner", "department").first())
        if customer is None:
            return
        action, found = decide(customer, book, now)
        if action == "clear":
            Customer.objects.filter(pk=pk).update(pool_warned_at=None)
            counts["cleared"] += 1
        elif action == "warn":
            _warn(customer, found, now=now)
            counts["warned"] += 1
        elif action == "release":
            services.put_in_pool(customer, pool=found.pool, actor=None, kind=services.Kind.AUTO_RELEASE,
                                 reason=_("Returned by rule: %(why)s") % {"why": found.why})
            counts["released"] += 1


DECISION_FIELDS = ("pk", "owner", "pool", "department", "level", "status", "owned_since", "created_at",
                   "last_followup_at", "last_deal_at", "pool_warned_at")


def apply_rules(*, now: datetime | None = None) -> dict[str, int]:
    """Warn owners and return customers to their pools; returns how many of each happened."""
    now = now or timezone.now()
    book = RuleBook()
    counts = {"warned": 0, "released": 0, "cleared": 0}
    last = 0
    while True:
        # Batches by primary key, decided in memory; only the customers that need a change are locked.
        batch = list(Customer.objects.filter(pk__gt=last, pool__isnull=True, owner__isnull=False)
                     .select_related("department").only(*DECISION_FIELDS, "department__path").order_by("pk")[:BATCH])
        if not batch:
            break
        for customer in batch:
            if decide(customer, book, now)[0]:
                _act(customer.pk, book, now, counts)
        last = batch[-1].pk
    if counts["warned"] or counts["released"]:
        logger.info("Public pool rules: %(warned)s warned, %(released)s returned", counts)
    return counts


@periodic("customer_pool_rules", daily_at=time(2, 0))
def apply_pool_rules() -> None:
    apply_rules()
