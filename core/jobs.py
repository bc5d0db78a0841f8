"""Background jobs a user starts and watches: the one task API of the project, over django-tasks.

A job is a django-tasks task wrapped by :func:`job_task` plus a :class:`~core.models.JobProgress` row
that the user sees at ``/jobs/<id>/`` with a live progress bar::

    @job_task
    def export_customers(job: JobProgress, *, filters: dict) -> dict:
        rows = access.visible_to(job.user, "export", Customer)   # act for the user, through the gate
        for i, row in enumerate(rows, 1):
            ...
            job_progress(job.pk, done=i, total=count)
        attach_file(job.pk, "customers.xlsx", data)               # offered as a download to the owner
        return {"summary": _("%(n)s customers exported") % {"n": count}}

    job = start_job(user=request.user, name=_("Export customers"), task=export_customers,
                    kwargs={"filters": filters})
    return redirect(job)

Rules: tasks take ids and plain JSON values, never model instances; a task may run twice (a worker
can die mid-way), so it loads what it needs by id and is idempotent; a job that already finished is
not run again. Progress is written with one UPDATE per call, outside the task's own transactions:
a task should not wrap its whole body in ``transaction.atomic`` or the user sees no progress until
the end. Raise :class:`JobError` (or ``ValidationError``/``PermissionDenied``) to fail with a
message for the user; any other exception fails the job with a generic message and is logged.

The result dict is shown on the job page: ``summary`` (text), ``url`` (a link on this site) with
``label`` (its text); other keys are kept for the code that reads them.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task as django_task
from django_tasks.base import Task

from .models import JobProgress

logger = logging.getLogger("zhanggui.jobs")
Status = JobProgress.Status
_JOB_MARK = "_zg_job_task"


class JobError(Exception):
    """Raised by a job to stop with a message meant for the user who started it."""


def _now():
    return timezone.now()


def _plain(data: Any) -> Any:
    """JSON-safe copy (lazy strings, Decimals, dates become strings) for the result column."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def job_progress(job_id: int, done: int, total: int | None = None, message: str | None = None) -> None:
    """Report how far a running job is. One UPDATE; finished jobs are left alone."""
    values: dict[str, Any] = {"done": max(int(done), 0), "status": Status.RUNNING, "updated_at": _now()}
    if total is not None:
        values["total"] = max(int(total), 0)
    if message is not None:
        values["message"] = str(message)[:300]
    JobProgress.objects.filter(pk=job_id, status__in=JobProgress.ACTIVE).update(**values)


def job_done(job_id: int, result: dict | None = None, message: str | None = None) -> None:
    """Mark a job finished with its result (see the module docstring for the keys the page shows)."""
    values: dict[str, Any] = {"status": Status.DONE, "result": _plain(result or {}), "finished_at": _now(),
                              "updated_at": _now()}
    if message is not None:
        values["message"] = str(message)[:300]
    JobProgress.objects.filter(pk=job_id).update(**values)


def job_failed(job_id: int, message: str) -> None:
    now = _now()
    JobProgress.objects.filter(pk=job_id).update(status=Status.FAILED, message=str(message)[:300], finished_at=now,
                                                 updated_at=now)


def attach_file(job_id: int, filename: str, content: bytes | str | File) -> str:
    """Store a file the job produced; its owner downloads it from the job page. Returns the storage name."""
    job = JobProgress.objects.get(pk=job_id)
    if job.file:
        job.file.delete(save=False)  # a re-run replaces the earlier output
    if isinstance(content, str):
        content = content.encode("utf-8")
    job.file.save(filename, content if isinstance(content, File) else ContentFile(content), save=False)
    JobProgress.objects.filter(pk=job_id).update(file=job.file.name, updated_at=_now())
    return job.file.name


def failure_message(exc: BaseException) -> str:
    """What the user is told when a job stops with ``exc``."""
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    if isinstance(exc, (JobError, PermissionDenied)) and str(exc):
        return str(exc)
    if isinstance(exc, Http404):
        return _("Record not found.")
    return _("The job stopped because of an unexpected error (%(error)s).") % {"error": type(exc).__name__}


def _claim(job_id: int) -> JobProgress | None:
    """Mark the job running and load it, or None when it finished already or no longer exists."""
    now = _now()
    claimed = JobProgress.objects.filter(pk=job_id, status__in=JobProgress.ACTIVE).update(
        status=Status.RUNNING, started_at=now, updated_at=now)
    if not claimed:
        return None
    return JobProgress.objects.select_related("user").get(pk=job_id)


def job_task(func: Callable | None = None, **task_options) -> Task | Callable[[Callable], Task]:
    """Turn ``func(job, *args, **kwargs) -> dict`` into a django-tasks task run as a tracked job.

    The task's arguments are ``(job_id, *args, **kwargs)``; the wrapper loads the job, marks it
    running, and marks it done with the returned dict, or failed when ``func`` raises (the
    exception is re-raised so the task backend records the traceback too).
    """

    def decorate(f: Callable) -> Task:
        @functools.wraps(f)
        def run(job_id: int, *args, **kwargs):
            job = _claim(job_id)
            if job is None:
                logger.info("Job %s finished already or was removed; not run again", job_id)
                return None
            try:
                result = f(job, *args, **kwargs)
            except Exception as exc:
                if not isinstance(exc, (JobError, ValidationError, PermissionDenied, Http404)):
                    logger.exception("Job %s (%s) failed", job_id, job.name)
                job_failed(job_id, failure_message(exc))
                raise
            except BaseException:
                # The worker is being stopped hard (second Ctrl+C, SystemExit): say so, then let it go.
                job_failed(job_id, _("The job was interrupted. Start it again."))
                raise
            result = _plain(result or {})
            job_done(job_id, result)
            return result

        setattr(run, _JOB_MARK, True)
        return django_task(**task_options)(run)

    return decorate(func) if func is not None else decorate


def start_job(*, user, name: str, task: Task, args: Iterable = (), kwargs: dict | None = None) -> JobProgress:
    """Create the job row for ``user`` and queue ``task`` with its id once the transaction commits."""
    if not isinstance(task, Task) or not getattr(task.func, _JOB_MARK, False):
        raise TypeError("start_job needs a task made with @job_task")
    args, kwargs = list(args), dict(kwargs or {})
    job = JobProgress.objects.create(user=user, name=str(name)[:100], status=Status.QUEUED)

    def enqueue() -> None:
        try:
            result = task.enqueue(job.pk, *args, **kwargs)
        except Exception:
            # The queue (Redis) may be down: tell the user instead of leaving the job queued forever.
            logger.exception("Could not queue job %s (%s)", job.pk, job.name)
            job_failed(job.pk, _("The job could not be queued. Try again later."))
            return
        JobProgress.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job
