"""Committing an import's batches while the next ones are matched and prepared.

On PostgreSQL, an import that runs outside any transaction (a job) hands each prepared batch to a
thread with a database connection of its own, which writes and commits it; meanwhile the job's
thread matches and prepares the next batch. Writing a batch is mostly the server's work (COPY into
a table with many indexes, the foreign key checks at commit), during which the interpreter is free
for the next batch.

Inside a transaction (tests, a caller's atomic block) a second connection could not see the caller's
uncommitted rows, and SQLite takes one writer at a time: there each batch is committed in the
caller's thread before the next one is prepared, with the same code.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, connections
from django.utils import timezone, translation

_DONE = object()


def in_thread() -> bool:
    """Whether batches can be committed by a thread of their own (see the module's docstring)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


@contextmanager
def committing(commit: Callable[[Any], None], *, threaded: bool | None = None) -> Iterator[Callable[[Any], None]]:
    """A function that hands a batch to ``commit``: at once, or through a thread (``threaded``, by
    default :func:`in_thread`) that takes one batch at a time while the caller prepares the next.

    The thread runs in the caller's language, time zone and context variables, and uses (then
    closes) its own connection. An error in ``commit`` stops the thread and is raised in the caller:
    by the next hand-over, or when the block ends. An error in the caller lets the thread finish the
    batch in hand, then stops it; the block waits for it, so nothing is written after it exits."""
    if not (in_thread() if threaded is None else threaded):
        yield commit
        return
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    failure: list[BaseException] = []
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def work() -> None:
        try:
            with translation.override(language), timezone.override(zone):
                while True:
                    try:
                        item = handoff.get(timeout=0.1)
                    except queue.Empty:
                        if stop.is_set():
                            return
                        continue
                    if item is _DONE or stop.is_set():
                        return
                    commit(item)
        except BaseException as exc:  # raised again in the caller
            failure.append(exc)
        finally:
            connections.close_all()  # this thread's own connections

    def hand_over(item) -> None:
        while not failure:
            try:
                handoff.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise failure[0]

    thread = threading.Thread(target=contextvars.copy_context().run, args=(work,), name="import-writer", daemon=True)
    thread.start()
    try:
        yield hand_over
        hand_over(_DONE)
        thread.join()
    finally:
        stop.set()
        thread.join()
    if failure:
        raise failure[0]
