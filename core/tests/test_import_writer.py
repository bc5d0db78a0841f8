"""core.imports.writer: batches committed by threads of their own, in order, while the caller prepares the next."""

from __future__ import annotations

import threading

import pytest
from django.utils import translation
from django.utils.translation import gettext

from core.imports.writer import Abandoned, committing


def test_batches_are_committed_in_order_by_a_thread_in_the_callers_language():
    done = []

    def commit(item, turn):
        turn()
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

    def commit(item, turn):
        turn()  # nothing to wait for
        done.append((item, threading.current_thread().name))

    with committing(commit, threaded=False) as write:
        write(1)
        assert done == [(1, threading.current_thread().name)]


def test_two_batches_are_written_at_once_and_committed_in_the_order_handed_over():
    first_writing, second_written = threading.Event(), threading.Event()
    written, committed = [], []

    def commit(item, turn):
        if item == 0:
            first_writing.set()
            assert second_written.wait(5)  # batch 1 writes while batch 0 is still writing
        written.append(item)
        if item == 1:
            second_written.set()
        turn()
        committed.append(item)

    with committing(commit, threaded=True, workers=2) as write:
        for item in range(6):
            write(item)
    assert written[:2] == [1, 0]
    assert committed == list(range(6))


def test_a_failed_batch_abandons_the_one_waiting_for_its_turn():
    before = threading.active_count()
    waiting, committed, turns = threading.Event(), [], []

    def commit(item, turn):
        if item == 0:
            assert waiting.wait(5)  # batch 1 has written and waits for batch 0
            raise RuntimeError("deadlock detected")
        waiting.set()
        try:
            turn()
        except Abandoned:
            turns.append(item)
            raise
        committed.append(item)

    with pytest.raises(RuntimeError, match="deadlock detected"):
        with committing(commit, threaded=True, workers=2) as write:
            for item in range(10):
                write(item)
    assert committed == [] and turns == [1]
    assert threading.active_count() == before


def test_an_error_while_committing_reaches_the_caller_and_stops_the_thread():
    before = threading.active_count()
    done = []

    def commit(item, turn):
        if item == 2:
            raise RuntimeError("disk full")
        turn()
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

    def commit(item, turn):
        started.set()
        threading.Event().wait(0.5)  # still committing when the caller fails
        turn()
        done.append(item)

    with pytest.raises(ValueError, match="bad row"):
        with committing(commit, threaded=True, workers=1) as write:
            write(1)
            started.wait(5)
            write(2)  # queued while 1 is being committed
            raise ValueError("bad row")
    assert done == [1]  # the batch in hand finished; the queued one was not written
    assert threading.active_count() == before
