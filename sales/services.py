"""Writes of opportunities (商机), with the 卓越精财 rules.

- The completion rate defaults from the stage's win rate; the amount is expected amount × rate,
  computed here and never typed.
- An audited or terminated opportunity is locked: edits, stage moves (kanban included) and record
  changes are refused until it is unaudited or reactivated.
- Only an audited opportunity converts into a project; unaudit is refused while a live project made
  from it exists (delete the project first).
- Deleting an opportunity deletes its contact records (and, through sales.cascades, their quotes),
  never its project.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, services

from . import cascades
from .models import ContactRecord, Opportunity, Project
from .models.pipeline import compute_amount
from .services_base import (
    check_customer,
    default_rate,
    next_code,
    refuse_computed,
    save_system,
    stage_status,
    track_stage,
)

Status = Opportunity.Status


def _lock(actor, action: str, opportunity) -> Opportunity:
    # FOR UPDATE: audit, convert and record changes of one opportunity must not interleave.
    return access.get_visible(actor, action, Opportunity.objects.select_for_update(of=("self",)), pk=opportunity.pk)


def ensure_editable(opportunity: Opportunity) -> None:
    if opportunity.terminated:
        raise ValidationError(_("The opportunity is terminated; reactivate it first."))
    if opportunity.audited:
        raise ValidationError(_("The opportunity is audited; unaudit it first."))


def _prepare(actor, data: dict, current: Opportunity | None) -> dict:
    """Fill in the rate a stage implies, the status it implies and the amount."""
    data = dict(data)
    if data.get("status") == Status.TERMINATED:
        raise ValidationError({"status": _("Use Terminate to terminate an opportunity.")})
    stage = data.get("stage", current.stage if current else None)
    stage_changed = current is None or ("stage" in data and getattr(data["stage"], "pk", None) != current.stage_id)
    rate_given = "win_rate" in data and data["win_rate"] is not None and (
        current is None or data["win_rate"] != current.win_rate)
    if stage_changed and not rate_given and "win_rate" not in access.readonly_fields(actor, Opportunity):
        rate = default_rate(stage)
        if rate is not None:
            data["win_rate"] = rate
    if stage_changed and stage is not None:
        status = data.get("status", current.status if current else Status.OPEN)
        lost_reason = data.get("lost_reason", current.lost_reason if current else None)
        data["status"] = stage_status(stage, status, getattr(lost_reason, "pk", None))
    if data.get("status") == Status.WON and not data.get("actual_close", current.actual_close if current else None):
        data["actual_close"] = timezone.localdate()
    expected = data.get("expected_amount", current.expected_amount if current else None)
    rate = data.get("win_rate", current.win_rate if current else None)
    data["amount"] = compute_amount(expected, rate)
    if stage_changed:
        data["stage_entered_at"] = timezone.now()
    return data


@transaction.atomic
def opportunity_create(*, actor, data: dict, custom: dict | None = None, system: dict | None = None) -> Opportunity:
    """``system`` carries service-set fields from other services (e.g. ``from_project``)."""
    refuse_computed(data)
    check_customer(actor, data)
    data = _prepare(actor, data, None)
    if not data.get("code"):
        data["code"] = next_code(Opportunity, "opportunity")
    data.update(system or {})
    opportunity = services.create_record(actor=actor, model=Opportunity, data=data, custom=custom)
    track_stage(actor=actor, opportunity=opportunity, when=opportunity.stage_entered_at)
    _won(opportunity, was=None)
    return opportunity


def _won(opportunity: Opportunity, *, was: str | None) -> None:
    """A won opportunity is a deal for its customer: the public pool's "no deal" clock restarts."""
    if opportunity.status == Status.WON and was != Status.WON:
        from customers.services import mark_deal

        mark_deal(opportunity.customer)


@transaction.atomic
def opportunity_update(*, actor, instance: Opportunity, data: dict, custom: dict | None = None,
                       expected_version: int | None = None, comment: str = "") -> Opportunity:
    refuse_computed(data)
    locked = _lock(actor, "update", instance)
    ensure_editable(locked)
    check_customer(actor, data)
    if "customer" in data and data["customer"] != locked.customer and locked.records.exists():
        raise ValidationError({"customer": _("An opportunity with contact records cannot move to another customer.")})
    old_stage, old_status = locked.stage_id, locked.status
    prepared = _prepare(actor, data, locked)
    saved = services.update_record(actor=actor, instance=locked, data=prepared, custom=custom,
                                   expected_version=expected_version, comment=comment)
    if saved.stage_id != old_stage:
        track_stage(actor=actor, opportunity=saved, when=saved.stage_entered_at)
    _won(saved, was=old_status)
    return saved


