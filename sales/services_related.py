"""The decision chain (决策链), competitors and tasks of an opportunity.

They are part of the opportunity: changing them needs the update scope on it (404 outside), is
refused while it is audited or terminated, and is audited on the opportunity's history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access

from .models import Competitor, Opportunity, OpportunityParticipant, OpportunityTask
from .services import ensure_editable
from .services_base import log_child

CHILD_MODELS = {"participant": OpportunityParticipant, "competitor": Competitor, "task": OpportunityTask}
FIELDS = {
    "participant": ("contact", "role", "attitude", "notes"),
    "competitor": ("name", "offer", "strengths", "weaknesses", "moves"),
    "task": ("title", "due", "assignee", "done"),
}


def _open_opportunity(actor, opportunity_id: int, *, check_editable: bool = True) -> Opportunity:
    opportunity = access.get_visible(actor, "update", Opportunity.objects.select_for_update(of=("self",)),
                                     pk=opportunity_id)
    if check_editable:
        ensure_editable(opportunity)
    return opportunity


def _check(kind: str, row, opportunity: Opportunity) -> None:
    if kind == "participant" and row.contact_id and row.contact.customer_id != opportunity.customer_id:
        raise ValidationError({"contact": _("Choose a contact of the opportunity's customer.")})
    if kind == "task" and row.assignee_id and not row.assignee.is_active:
        raise ValidationError({"assignee": _("Unknown or disabled user.")})


@transaction.atomic
def child_add(*, actor, opportunity: Opportunity, kind: str, data: dict):
    model = CHILD_MODELS[kind]
    unknown = set(data) - set(FIELDS[kind])
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    # Tasks are the salesperson's to-do list: they may be added even while the opportunity is audited.
    locked = _open_opportunity(actor, opportunity.pk, check_editable=kind != "task")
    row = model(opportunity=locked, **data)
    if kind == "task" and row.done:
        row.done_at = timezone.now()
    row.full_clean(exclude=["opportunity"])
    _check(kind, row, locked)
    if kind == "participant" and OpportunityParticipant.objects.filter(opportunity=locked, contact=row.contact).exists():
        raise ValidationError({"contact": _("This contact is already in the decision chain.")})
    row.save()
    log_child(actor=actor, parent=locked, message=_("Added %(what)s: %(row)s") % {"what": model._meta.verbose_name,
                                                                                  "row": _describe(kind, row)})
    return row


@transaction.atomic
def child_delete(*, actor, opportunity: Opportunity, kind: str, pk: int) -> None:
    model = CHILD_MODELS[kind]
    locked = _open_opportunity(actor, opportunity.pk, check_editable=kind != "task")
    row = model.objects.filter(opportunity=locked, pk=pk).first()
    if row is None:
        raise ValidationError(_("Record not found."))
    log_child(actor=actor, parent=locked, message=_("Removed %(what)s: %(row)s") % {"what": model._meta.verbose_name,
                                                                                    "row": _describe(kind, row)})
    row.delete()


@transaction.atomic
def task_set_done(*, actor, opportunity: Opportunity, pk: int, done: bool) -> OpportunityTask:
    locked = _open_opportunity(actor, opportunity.pk, check_editable=False)
    task = OpportunityTask.objects.filter(opportunity=locked, pk=pk).first()
    if task is None:
        raise ValidationError(_("Record not found."))
    if task.done != done:
        task.done, task.done_at = done, timezone.now() if done else None
        task.save(update_fields=["done", "done_at"])
        log_child(actor=actor, parent=locked, changes={"task": task.pk, "done": done},
                  message=(_("Task done: %(t)s") if done else _("Task reopened: %(t)s")) % {"t": task.title})
    return task


def _describe(kind: str, row) -> str:
    if kind == "participant":
        return f"{row.contact} ({row.role})"
    if kind == "competitor":
        return row.name
    return row.title
