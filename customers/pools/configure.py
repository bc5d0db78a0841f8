"""Administrators set up pools and their rules (basic data: core.basedata.may_manage)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.audit import Action
from core.models import LookupItem
from customers.models import Pool, PoolRule

from .services import require_manager

LIMIT_FIELDS = ("hold_limit", "daily_claim_limit", "cooldown_days", "warn_days", "sort")
MAX_LIMIT = 100000


def _whole(value, name: str, errors: dict, *, minimum: int = 0, allow_none: bool = False):
    if value in (None, "") and allow_none:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = [_("Enter a whole number.")]
        return None
    if not minimum <= number <= MAX_LIMIT:
        errors[name] = [_("Enter a number from %(low)s to %(high)s.") % {"low": minimum, "high": MAX_LIMIT}]
    return number


@transaction.atomic
def pool_save(*, actor, data: dict, departments=(), instance: Pool | None = None) -> Pool:
    """Create or change a pool: name, description, departments, limits, masking, active."""
    require_manager(actor)
    errors: dict[str, list] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif Pool.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["name"] = [_("A pool with this name exists.")]
    values = {key: _whole(data.get(key, 0) or 0, key, errors) for key in LIMIT_FIELDS}
    if errors:
        raise ValidationError(errors)
    pool = instance or Pool()
    before = audit.snapshot(pool) if instance else {}
    before_departments = sorted(pool.departments.values_list("pk", flat=True)) if instance else []
    pool.name, pool.description = name, (data.get("description") or "").strip()[:200]
    pool.active, pool.mask_contacts = bool(data.get("active", True)), bool(data.get("mask_contacts", True))
    for key, value in values.items():
        setattr(pool, key, value)
    pool.save()
    pool.departments.set(departments)
    changes = audit.diff(before, audit.snapshot(pool))
    after_departments = sorted(d.pk for d in departments)
    if after_departments != before_departments:
        changes["departments"] = [before_departments, after_departments]
    audit.log(actor=actor, action=Action.UPDATE if instance else Action.CREATE, instance=pool, changes=changes)
    return pool


@transaction.atomic
def pool_delete(*, actor, instance: Pool) -> None:
    require_manager(actor)
    if instance.customers.exists() or instance.assignments.exists():
        raise ValidationError(_("This pool holds customers or history; deactivate it instead."))
    audit.log(actor=actor, action=Action.DELETE, instance=instance)
    instance.delete()


@transaction.atomic
def rule_save(*, actor, pool: Pool, level: LookupItem | None, no_followup_days, no_deal_days, active: bool = True,
              instance: PoolRule | None = None) -> PoolRule:
    """A rule per customer level (or the default rule, level None) of a pool; at least one limit."""
    require_manager(actor)
    errors: dict[str, list] = {}
    followup = _whole(no_followup_days, "no_followup_days", errors, minimum=1, allow_none=True)
    deal = _whole(no_deal_days, "no_deal_days", errors, minimum=1, allow_none=True)
    if not errors and followup is None and deal is None:
        errors["no_followup_days"] = [_("Give the days without follow-up, the days without a deal, or both.")]
    if level is not None and level.kind != "customer_level":
        errors["level"] = [_("Choose a customer level.")]
    clash = PoolRule.objects.filter(pool=pool, level=level).exclude(pk=getattr(instance, "pk", None))
    if clash.exists():
        errors["level"] = [_("This pool has a rule for this level already.")]
    if errors:
        raise ValidationError(errors)
    rule = instance or PoolRule(pool=pool)
    before = audit.snapshot(rule) if instance else {}
    rule.level, rule.no_followup_days, rule.no_deal_days, rule.active = level, followup, deal, active
    rule.save()
    audit.log(actor=actor, action=Action.UPDATE if instance else Action.CREATE, instance=rule,
              changes=audit.diff(before, audit.snapshot(rule)))
    return rule


@transaction.atomic
def rule_delete(*, actor, instance: PoolRule) -> None:
    require_manager(actor)
    audit.log(actor=actor, action=Action.DELETE, instance=instance)
    instance.delete()
