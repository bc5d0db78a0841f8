"""Run background work: the periodic-job scheduler (a thread) and the task worker of the backend.

With the database backend (the default) the worker is django-tasks-db's own worker; with
TASKS_BACKEND=rq it is an RQ worker on the backend's queues; with the immediate backend tasks run
where they are enqueued, so only the scheduler runs. Start any number of these processes on any
number of machines: each task is claimed by one worker and each periodic slot enqueued once.
SIGTERM/SIGINT stop it after the task at hand; ``--once`` processes what is due and queued, then exits.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand, CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from core.periodic import Scheduler, autodiscover

logger = logging.getLogger("zhanggui.worker")


def backend_kind(backend) -> str:
    module = type(backend).__module__
    if module.startswith("django_tasks_db"):
        return "db"
    if module.startswith("django_tasks_rq"):
        return "rq"
    if module.startswith("django_tasks.backends.immediate"):
        return "immediate"
    raise CommandError(f"run_worker does not know how to run tasks for {type(backend).__name__}")


class Command(BaseCommand):
    help = "Run the background worker and the periodic-job scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--once", "--burst", action="store_true", dest="once",
                            help="Enqueue due periodic jobs, process every queued task, then exit.")
        parser.add_argument("--no-scheduler", action="store_true", help="Only process tasks; enqueue no periodic jobs.")
        parser.add_argument("--queues", default="", help="Comma-separated queue names (default: the backend's queues).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of an empty database queue.")
        parser.add_argument("--tick", type=float, default=10.0, help="Seconds between scheduler checks.")

    def handle(self, *, once: bool, no_scheduler: bool, queues: str, interval: float, tick: float, verbosity: int, **options):
        logging.getLogger("zhanggui").setLevel(logging.INFO if verbosity >= 1 else logging.WARNING)
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        kind = backend_kind(backend)
        queue_names = [q.strip() for q in queues.split(",") if q.strip()] or sorted(backend.queues) or ["default"]
        autodiscover()  # task modules (and their periodic jobs) are imported before any work starts
        scheduler = None if no_scheduler else Scheduler(tick=tick)
        worker_id = f"{socket.gethostname()}-{os.getpid()}"[:64]
        if verbosity >= 1:
            self.stdout.write(f"Worker {worker_id}: {kind} backend, queues {','.join(queue_names)}"
                              f"{'' if scheduler else ', no scheduler'}{', once' if once else ''}")

        if once:
            if scheduler:
                scheduler.run_due()
            self._work(kind, queue_names, worker_id, interval=interval, once=True)
            return

        stop = threading.Event()
        thread = None
        if scheduler:
            thread = threading.Thread(target=scheduler.run_forever, args=(stop,), name="zg-scheduler", daemon=True)
            thread.start()
        try:
            self._work(kind, queue_names, worker_id, interval=interval, once=False, stop=stop)
        finally:
            stop.set()
            if thread:
                thread.join(timeout=10)

    def _work(self, kind: str, queue_names: list[str], worker_id: str, *, interval: float, once: bool,
              stop: threading.Event | None = None) -> None:
        if kind == "db":
            run_db_worker(queue_names, worker_id, interval=interval, once=once, stop=stop)
        elif kind == "rq":
            run_rq_worker(queue_names, worker_id, once=once)
        elif not once:
            wait_for_signal(stop or threading.Event())


def run_db_worker(queue_names: list[str], worker_id: str, *, interval: float, once: bool,
                  stop: threading.Event | None) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    class _Worker(Worker):
        def shutdown(self, signum, frame):
            if stop is not None:
                stop.set()  # the scheduler stops with the worker
            super().shutdown(signum, frame)

    worker = _Worker(queue_names=queue_names, interval=interval, batch=once, backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                     startup_delay=not once, max_tasks=None, worker_id=worker_id, excluded_queue_names=[])
    worker.configure_signals()
    try:
        worker.run()
    except SystemExit as exc:
        # The worker leaves through sys.exit() when a signal arrives while it is idle: a clean stop.
        if exc.code not in (0, None):
            raise
    finally:
        worker.reset_signals()


def run_rq_worker(queue_names: list[str], worker_id: str, *, once: bool) -> None:
    import django_rq
    from django_rq.utils import reset_db_connections

    worker = django_rq.get_worker(*queue_names, job_class="django_tasks_rq.Job", name=worker_id)
    reset_db_connections()  # the RQ worker forks per job; the child must not share our connections
    # RQ installs its own SIGTERM/SIGINT handlers: the first finishes the job at hand, then work() returns.
    worker.work(burst=once, with_scheduler=True)


def wait_for_signal(stop: threading.Event) -> None:
    """Immediate backend: tasks run where they are enqueued, so this process only schedules."""
    previous = {sig: signal.signal(sig, lambda signum, frame: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(1):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
