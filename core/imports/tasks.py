"""The background jobs of an import: the dry run and the import itself (core.jobs)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dbstats
from core.jobs import JobError, failure_message, job_progress, job_task
from core.models import ImportIssue, ImportRun

from . import engine, readers, report
from .registry import get_importer

Status = ImportRun.Status


def _load(job, run_id: int) -> ImportRun:
    run = ImportRun.objects.filter(pk=run_id, started_by=job.user).first()
    if run is None or run.job_id != job.pk:
        # The run was removed, or a later job (a resume) took it over.
        raise JobError(_("This import was taken over by a later job."))
    return run


def _fail(run: ImportRun, exc: Exception) -> None:
    ImportRun.objects.filter(pk=run.pk, job_id=run.job_id).update(status=Status.FAILED, message=failure_message(exc)[:300])


def _save_report(run: ImportRun, phase: str) -> None:
    if run.report:
        run.report.delete(save=False)
    if ImportIssue.objects.filter(run=run, phase=phase).exists():
        run.report.save(f"issues-{run.pk}.xlsx", ContentFile(report.issues_xlsx(run, phase)), save=False)
    ImportRun.objects.filter(pk=run.pk).update(report=run.report.name or "")


@job_task
def check_task(job, run_id: int) -> dict:
    run = _load(job, run_id)
    with run.file.open("rb") as handle:
        total = readers.estimate_rows(handle, run.file_kind)
    job_progress(job.pk, 0, total, _("Checking rows"))
    try:
        counts = engine.check(run, actor=job.user, progress=lambda n: job_progress(job.pk, n, max(total, n)))
        _save_report(run, "check")
    except Exception as exc:
        _fail(run, exc)
        raise
    ImportRun.objects.filter(pk=run.pk).update(
        status=Status.READY, total_rows=counts["total"], valid_rows=counts["valid"],
        duplicate_rows=counts["duplicates"], error_rows=counts["errors"])
    return {"summary": _("%(total)s rows checked: %(valid)s can be imported, %(dup)s duplicates, %(err)s with errors.") % {
        "total": counts["total"], "valid": counts["valid"], "dup": counts["duplicates"], "err": counts["errors"]},
        "url": run.get_absolute_url(), "label": _("Open the import")}


@job_task
def import_task(job, run_id: int) -> dict:
    run = _load(job, run_id)
    total = run.total_rows
    job_progress(job.pk, run.rows_done, total, _("Importing rows"))
    try:
        engine.run_import(run, actor=job.user, job_id=job.pk,
                          progress=lambda n: job_progress(job.pk, n, max(total, n)))
        _save_report(run, "import")
        # A table an import filled has outgrown its statistics (SQLite: until the daily refresh).
        dbstats.refresh([get_importer(run.entity).model._meta.db_table])
    except engine.Superseded:
        raise JobError(_("This import was taken over by a later job.")) from None
    except Exception as exc:
        _fail(run, exc)
        raise
    ImportRun.objects.filter(pk=run.pk).update(status=Status.DONE, finished_at=timezone.now())
    return {"summary": _("%(created)s created, %(updated)s updated, %(skipped)s skipped, %(failed)s with errors.") % {
        "created": run.created, "updated": run.updated, "skipped": run.skipped, "failed": run.failed},
        "url": run.get_absolute_url(), "label": _("Open the import")}
