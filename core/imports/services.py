"""Writes of imports: upload a file, set its column mapping (and save it as a template), start the
dry run, choose what happens to duplicates, start the import, resume it after a crash.

A run belongs to the user who uploaded it: anyone else (but an administrator) gets a 404.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.jobs import start_job
from core.models import ImportRun, ImportTemplate, JobProgress

from . import mapping as mapping_mod
from . import readers
from .registry import ImporterDefinition, get_importer

Status = ImportRun.Status
Decision = ImportRun.Decision
MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# A running import whose job has not reported for this long is taken for dead and may be resumed.
STALE_AFTER = datetime.timedelta(minutes=10)


def importer_for(actor, entity: str) -> ImporterDefinition:
    """The importer of an entity, if the actor may create such records; else 404 / PermissionDenied."""
    try:
        importer = get_importer(entity)
    except KeyError:
        raise Http404(_("Record not found.")) from None
    access.require(actor, "create", importer.model)
    return importer


def runs_for(user):
    runs = ImportRun.objects.select_related("job")
    return runs if user.is_superuser else runs.filter(started_by=user)


def run_get(*, user, pk) -> ImportRun:
    try:
        return runs_for(user).get(pk=pk)
    except (ImportRun.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Record not found.")) from None


def templates_for(user, entity: str):
    return ImportTemplate.objects.filter(Q(owner=user) | Q(shared=True), entity=entity).select_related("owner")


@transaction.atomic
def run_create(*, actor, entity: str, upload: UploadedFile) -> ImportRun:
    """Store an uploaded file as a new run with a guessed mapping. The type is checked by content."""
    importer = importer_for(actor, entity)
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not upload.size:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    kind = readers.detect_kind(upload.read(8192))
    upload.seek(0)
    headers, _rows = readers.read_rows(upload, kind)
    upload.seek(0)
    fields = importer.fields(actor)
    run = ImportRun(entity=entity, original_name=(upload.name or "")[:200], file_kind=kind, headers=headers,
                    mapping=mapping_mod.guess(headers, fields), started_by=actor)
    run.file.save(f"upload.{kind}", upload, save=False)
    run.save()
    return run


def _check_mapping(actor, run: ImportRun, mapping: dict[str, str]) -> dict[str, str]:
    importer = get_importer(run.entity)
    fields = {f.name: f for f in importer.fields(actor)}
    clean, used = {}, set()
    for index, name in mapping.items():
        if not name:
            continue
        if name not in fields:
            raise ValidationError(_("You may not import the field %(field)s.") % {"field": name})
        if not str(index).isdigit() or int(index) >= len(run.headers):
            raise ValidationError(_("Unknown column."))
        if name in used:
            raise ValidationError(_("%(field)s is chosen for two columns.") % {"field": fields[name].label})
        used.add(name)
        clean[str(int(index))] = name
    missing = [str(f.label) for f in fields.values() if f.required and f.name not in used]
    if missing:
        raise ValidationError(_("Choose a column for: %(fields)s.") % {"fields": ", ".join(missing)})
    return clean


def _editable(run: ImportRun) -> None:
    if run.status not in (Status.NEW, Status.READY) and not (run.status == Status.FAILED and run.stage == "check"):
        raise ValidationError(_("This import has started; its settings can no longer change."))


@transaction.atomic
def mapping_save(*, actor, run: ImportRun, mapping: dict[str, str], decision: str = Decision.SKIP,
                 template_name: str = "", share: bool = False) -> ImportRun:
    run = run_get(user=actor, pk=run.pk)
    _editable(run)
    if decision not in Decision.values:
        raise ValidationError(_("Choose what happens to duplicates."))
    run.mapping = _check_mapping(actor, run, mapping)
    run.decision = decision
    run.status = Status.NEW  # a changed mapping needs a new dry run
    run.save(update_fields=["mapping", "decision", "status"])
    template_name = (template_name or "").strip()[:80]
    if template_name:
        ImportTemplate.objects.update_or_create(
            owner=actor, entity=run.entity, name=template_name,
            defaults={"mapping": mapping_mod.to_template(run.headers, run.mapping), "shared": bool(share)})
    return run


def template_mapping(*, actor, run: ImportRun, template_id) -> dict[str, str]:
    """The mapping a saved template (the actor's own or a shared one) gives for this run's headers."""
    template = templates_for(actor, run.entity).filter(pk=template_id).first()
    if template is None:
        raise Http404(_("Record not found."))
    return mapping_mod.from_template(run.headers, template.mapping, get_importer(run.entity).fields(actor))


@transaction.atomic
def template_delete(*, actor, template_id) -> None:
    deleted, _detail = ImportTemplate.objects.filter(pk=template_id, owner=actor).delete()
    if not deleted:
        raise Http404(_("Record not found."))


def _start(actor, run: ImportRun, *, stage: str, name: str, task) -> JobProgress:
    job = start_job(user=actor, name=name, task=task, args=[run.pk])
    run.job, run.stage, run.message = job, stage, ""
    run.status = Status.DRY_RUN if stage == "check" else Status.RUNNING
    run.save(update_fields=["job", "stage", "status", "message"])
    return job


@transaction.atomic
def check_start(*, actor, run: ImportRun) -> JobProgress:
    """Start the dry run: every row checked and matched, nothing written."""
    from .tasks import check_task

    run = ImportRun.objects.select_for_update().get(pk=run_get(user=actor, pk=run.pk).pk)
    importer_for(actor, run.entity)
    _editable(run)
    _check_mapping(actor, run, run.mapping)
    return _start(actor, run, stage="check", name=_("Check import %(file)s") % {"file": run.original_name},
                  task=check_task)


@transaction.atomic
def decisions_save(*, actor, run: ImportRun, default: str, rows: dict) -> ImportRun:
    """What happens to duplicate rows: ``default`` for all, ``rows`` {row number: decision} for some."""
    run = run_get(user=actor, pk=run.pk)
    if run.status != Status.READY:
        raise ValidationError(_("Run the check first."))
    if default not in Decision.values or any(d not in Decision.values for d in rows.values()):
        raise ValidationError(_("Choose what happens to duplicates."))
    decisions = dict(run.row_decisions)
    for number, decision in rows.items():
        decisions[str(int(number))] = decision
    run.decision, run.row_decisions = default, decisions
    run.save(update_fields=["decision", "row_decisions"])
    return run


@transaction.atomic
def import_start(*, actor, run: ImportRun) -> JobProgress:
    from .tasks import import_task

    run = ImportRun.objects.select_for_update().get(pk=run_get(user=actor, pk=run.pk).pk)
    importer_for(actor, run.entity)
    if run.status != Status.READY:
        raise ValidationError(_("Run the check first."))
    return _start(actor, run, stage="import", name=_("Import %(file)s") % {"file": run.original_name},
                  task=import_task)


def resumable(run: ImportRun) -> bool:
    """A failed import, or one whose worker stopped reporting (it died), can go on where it stopped."""
    if run.stage != "import":
        return False
    if run.status == Status.FAILED:
        return True
    if run.status != Status.RUNNING:
        return False
    job = run.job
    return job is None or not job.is_active or job.updated_at < timezone.now() - STALE_AFTER


@transaction.atomic
def import_resume(*, actor, run: ImportRun) -> JobProgress:
    """Continue an import after its last committed batch; nothing written before is written again."""
    from .tasks import import_task

    run = ImportRun.objects.select_for_update(of=("self",)).select_related("job").get(pk=run_get(user=actor, pk=run.pk).pk)
    importer_for(actor, run.entity)
    if not resumable(run):
        raise ValidationError(_("This import is not stopped, so it cannot be resumed."))
    if run.started_by_id != actor.pk:
        raise PermissionDenied(_("Only the user who started this import may resume it."))
    return _start(actor, run, stage="import", name=_("Resume import %(file)s") % {"file": run.original_name},
                  task=import_task)
