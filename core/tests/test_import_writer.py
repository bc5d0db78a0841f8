"""core.imports.writer: batches committed by a thread of their own while the caller prepares the next."""

from __future__ import annotations

import threading

import pytest
from django.utils import translation
from django.utils.translation import gettext

from core.imports.writer import committing


def test_batches_are_committed_in_order_by_a_thread_in_the_callers_language():
    done = []

    def commit(item):
        done.append((item, threading.current_thread().name, gettext("This field is required.")))

    with translation.override("zh-hans"):
        expected = gettext("This field is required.")
        with committing(commit, threaded=True) as write:
            for item in range(5):
                write(item)
    assert [d[0] for d in done] == list(range(5))
    assert {d[1] for d in done} == {"import-writer"}
    assert {d[2] for d in done} == {expected} and expected != "This field is required."


def test_without_a_thread_each_batch_is_committed_at_once():
    done = []
    with committing(lambda item: done.append((item, threading.current_thread().name)), threaded=False) as write:
        write(1)
        assert done == [(1, threading.current_thread().name)]


def test_an_error_while_committing_reaches_the_caller_and_stops_the_thread():
    before = threading.active_count()
    done = []

    def commit(item):
        if item == 2:
            raise RuntimeError("disk full")
        done.append(item)

    handed = []
    with pytest.raises(RuntimeError, match="disk full"):
        with committing(commit, threaded=True) as write:
            for item in range(100):
                write(item)
                handed.append(item)
    assert done == [0, 1]
    assert len(handed) < 100  # the caller stopped soon after, not at the end of its work
    assert threading.active_count() == before


def test_an_error_in_the_caller_stops_the_thread_after_the_batch_in_hand():
    before = threading.active_count()
    started, done = threading.Event(), []

    def commit(item):
        started.set()
        threading.Event().wait(0.5)  # still committing when the caller fails
        done.append(item)

    with pytest.raises(ValueError, match="bad row"):
        with committing(commit, threaded=True) as write:
            write(1)
            started.wait(5)
            write(2)  # queued while 1 is being committed
            raise ValueError("bad row")
    assert done == [1]  # the batch in hand finished; the queued one was not written
    assert threading.active_count() == before
