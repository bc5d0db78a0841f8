"""Committing an import's batches while the next ones are matched and prepared.

On PostgreSQL, an import that runs outside any transaction (a job) hands each prepared batch to
threads with database connections of their own (two by default), which write and commit the batches;
meanwhile the job's thread matches and prepares the next batch. Writing a batch is mostly the server's
work (COPY into tables with many indexes, the foreign key checks at commit): two batches are written at
once, by two server processes, while the interpreter is free for the next batch.

Batches still commit one after the other, in the order they were handed over: ``commit(item, turn)``
calls ``turn()`` once its writes are done and before it reads or changes what the batch before it
may have written (the run's counters, stored records it updates). ``turn()`` returns once every
earlier batch is committed, and raises :class:`Abandoned` if one of them failed, so nothing is
committed after a batch that was not.

Inside a transaction (tests, a caller's atomic block) a second connection could not see the caller's
uncommitted rows, and SQLite takes one writer at a time: there each batch is committed in the
caller's thread before the next one is prepared, with the same code (``turn()`` returns at once).
"""

from __future__ import annotations

import contextvars
import functools
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, connections
from django.utils import timezone, translation

_DONE = object()
WORKERS = 2


class Abandoned(Exception):
    """An earlier batch failed: this one must not be committed."""


def in_thread() -> bool:
    """Whether batches can be committed by threads of their own (see the module's docstring)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _no_wait() -> None:
    return None


class _Order:
    """Batch n may commit once batches 0…n-1 have; none may after a failed one."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.committed = 0  # batches 0…committed-1 are committed
        self.failed = False

    def wait(self, number: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.failed or self.committed >= number)
            if self.failed:
                raise Abandoned

    def done(self, number: int) -> None:
        with self.changed:
            self.committed = number + 1
            self.changed.notify_all()

    def fail(self) -> None:
        with self.changed:
            self.failed = True
            self.changed.notify_all()


@contextmanager
def committing(commit: Callable[[Any, Callable[[], None]], None], *, threaded: bool | None = None,
               workers: int = WORKERS) -> Iterator[Callable[[Any], None]]:
    """A function that hands a batch to ``commit(batch, turn)``: at once, or through ``workers`` threads
    (``threaded``, by default :func:`in_thread`) that take one batch each while the caller prepares
    the next; batches commit in the order handed over (see the module's docstring).

    The threads run in the caller's language, time zone and context variables, and use (then close)
    their own connections. An error in ``commit`` stops the threads (a batch waiting for its turn is
    abandoned) and is raised in the caller: by the next hand-over, or when the block ends. An error in
    the caller lets the threads finish the batches in hand, then stops them; the block waits for
    them, so nothing is written after it exits."""
    if not (in_thread() if threaded is None else threaded):
        yield lambda item: commit(item, _no_wait)
        return
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    failure: list[BaseException] = []
    order = _Order()
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def work() -> None:
        try:
            with translation.override(language), timezone.override(zone):
                while True:
                    try:
                        item = handoff.get(timeout=0.1)
                    except queue.Empty:
                        if stop.is_set() or failure:
                            return
                        continue
                    if item is _DONE:
                        return
                    number, batch = item
                    if stop.is_set() or failure:
                        order.fail()  # taken but not written: no later batch may commit
                        return
                    commit(batch, functools.partial(order.wait, number))
                    order.wait(number)  # a commit that never asked for its turn still ends in order
                    order.done(number)
        except Abandoned:
            return  # the failure that abandoned it is raised in the caller
        except BaseException as exc:  # raised again in the caller
            failure.append(exc)
            order.fail()
        finally:
            connections.close_all()  # this thread's own connections

    numbers = iter(range(1 << 62))

    def hand_over(batch) -> None:
        put((next(numbers), batch))

    def put(item) -> None:
        while not failure:
            try:
                handoff.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise failure[0]

    threads = [threading.Thread(target=contextvars.copy_context().run, args=(work,), name="import-writer",
                                daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    try:
        yield hand_over
        for _ in threads:
            put(_DONE)
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    if failure:
        raise failure[0]
