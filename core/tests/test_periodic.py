"""Periodic jobs: slots, one enqueue per slot across workers, the worker command, pruning."""

import os
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import periodic
from core.jobs import attach_file, job_task, start_job
from core.models import JobProgress, PeriodicRun
from core.periodic import PeriodicJob, Scheduler, run_periodic_job
from core.tasks import prune_finished
from core.testing import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ran: list[str] = []


def tally() -> None:
    ran.append("tally")


def broken() -> None:
    raise RuntimeError("disk full")


@job_task
def greet(job, name: str) -> dict:
    return {"summary": f"hello {name}"}


@pytest.fixture(autouse=True)
def db_backend(settings, monkeypatch):
    settings.TASKS = DB_BACKEND
    ran.clear()
    monkeypatch.setitem(periodic._registry, "test_tally", PeriodicJob("test_tally", tally, every=timedelta(minutes=5)))
    monkeypatch.setitem(periodic._registry, "test_broken", PeriodicJob("test_broken", broken, every=timedelta(hours=1)))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_every_slots_follow_the_clock():
    job = PeriodicJob("x", tally, every=timedelta(minutes=5))
    assert job.slot(at(2026, 5, 3, 10, 0, 1)) == job.slot(at(2026, 5, 3, 10, 4, 59))
    assert job.slot(at(2026, 5, 3, 10, 4, 59)) != job.slot(at(2026, 5, 3, 10, 5, 0))


def test_daily_slot_starts_at_the_local_time():
    job = PeriodicJob("x", tally, daily_at=time(2, 0))
    assert job.slot(at(2026, 5, 3, 1, 59)) is None
    assert job.slot(at(2026, 5, 3, 2, 0)) == "2026-05-03"
    assert job.slot(at(2026, 5, 3, 23, 59)) == "2026-05-03"
    # 20:00 UTC on the 3rd is 04:00 on the 4th in Shanghai.
    assert job.slot(datetime(2026, 5, 3, 20, 0, tzinfo=ZoneInfo("UTC"))) == "2026-05-04"


@pytest.mark.parametrize("kwargs", [{}, {"every": timedelta(minutes=5), "daily_at": time(1, 0)},
                                    {"every": timedelta(seconds=10)}])
def test_periodic_needs_one_valid_schedule(kwargs):
    with pytest.raises(ImproperlyConfigured):
        periodic.periodic("bad", **kwargs)


def test_same_name_cannot_be_two_jobs(monkeypatch):
    monkeypatch.setattr(periodic, "_registry", dict(periodic._registry))
    periodic.periodic("dup_job", every=timedelta(minutes=1))(tally)
    with pytest.raises(ImproperlyConfigured):
        periodic.periodic("dup_job", every=timedelta(minutes=1))(broken)


def test_platform_job_is_registered():
    periodic.autodiscover()
    job = periodic.registered()["prune_task_results"]
    assert job.daily_at == time(3, 30)


@pytest.mark.django_db
def test_each_slot_is_enqueued_once_across_workers():
    now = at(2026, 5, 3, 10, 0)
    machine_a, machine_b = Scheduler(jobs=periodic.registered()), Scheduler(jobs=periodic.registered())
    first = machine_a.run_due(now)
    second = machine_b.run_due(now)
    assert "test_tally" in first and "test_broken" in first
    assert second == []
    assert PeriodicRun.objects.filter(job="test_tally").count() == 1
    tally_tasks = [t for t in DBTaskResult.objects.all() if t.args_kwargs["args"][0] == "test_tally"]
    assert len(tally_tasks) == 1
    # The same machine later in the same slot does not even try again; the next slot runs.
    assert machine_a.run_due(now + timedelta(minutes=1)) == []
    assert machine_b.run_due(now + timedelta(minutes=5)) == ["test_tally"]
    assert PeriodicRun.objects.filter(job="test_tally").count() == 2


