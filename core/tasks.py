"""Platform background work: housekeeping of the job tables, SQLite's planner statistics."""

from __future__ import annotations

from datetime import time, timedelta

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from . import dbstats
from .models import JobProgress, PeriodicRun
from .periodic import periodic

KEEP_DAYS = 30


def prune_finished(*, older_than: timedelta = timedelta(days=KEEP_DAYS)) -> dict[str, int]:
    """Delete finished task results, finished user jobs (with their files) and periodic-run rows
    older than ``older_than``. Queued and running work is never touched."""
    cutoff = timezone.now() - older_than
    counts = {"task_results": 0, "jobs": 0, "files": 0, "periodic_runs": 0}

    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        counts["task_results"], _detail = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()

    old_jobs = JobProgress.objects.filter(status__in=[JobProgress.Status.DONE, JobProgress.Status.FAILED],
                                          updated_at__lt=cutoff)
    for job in old_jobs.exclude(file="").only("pk", "file"):
        job.file.delete(save=False)
        counts["files"] += 1
    counts["jobs"], _detail = old_jobs.delete()

    # A run that never finished (its worker died) is old news after the cutoff too.
    counts["periodic_runs"], _detail = PeriodicRun.objects.filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, started_at__lt=cutoff)).delete()
    return counts


@periodic("prune_task_results", daily_at=time(3, 30))
def prune_task_results() -> None:
    prune_finished()


@periodic("sqlite_statistics", daily_at=time(3, 45))
def sqlite_statistics() -> None:
    dbstats.refresh()