def opportunity_move_stage(*, actor, instance: Opportunity, stage, expected_version: int | None = None) -> Opportunity:
    """The kanban's drag and the API's move-stage: the same update as the form, with the same rules."""
    if stage is None or stage.kind != "sales_stage" or not stage.active:
        raise ValidationError({"stage": _("Choose an active sales stage.")})
    return opportunity_update(actor=actor, instance=instance, data={"stage": stage},
                              expected_version=expected_version, comment=_("Stage moved"))


@transaction.atomic
def opportunity_delete(*, actor, instance: Opportunity) -> Opportunity:
    locked = _lock(actor, "delete", instance)
    from .services_records import delete_all

    delete_all(actor=actor, records=ContactRecord.objects.filter(opportunity=locked))
    cascades.opportunity_deleted(actor=actor, opportunity=locked)
    # Its project stays: it has a life of its own once converted.
    return services.delete_record(actor=actor, instance=locked)


# ---- audit, terminate, convert ---------------------------------------------------------------------

def live_projects(opportunity: Opportunity):
    return Project.objects.filter(opportunity=opportunity)


@transaction.atomic
def opportunity_audit(*, actor, instance: Opportunity) -> Opportunity:
    locked = _lock(actor, "update", instance)
    if locked.terminated:
        raise ValidationError(_("A terminated opportunity cannot be audited."))
    if locked.audited:
        raise ValidationError(_("The opportunity is already audited."))
    return save_system(actor=actor, instance=locked, message=_("Audited"),
                       changes={"audited": True, "audited_by": actor, "audited_at": timezone.now()})


@transaction.atomic
def opportunity_unaudit(*, actor, instance: Opportunity) -> Opportunity:
    locked = _lock(actor, "update", instance)
    if not locked.audited:
        raise ValidationError(_("The opportunity is not audited."))
    if live_projects(locked).exists():
        raise ValidationError(_("The opportunity has been converted into a project; delete the project first."))
    return save_system(actor=actor, instance=locked, message=_("Unaudited"),
                       changes={"audited": False, "audited_by": None, "audited_at": None})


@transaction.atomic
def opportunity_terminate(*, actor, instance: Opportunity) -> Opportunity:
    locked = _lock(actor, "update", instance)
    if locked.terminated:
        raise ValidationError(_("The opportunity is already terminated."))
    if live_projects(locked).exists():
        raise ValidationError(_("The opportunity has become a project; terminate the project instead."))
    return save_system(actor=actor, instance=locked, message=_("Terminated"),
                       changes={"terminated": True, "status": Status.TERMINATED})


@transaction.atomic
def opportunity_reactivate(*, actor, instance: Opportunity) -> Opportunity:
    locked = _lock(actor, "update", instance)
    if not locked.terminated:
        raise ValidationError(_("The opportunity is not terminated."))
    return save_system(actor=actor, instance=locked, message=_("Reactivated"),
                       changes={"terminated": False, "status": Status.OPEN})


@transaction.atomic
def opportunity_convert(*, actor, instance: Opportunity) -> Project:
    """Make a project from an audited opportunity; it carries the stage, rate, amounts and customer."""
    locked = _lock(actor, "update", instance)
    if locked.terminated:
        raise ValidationError(_("A terminated opportunity cannot be converted."))
    if not locked.audited:
        raise ValidationError(_("Only an audited opportunity can be converted into a project."))
    if live_projects(locked).exists():
        raise ValidationError(_("The opportunity has already been converted into a project."))
    from .services_project import project_create

    carried = {name: getattr(locked, name) for name in Opportunity.BACKFILL}
    project = project_create(actor=actor, data={"subject": locked.subject, "customer": locked.customer,
                                                "contact": locked.contact, "notes": locked.notes, **carried},
                             opportunity=locked)
    save_system(actor=actor, instance=locked, changes={"converted": True}, message=_("Converted into a project"))
    return project