@pytest.mark.django_db
def test_slot_stays_free_when_enqueue_fails(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(type(run_periodic_job.get_backend()), "enqueue", down)
    scheduler = Scheduler(jobs={"test_tally": periodic.registered()["test_tally"]})
    assert scheduler.run_due(at(2026, 5, 3, 10, 0)) == []
    assert not PeriodicRun.objects.exists()
    monkeypatch.undo()
    scheduler = Scheduler(jobs={"test_tally": PeriodicJob("test_tally", tally, every=timedelta(minutes=5))})
    assert scheduler.run_due(at(2026, 5, 3, 10, 0)) == ["test_tally"]


@pytest.mark.django_db(transaction=True)
def test_run_worker_once_runs_due_jobs_and_queued_tasks():
    user = make_user()
    with transaction.atomic():
        job = start_job(user=user, name="Greet", task=greet, args=["王经理"])
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("run_worker", "--once", verbosity=0)

    job.refresh_from_db()
    assert job.status == JobProgress.Status.DONE and job.result == {"summary": "hello 王经理"}
    assert ran == ["tally"]
    tally_run = PeriodicRun.objects.get(job="test_tally")
    assert tally_run.finished_at is not None and tally_run.error == ""
    assert DBTaskResult.objects.filter(status="READY").count() == 0
    # A job that raises keeps its error on the slot row; the task backend records the failure too.
    broken_run = PeriodicRun.objects.get(job="test_broken")
    assert broken_run.error == "RuntimeError: disk full" and broken_run.finished_at
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1


@pytest.mark.django_db(transaction=True)
def test_run_worker_once_without_scheduler_only_processes_tasks():
    call_command("run_worker", "--once", "--no-scheduler", verbosity=0)
    assert ran == [] and not PeriodicRun.objects.exists()


@pytest.mark.django_db
def test_periodic_run_is_not_repeated_after_it_finished():
    run = PeriodicRun.objects.create(job="test_tally", slot="s1")
    run_periodic_job.call("test_tally", run.pk)
    run_periodic_job.call("test_tally", run.pk)  # duplicate delivery
    assert ran == ["tally"]


@pytest.mark.django_db
def test_unknown_periodic_job_is_recorded():
    run = PeriodicRun.objects.create(job="gone", slot="s1")
    with pytest.raises(LookupError):
        run_periodic_job.call("gone", run.pk)
    run.refresh_from_db()
    assert "gone" in run.error and run.finished_at


def test_rq_backend_runs_an_rq_worker(settings, monkeypatch):
    import django_rq
    import django_rq.utils

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    seen = {}

    class FakeWorker:
        def work(self, **kwargs):
            seen["work"] = kwargs

    def get_worker(*queues, **kwargs):
        seen["queues"], seen["kwargs"] = queues, kwargs
        return FakeWorker()

    monkeypatch.setattr(django_rq, "get_worker", get_worker)
    monkeypatch.setattr(django_rq.utils, "reset_db_connections", lambda: None)
    call_command("run_worker", "--once", "--no-scheduler", verbosity=0)
    assert seen["queues"] == ("default",)
    assert seen["kwargs"]["job_class"] == "django_tasks_rq.Job"
    assert seen["work"] == {"burst": True, "with_scheduler": True}


# ---- pruning ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_prune_deletes_only_old_finished_work(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = timezone.now() - timedelta(days=31)
    recent = timezone.now() - timedelta(days=29)
    user = make_user()

    def task_result(status, finished_at):
        return DBTaskResult.objects.create(status=status, args_kwargs={"args": [], "kwargs": {}}, task_path="x.y",
                                           backend_name="default", run_after=timezone.now(), finished_at=finished_at)

    old_ok, old_failed = task_result("SUCCESSFUL", old), task_result("FAILED", old)
    keep_results = {task_result("SUCCESSFUL", recent).pk, task_result("READY", None).pk}

    def job(status, updated_at, with_file=False):
        row = JobProgress.objects.create(user=user, name="j", status=status)
        if with_file:
            attach_file(row.pk, "out.csv", "a,b\n")
        JobProgress.objects.filter(pk=row.pk).update(updated_at=updated_at)
        return JobProgress.objects.get(pk=row.pk)

    old_done = job("done", old, with_file=True)
    file_path = old_done.file.path
    job("failed", old)
    keep_jobs = {job("running", old).pk, job("done", recent).pk, job("queued", old).pk}

    old_run = PeriodicRun.objects.create(job="a", slot="1")
    stuck_run = PeriodicRun.objects.create(job="a", slot="2")
    PeriodicRun.objects.filter(pk=old_run.pk).update(started_at=old, finished_at=old)
    PeriodicRun.objects.filter(pk=stuck_run.pk).update(started_at=old)
    new_run = PeriodicRun.objects.create(job="a", slot="3", finished_at=timezone.now())

    counts = prune_finished()

    assert counts == {"task_results": 2, "jobs": 2, "files": 1, "periodic_runs": 2}
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == keep_results
    assert not DBTaskResult.objects.filter(pk__in=[old_ok.pk, old_failed.pk]).exists()
    assert set(JobProgress.objects.values_list("pk", flat=True)) == keep_jobs
    assert list(PeriodicRun.objects.values_list("pk", flat=True)) == [new_run.pk]
    assert not os.path.exists(file_path)
