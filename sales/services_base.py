"""Pieces every sales write shares: system-set changes, stage history, numbering, figures."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, audit, numbering
from core.audit import Action
from core.basedata import win_rate
from customers.models import Customer

from .models import Opportunity, StageChange
from .models.pipeline import compute_amount

# Fields the services set; a form or payload naming them is refused.
COMPUTED = frozenset({"amount", "audited", "audited_by", "audited_at", "terminated", "converted",
                      "stage_entered_at", "from_project", "opportunity", "seq", "completed", "completed_at"})


def refuse_computed(data: dict) -> None:
    named = sorted(COMPUTED & set(data))
    if named:
        raise PermissionDenied(_("You may not change the field %(field)s.") % {"field": ", ".join(named)})


def check_customer(actor, data: dict) -> None:
    customer = data.get("customer")
    if customer is None:
        return
    if not access.visible_to(actor, "read", Customer).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": _("Choose a customer you may see.")})


def stage_status(stage, status: str, lost_reason_id) -> str:
    """The status a stage implies: the won/lost stages close the opportunity, the others reopen it."""
    code = getattr(stage, "code", "")
    if code == Opportunity.Status.WON:
        return Opportunity.Status.WON
    if code == Opportunity.Status.LOST:
        return Opportunity.Status.LOST
    if status in (Opportunity.Status.WON, Opportunity.Status.LOST):
        return Opportunity.Status.OPEN
    return status


def default_rate(stage):
    rate = win_rate(stage)
    return None if rate is None else rate


def next_code(model, doc_type: str) -> str:
    return numbering.next_code(doc_type, taken=lambda code: model.all_objects.filter(code=code).exists())


def track_stage(*, actor, opportunity: Opportunity, when=None) -> None:
    """Close the open stage stint and open one for the current stage (call after the stage changed)."""
    when = when or timezone.now()
    StageChange.objects.filter(opportunity=opportunity, left_at__isnull=True).update(left_at=when)
    StageChange.objects.create(opportunity=opportunity, stage=opportunity.stage, entered_at=when,
                               changed_by=actor if getattr(actor, "pk", None) else None)


def save_system(*, actor, instance, changes: dict, message: str):
    """A change the services make themselves (audit state, back-fill…), on a row the caller locked:
    audited and versioned like any edit, but not subject to the actor's field rules. For a record with
    a pipeline, the amount is recomputed and a stage change opens a new stage stint."""
    before = audit.snapshot(instance)
    old_stage = getattr(instance, "stage_id", None)
    for name, value in changes.items():
        setattr(instance, name, value)
    if hasattr(instance, "amount"):
        instance.amount = compute_amount(instance.expected_amount, instance.win_rate)
    stage_moved = isinstance(instance, Opportunity) and instance.stage_id != old_stage
    if stage_moved:
        instance.stage_entered_at = timezone.now()
    diff = audit.diff(before, audit.snapshot(instance))
    if not diff:
        return instance
    instance.full_clean()
    instance.version += 1
    instance.save()
    if stage_moved:
        track_stage(actor=actor, opportunity=instance, when=instance.stage_entered_at)
    audit.log(actor=actor, action=Action.UPDATE, instance=instance, changes=diff, message=message)
    audit.record_version(instance, actor=actor, comment=message)
    return instance


def log_child(*, actor, parent, message: str, changes: dict | None = None) -> None:
    """Rows without their own history (decision chain, competitors, tasks) are audited on the parent."""
    audit.log(actor=actor, action=Action.UPDATE, instance=parent, changes=changes or {}, message=message)
