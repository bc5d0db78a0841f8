"""Writes of projects (项目): made directly or from an audited opportunity, copied back into a new
opportunity, terminated and reactivated. Their maintenance records follow sales.services_records."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, services

from .models import MaintenanceRecord, Opportunity, Project
from .models.pipeline import compute_amount
from .services_base import check_customer, default_rate, next_code, refuse_computed, save_system


def _lock(actor, action: str, project) -> Project:
    return access.get_visible(actor, action, Project.objects.select_for_update(of=("self",)), pk=project.pk)


def _prepare(data: dict, current: Project | None) -> dict:
    data = dict(data)
    if data.get("status") == Project.Status.TERMINATED:
        raise ValidationError({"status": _("Use Terminate to terminate a project.")})
    stage = data.get("stage", current.stage if current else None)
    stage_changed = current is None or ("stage" in data and getattr(data["stage"], "pk", None) != current.stage_id)
    rate_given = data.get("win_rate") is not None and (current is None or data["win_rate"] != current.win_rate)
    if stage_changed and not rate_given and default_rate(stage) is not None:
        data["win_rate"] = default_rate(stage)
    data["amount"] = compute_amount(data.get("expected_amount", current.expected_amount if current else None),
                                    data.get("win_rate", current.win_rate if current else None))
    return data


@transaction.atomic
def project_create(*, actor, data: dict, custom: dict | None = None, opportunity: Opportunity | None = None) -> Project:
    """``opportunity`` is set only by opportunity_convert, which has checked it is audited."""
    refuse_computed(data)
    check_customer(actor, data)
    data = _prepare(data, None)
    if opportunity is not None:
        data["opportunity"] = opportunity
        data["owner"] = opportunity.owner
    if not data.get("code"):
        data["code"] = next_code(Project, "project")
    return services.create_record(actor=actor, model=Project, data=data, custom=custom)


def _ensure_open(project: Project) -> None:
    if project.terminated:
        raise ValidationError(_("The project is terminated; reactivate it first."))


@transaction.atomic
def project_update(*, actor, instance: Project, data: dict, custom: dict | None = None,
                   expected_version: int | None = None) -> Project:
    refuse_computed(data)
    locked = _lock(actor, "update", instance)
    _ensure_open(locked)
    check_customer(actor, data)
    return services.update_record(actor=actor, instance=locked, data=_prepare(data, locked), custom=custom,
                                  expected_version=expected_version)


@transaction.atomic
def project_delete(*, actor, instance: Project) -> Project:
    """Bins the project and its maintenance records; its opportunity may then be unaudited."""
    locked = _lock(actor, "delete", instance)
    from .services_records import delete_all

    delete_all(actor=actor, records=MaintenanceRecord.objects.filter(project=locked))
    deleted = services.delete_record(actor=actor, instance=locked)
    if locked.opportunity_id and not Project.objects.filter(opportunity_id=locked.opportunity_id).exists():
        opportunity = Opportunity.objects.select_for_update(of=("self",)).filter(pk=locked.opportunity_id).first()
        if opportunity is not None and opportunity.converted:
            save_system(actor=actor, instance=opportunity, changes={"converted": False},
                        message=_("Its project was deleted"))
    return deleted


@transaction.atomic
def project_terminate(*, actor, instance: Project) -> Project:
    locked = _lock(actor, "update", instance)
    if locked.terminated:
        raise ValidationError(_("The project is already terminated."))
    return save_system(actor=actor, instance=locked, changes={"terminated": True, "status": Project.Status.TERMINATED},
                       message=_("Terminated"))


@transaction.atomic
def project_reactivate(*, actor, instance: Project) -> Project:
    locked = _lock(actor, "update", instance)
    if not locked.terminated:
        raise ValidationError(_("The project is not terminated."))
    return save_system(actor=actor, instance=locked, changes={"terminated": False, "status": Project.Status.OPEN},
                       message=_("Reactivated"))


@transaction.atomic
def project_copy_to_opportunity(*, actor, instance: Project) -> Opportunity:
    """A new opportunity from a project (e.g. a follow-on sale), with its customer, stage and figures."""
    project = access.get_visible(actor, "read", Project, pk=instance.pk)
    from .services import opportunity_create

    data = {name: getattr(project, name) for name in Project.BACKFILL if name not in ("actual_close",)}
    data.update(subject=project.subject, customer=project.customer, contact=project.contact,
                start_date=timezone.localdate(), notes=project.notes)
    if data.get("planned_close") and data["planned_close"] < data["start_date"]:
        data["planned_close"] = None  # the project's plan has passed; the new opportunity gets its own
    return opportunity_create(actor=actor, data=data, system={"from_project": project})
