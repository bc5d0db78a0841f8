"""A customer import run as a job on PostgreSQL, outside any transaction: its batches are committed by
a thread of their own (core.imports.writer) while the next batch is matched and prepared. The other
import tests run inside the test's transaction, where batches are committed in the caller's thread."""

from __future__ import annotations

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from core.imports import engine, services
from core.models import AuditLog, ImportRun, JobProgress, Version
from customers.importers import CustomerImporter
from customers.models import Customer, CustomerAssignment

from .customer_world import make_world
from .test_import_customers import HEADER, IMMEDIATE, check, csv_file


@pytest.mark.postgres
def test_a_job_commits_batches_in_a_thread_and_resumes_after_a_crash(transactional_db, settings, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("batches are committed by a thread of their own on PostgreSQL only")
    settings.TASKS = IMMEDIATE
    world = make_world()
    monkeypatch.setattr(CustomerImporter, "batch_size", 3)
    lines = [HEADER] + [f"测试{i:03d}贸易有限公司,1380013{i:04d},,北京,北京市,朝阳区,潜在" for i in range(10)]
    run = check(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    committed = []

    def crash(run_id, last_row):
        committed.append((last_row, threading.current_thread().name))
        if len(committed) == 2:
            raise RuntimeError("worker died")

    monkeypatch.setattr(engine, "_batch_committed", crash)
    first_job = services.import_start(actor=world.alice, run=run)
    assert committed == [(4, "import-writer"), (7, "import-writer")]
    assert JobProgress.objects.get(pk=first_job.pk).status == JobProgress.Status.FAILED
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.last_row == 7 and run.created == 6
    assert Customer.objects.count() == 6  # the batch prepared after the crash was not written

    monkeypatch.setattr(engine, "_batch_committed", lambda run_id, last_row: committed.append(
        (last_row, threading.current_thread().name)))
    job = services.import_resume(actor=world.alice, run=run)
    run.refresh_from_db()
    assert JobProgress.objects.get(pk=job.pk).status == JobProgress.Status.DONE
    assert run.status == ImportRun.Status.DONE and (run.created, run.rows_done) == (10, 10)
    assert committed[2:] == [(10, "import-writer"), (11, "import-writer")]
    customers = Customer.objects.order_by("name")
    assert [c.name for c in customers] == [f"测试{i:03d}贸易有限公司" for i in range(10)]
    assert len({c.code for c in customers}) == 10 and all(c.search_text and c.phone_norm for c in customers)
    assert all(c.owner_id == world.alice.pk and c.province_id and c.district_id for c in customers)
    # Each one with its audit entry, version 1 and assignment record, written in the same batches.
    ids = {c.pk for c in customers}
    kind = ContentType.objects.get_for_model(Customer)
    assert set(AuditLog.objects.filter(content_type=kind, action="create").values_list("object_id", flat=True)) == ids
    assert sorted(Version.objects.filter(content_type=kind).values_list("object_id", "number")) == sorted(
        (pk, 1) for pk in ids)
    assert set(CustomerAssignment.objects.values_list("customer_id", flat=True)) == ids
