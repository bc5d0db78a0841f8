"""Contact records (联系记录) of opportunities and maintenance records (维护记录) of projects: one set
of rules for both kinds.

- Records are numbered 1, 2, 3… per parent and completed in that order: a record can be completed
  only when every earlier record is completed. Open records may be added, changed and deleted freely.
- A completed record is immutable: it cannot be edited. To change it, delete it and add it again;
  only the latest completed record can be deleted (deleting an earlier one would break the order).
- After a record is completed, and after a completed record is deleted, the parent's stage, rate,
  cost estimate, expected amount and dates are back-filled from the last completed record (fields the
  record leaves empty keep the parent's value; with no completed record left nothing changes), and
  its amount is recomputed.
- While the parent is locked (audited or terminated opportunity, terminated project) its records
  cannot change.
- Deleting a record runs the sales.cascades hooks first (its quote goes with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, services

from . import cascades
from .models import ContactRecord, MaintenanceRecord, Opportunity, Project
from .models.records import ProgressRecord
from .services_base import default_rate, refuse_computed, save_system, stage_status


@dataclass(frozen=True)
class Kind:
    model: type[ProgressRecord]
    parent_model: type
    parent_field: str


KINDS = {ContactRecord: Kind(ContactRecord, Opportunity, "opportunity"),
         MaintenanceRecord: Kind(MaintenanceRecord, Project, "project")}


def _kind(model) -> Kind:
    return KINDS[model._meta.concrete_model]


def _ensure_parent_open(parent) -> None:
    if getattr(parent, "terminated", False):
        raise ValidationError(_("%(parent)s is terminated; reactivate it first.") % {"parent": parent})
    if getattr(parent, "audited", False):
        raise ValidationError(_("%(parent)s is audited; unaudit it first.") % {"parent": parent})


def _lock_parent(actor, kind: Kind, parent_id: int):
    """The parent, locked: record changes of one parent are serialised, and changing a record
    changes its parent, so it needs the update scope on it (404 outside it)."""
    qs = kind.parent_model.objects.select_for_update(of=("self",))
    parent = access.get_visible(actor, "update", qs, pk=parent_id)
    _ensure_parent_open(parent)
    return parent


def _siblings(kind: Kind, parent):
    return kind.model.objects.filter(**{kind.parent_field: parent})


def last_completed(kind_model, parent):
    kind = _kind(kind_model)
    return _siblings(kind, parent).filter(completed=True).order_by("-seq", "-id").first()


def backfill(*, actor, kind: Kind, parent):
    """Copy the last completed record's pipeline figures onto the (locked) parent."""
    last = last_completed(kind.model, parent)
    if last is None:
        return parent
    changes = {name: getattr(last, name) for name in ProgressRecord.BACKFILL if getattr(last, name) is not None}
    if isinstance(parent, Opportunity) and "stage" in changes and changes["stage"].pk != parent.stage_id:
        status = stage_status(changes["stage"], parent.status, parent.lost_reason_id)
        # Reaching the lost stage without a lost reason keeps the status; the salesperson gives it.
        if status != Opportunity.Status.LOST or parent.lost_reason_id:
            changes["status"] = status
    return save_system(actor=actor, instance=parent, changes=changes,
                       message=_("Back-filled from record #%(seq)s") % {"seq": last.seq})


def _defaults(data: dict, parent) -> dict:
    """A new record starts from its parent's current figures; a stage given alone brings its rate."""
    data = dict(data)
    if data.get("stage") is not None and data.get("win_rate") is None:
        rate = default_rate(data["stage"])
        if rate is not None:
            data["win_rate"] = rate
    for name in ProgressRecord.BACKFILL:
        if data.get(name) is None and getattr(parent, name) is not None and name not in ("actual_close",):
            data[name] = getattr(parent, name)
    return data


@transaction.atomic
def record_create(*, actor, model, data: dict, custom: dict | None = None) -> ProgressRecord:
    kind = _kind(model)
    data = dict(data)
    parent = data.pop(kind.parent_field, None)
    refuse_computed(data)
    if parent is None:
        raise ValidationError({kind.parent_field: _("This field is required.")})
    access.require(actor, "create", kind.model)
    parent = _lock_parent(actor, kind, parent.pk)
    seq = (_siblings(kind, parent).aggregate(m=Max("seq"))["m"] or 0) + 1
    data = _defaults(data, parent)
    data.setdefault("date", timezone.localdate())
    return services.create_record(actor=actor, model=kind.model, custom=custom,
                                  data={**data, kind.parent_field: parent, "seq": seq})


def _locked_record(actor, action: str, kind: Kind, record):
    return access.get_visible(actor, action, kind.model.objects.select_for_update(of=("self",)), pk=record.pk)


@transaction.atomic
def record_update(*, actor, instance: ProgressRecord, data: dict, custom: dict | None = None,
                  expected_version: int | None = None) -> ProgressRecord:
    kind = _kind(type(instance))
    data = dict(data)
    moved = data.pop(kind.parent_field, None)
    if moved is not None and moved.pk != getattr(instance, f"{kind.parent_field}_id"):
        raise ValidationError({kind.parent_field: _("A record cannot be moved to another parent.")})
    refuse_computed(data)
    _lock_parent(actor, kind, getattr(instance, f"{kind.parent_field}_id"))
    record = _locked_record(actor, "update", kind, instance)
    if record.completed:
        raise ValidationError(_("A completed record cannot be changed; delete it and add it again."))
    if data.get("stage") is not None and data.get("win_rate") is None and default_rate(data["stage"]) is not None:
        data["win_rate"] = default_rate(data["stage"])
    return services.update_record(actor=actor, instance=record, data=data, custom=custom,
                                  expected_version=expected_version)


@transaction.atomic
def record_complete(*, actor, instance: ProgressRecord, expected_version: int | None = None) -> ProgressRecord:
    kind = _kind(type(instance))
    parent = _lock_parent(actor, kind, getattr(instance, f"{kind.parent_field}_id"))
    record = _locked_record(actor, "update", kind, instance)
    if record.completed:
        raise ValidationError(_("This record is already completed."))
    earlier = _siblings(kind, parent).filter(seq__lt=record.seq, completed=False).order_by("seq").first()
    if earlier is not None:
        raise ValidationError(_("Complete record #%(seq)s first: records are completed in order.") % {"seq": earlier.seq})
    record = services.update_record(actor=actor, instance=record, expected_version=expected_version,
                                    data={"completed": True, "completed_at": timezone.now()}, comment=_("Completed"))
    backfill(actor=actor, kind=kind, parent=parent)
    return record


def _bin(*, actor, record) -> None:
    cascades.record_deleted(actor=actor, record=record)
    services.delete_record(actor=actor, instance=record)


@transaction.atomic
def record_delete(*, actor, instance: ProgressRecord) -> ProgressRecord:
    kind = _kind(type(instance))
    parent = _lock_parent(actor, kind, getattr(instance, f"{kind.parent_field}_id"))
    record = _locked_record(actor, "delete", kind, instance)
    if record.completed:
        latest = last_completed(kind.model, parent)
        if latest is not None and latest.pk != record.pk:
            raise ValidationError(_("Only the latest completed record (#%(seq)s) can be deleted; delete the later ones first.")
                                  % {"seq": latest.seq})
    _bin(actor=actor, record=record)
    if record.completed:
        backfill(actor=actor, kind=kind, parent=parent)
    return record


def delete_all(*, actor, records) -> int:
    """The cascade of a parent's delete: every live record goes to the bin, whatever its state."""
    count = 0
    for record in records.order_by("-seq"):
        _bin(actor=actor, record=record)
        count += 1
    return count
