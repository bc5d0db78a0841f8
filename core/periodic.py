"""Periodic jobs defined in code, run once per time slot however many worker machines there are.

    from core.periodic import periodic

    @periodic("pool_reclaim", daily_at=time(2, 0))      # every day at 02:00 company time
    def reclaim_idle_customers() -> None: ...

    @periodic("send_reminders", every=timedelta(minutes=5))
    def send_reminders() -> None: ...

Put them in ``<app>/tasks.py``: :func:`autodiscover` imports those modules in the worker. The
scheduler loop (``manage.py run_worker``) computes each job's current slot; the worker that inserts
the (job, slot) row of :class:`~core.models.PeriodicRun` enqueues the run, the others hit the unique
constraint and skip it. A daily job whose time has passed today runs when a worker starts (missed
slots of earlier days are not made up). Jobs run as the system, so they write through services with
``actor=None`` and must be idempotent: a run may be retried after a worker dies.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks import task

from .models import PeriodicRun

logger = logging.getLogger("zhanggui.periodic")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable[[], object]
    every: timedelta | None = None
    daily_at: time | None = None

    def slot(self, now: datetime) -> str | None:
        """The key of the time slot ``now`` falls in, or None when the job is not due yet today."""
        if self.every is not None:
            seconds = int(self.every.total_seconds())
            # Slots are counted from the epoch, so every machine agrees on them without talking.
            return f"{seconds}s:{int(now.timestamp()) // seconds}"
        local = timezone.localtime(now)
        if local.time() < self.daily_at:
            return None
        return local.date().isoformat()


_registry: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: timedelta | None = None, daily_at: time | None = None):
    """Register the decorated function (no arguments) as periodic job ``name``."""
    if (every is None) == (daily_at is None):
        raise ImproperlyConfigured(f"Periodic job {name!r}: give either every= or daily_at=")
    if every is not None and (every.total_seconds() < 60 or every.total_seconds() % 1):
        raise ImproperlyConfigured(f"Periodic job {name!r}: every= must be whole seconds, at least one minute")
    if len(name) > 80:
        raise ImproperlyConfigured(f"Periodic job {name!r}: the name is longer than 80 characters")

    def decorate(func: Callable[[], object]) -> Callable[[], object]:
        known = _registry.get(name)
        if known is not None and (known.func.__module__, known.func.__qualname__) != (func.__module__, func.__qualname__):
            raise ImproperlyConfigured(f"Periodic job {name!r} is defined twice")
        _registry[name] = PeriodicJob(name=name, func=func, every=every, daily_at=daily_at)
        return func

    return decorate


def registered() -> dict[str, PeriodicJob]:
    return dict(_registry)


_discovered = False


def autodiscover() -> None:
    """Import ``<app>.tasks`` of every installed app, where periodic jobs are defined."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True


@task()
def run_periodic_job(name: str, run_id: int) -> None:
    """The one task every periodic run goes through: records on the slot row how it ended."""
    autodiscover()
    if not PeriodicRun.objects.filter(pk=run_id, finished_at__isnull=True).exists():
        return  # the slot finished already (a duplicate delivery) or was pruned
    job = _registry.get(name)
    try:
        if job is None:
            raise LookupError(f"No periodic job is registered as {name!r}")
        job.func()
    except Exception as exc:
        PeriodicRun.objects.filter(pk=run_id).update(finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    PeriodicRun.objects.filter(pk=run_id).update(finished_at=timezone.now(), error="")


class Scheduler:
    """Enqueues due periodic jobs; one runs as a thread in every ``run_worker`` process."""

    def __init__(self, *, tick: float = 10.0, jobs: dict[str, PeriodicJob] | None = None):
        self.tick = tick
        self._jobs = jobs  # tests pass their own; normally the registry
        self._claimed: dict[str, str] = {}  # job → last slot this process saw taken, to skip the database

    def jobs(self) -> list[PeriodicJob]:
        if self._jobs is not None:
            return list(self._jobs.values())
        autodiscover()
        return list(_registry.values())

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Enqueue every job whose current slot nobody has taken yet; returns the names enqueued here."""
        now = now or timezone.now()
        enqueued = []
        for job in self.jobs():
            slot = job.slot(now)
            if slot is None or self._claimed.get(job.name) == slot:
                continue
            try:
                if self._claim_and_enqueue(job, slot):
                    enqueued.append(job.name)
            except Exception:
                # The queue or database is unavailable: the slot stays free and the next tick retries.
                logger.exception("Could not enqueue periodic job %s", job.name)
                continue
            self._claimed[job.name] = slot
        return enqueued

    @staticmethod
    def _claim_and_enqueue(job: PeriodicJob, slot: str) -> bool:
        try:
            # One transaction: if enqueueing fails the slot row goes too, so the slot is retried.
            with transaction.atomic():
                run = PeriodicRun.objects.create(job=job.name, slot=slot)
                run_periodic_job.enqueue(job.name, run.pk)
        except IntegrityError:
            return False  # another worker took this slot
        logger.info("Enqueued periodic job %s for slot %s", job.name, slot)
        return True

    def run_forever(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                close_old_connections()
                try:
                    self.run_due()
                except Exception:
                    logger.exception("Periodic scheduler tick failed")
                stop.wait(self.tick)
        finally:
            connection.close()  # this thread's own connection
