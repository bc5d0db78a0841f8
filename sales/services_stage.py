"""The per-stage dwell-time limits (StageRule), kept by administrators."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.audit import Action
from core.basedata import may_manage
from core.models import LookupItem

from .models import StageRule

MAX_DAYS = 3650


@transaction.atomic
def stage_rules_save(*, actor, limits: dict[int, str | int | None]) -> int:
    """``{stage id: days}``; an empty value removes the stage's rule (the default limit applies)."""
    if not may_manage(actor):
        raise PermissionDenied(_("Only administrators may change basic data."))
    stages = {s.pk: s for s in LookupItem.objects.filter(kind="sales_stage", pk__in=list(limits))}
    if len(stages) != len(limits):
        raise ValidationError(_("Unknown sales stage."))
    parsed = {}
    for stage_id, raw in limits.items():
        if raw in (None, ""):
            parsed[stage_id] = None
            continue
        try:
            days = int(raw)
        except (TypeError, ValueError):
            days = -1
        if not 1 <= days <= MAX_DAYS:
            raise ValidationError(_("%(stage)s: give a number of days from 1 to %(max)s.") % {
                "stage": stages[stage_id], "max": MAX_DAYS})
        parsed[stage_id] = days
    changed = 0
    for stage_id, days in parsed.items():
        if days is None:
            changed += StageRule.objects.filter(stage_id=stage_id).delete()[0]
        else:
            _rule, created = StageRule.objects.update_or_create(stage_id=stage_id, defaults={"max_days": days})
            changed += 1
    audit.log(actor=actor, action=Action.UPDATE, model=StageRule, object_repr=str(StageRule._meta.verbose_name_plural),
              changes={str(k): v for k, v in parsed.items()})
    return changed
