"""The import engine: reads a run's file, checks every row, and (for the import) writes the good
rows in batches, each batch in one transaction together with the run's counters and its last
committed row. A worker that dies mid-batch leaves nothing of that batch behind, and a resumed job
starts after the last committed row, so no row is written twice. Batches are checked a batch ahead
in a thread (:func:`ahead`), and on PostgreSQL committed by a thread of their own while the next
batch is matched and prepared (core.imports.writer).

Rows are checked in the same order every time (the whole file is re-read on resume), so a row that
repeats an earlier row of the same file is recognised the same way in the dry run and in each part
of a resumed import.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.models import ImportIssue, ImportRun

from . import readers, writer
from .registry import ImporterDefinition, Row, RowError, get_importer

Kind = ImportIssue.Kind
Decision = ImportRun.Decision
MAX_VALUE = 200


class Superseded(Exception):
    """Another job took over this run (it was resumed while this worker still ran)."""


def _batch_committed(run_id: int, last_row: int) -> None:
    """Called after each committed batch; tests replace it to simulate a worker dying there."""


def rows_of(run: ImportRun, importer: ImporterDefinition, actor, ctx: dict) -> Iterator[list[Row]]:
    """Batches of mapped, checked rows of the run's file; in-file repeats marked with ``same_as``.

    What needs the database (the fields the actor may import) is read here, before the first batch;
    the batches themselves come from the file and the importer's ``clean``, which makes no queries."""
    fields = {f.name: f for f in importer.fields(actor)}
    mapping = {int(index): name for index, name in run.mapping.items() if name in fields}
    required = [name for name, f in fields.items() if f.required]
    return _batches(run, importer, ctx, mapping, required)


def _batches(run: ImportRun, importer: ImporterDefinition, ctx: dict, mapping: dict[int, str],
             required: list[str]) -> Iterator[list[Row]]:
    batch_size = importer.batch_size
    seen: dict[str, int] = {}
    with run.file.open("rb") as handle:
        _header, data = readers.read_rows(handle, run.file_kind)
        batch: list[Row] = []
        for number, cells in data:
            raw = {name: cells[index] for index, name in mapping.items() if index < len(cells)}
            row = Row(number=number, raw=raw)
            for name in required:
                if raw.get(name) in ("", None):
                    row.errors.append(RowError(name, _("This field is required.")))
            if not row.errors:
                importer.clean(row, ctx)
            if not row.errors:
                keys = importer.keys(row)
                earlier = next((seen[k] for k in keys if k in seen), 0)
                if earlier:
                    row.same_as = earlier
                else:
                    for key in keys:
                        seen[key] = number
            batch.append(row)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch


_DONE = object()


def ahead(batches: Iterator[list[Row]]) -> Iterator[list[Row]]:
    """The same batches, the next one read and checked in a thread while the caller writes this one.

    Writing a batch is mostly waiting for the database (index updates, foreign key checks at commit),
    which leaves the interpreter free; checking the next batch meanwhile is pure Python. The thread
    makes no queries (``rows_of`` read what needs the database already) and speaks the caller's
    language and time zone, so messages and dates come out as they would in the caller's thread."""
    language, zone = translation.get_language(), timezone.get_current_timezone()
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            with translation.override(language), timezone.override(zone):
                for batch in batches:
                    if not put(batch):
                        return
            put(_DONE)
        except BaseException as exc:  # handed to the caller, raised there
            put(exc)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()
            connections.close_all()  # only this thread's, should a query have slipped in

    thread = threading.Thread(target=work, name="import-rows", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _issue(run, phase, kind, row: Row, reason: str, *, field: str = "", value="", match=None,
           labels: dict | None = None) -> ImportIssue:
    column = str((labels or {}).get(field, field))
    return ImportIssue(run=run, phase=phase, kind=kind, row=row.number, column=column[:100],
                       value=str(value if value is not None else "")[:MAX_VALUE], reason=str(reason)[:300],
                       match=match or {})


def _error_issues(run, phase, row: Row, labels) -> list[ImportIssue]:
    return [_issue(run, phase, Kind.ERROR, row, err.reason, field=err.field,
                   value=err.value if err.value != "" else row.raw.get(err.field, ""), labels=labels)
            for err in row.errors]


def _same_as_issue(run, phase, row: Row) -> ImportIssue:
    return _issue(run, phase, Kind.SKIPPED, row, _("Same record as row %(row)s of this file; skipped.") % {"row": row.same_as})


def _duplicate_reason(importer, match) -> str:
    if not match.readable:
        return _("Exists (not yours).")
    return _("Exists: %(record)s.") % {"record": importer.describe(match)}


def check(run: ImportRun, *, actor, progress: Callable[[int], None]) -> dict:
    """The dry run: every row checked, duplicates found; nothing is written but the run's findings."""
    importer = get_importer(run.entity)
    labels = {f.name: f.label for f in importer.fields(actor)}
    ImportIssue.objects.filter(run=run, phase="check").delete()
    counts = {"total": 0, "valid": 0, "duplicates": 0, "errors": 0}
    ctx = importer.begin(actor)
    for batch in ahead(rows_of(run, importer, actor, ctx)):
        importer.find_existing([row for row in batch if not row.errors and not row.same_as], ctx)
        issues = []
        for row in batch:
            counts["total"] += 1
            if row.errors:
                counts["errors"] += 1
                issues.extend(_error_issues(run, "check", row, labels))
            elif row.same_as:
                counts["duplicates"] += 1
                issues.append(_same_as_issue(run, "check", row))
            elif row.match is not None:
                counts["duplicates"] += 1
                counts["valid"] += 1
                issues.append(_issue(run, "check", Kind.DUPLICATE, row, _duplicate_reason(importer, row.match),
                                     match=row.match.as_dict()))
            else:
                counts["valid"] += 1
        ImportIssue.objects.bulk_create(issues, batch_size=1000)
        progress(counts["total"])
    return counts


def _plan(run, importer, rows: list[Row], phase: str, labels) -> tuple[list[Row], list[Row], list[ImportIssue], dict]:
    """Split a batch into rows to create and rows to update, and the issues of the others."""
    to_create, to_update, issues = [], [], []
    counts = {"skipped": 0, "failed": 0}
    for row in rows:
        if row.errors:
            counts["failed"] += 1
            issues.extend(_error_issues(run, phase, row, labels))
            continue
        if row.same_as:
            counts["skipped"] += 1
            issues.append(_same_as_issue(run, phase, row))
            continue
        match = row.match
        if match is None:
            to_create.append(row)
            continue
        decision = run.row_decisions.get(str(row.number), run.decision)
        if decision == Decision.UPDATE and match.updatable:
            to_update.append(row)
        elif decision == Decision.CREATE and not match.exact:
            to_create.append(row)
        elif decision == Decision.CREATE:
            counts["failed"] += 1
            issues.append(_issue(run, phase, Kind.ERROR, row, _("This record already exists and cannot be created twice "
                                                               "(%(key)s).") % {"key": match.kind}))
        else:
            counts["skipped"] += 1
            reason = (_("Exists (not yours), skipped.") if not match.readable else
                      _("Exists, you may not change it; skipped.") if decision == Decision.UPDATE else
                      _("Exists: %(record)s; skipped.") % {"record": importer.describe(match)})
            issues.append(_issue(run, phase, Kind.SKIPPED, row, reason, match=match.as_dict()))
    return to_create, to_update, issues, counts


@dataclass
class _Batch:
    """A checked batch on its way to the database: its rows, what writes the new ones (prepared by the
    importer), the rows to update, and the issues and counts of the rows left out."""

    rows: list[Row]
    to_create: list[Row]
    write_new: Callable[[], list] | None
    to_update: list[Row]
    issues: list[ImportIssue]
    counts: dict


def run_import(run: ImportRun, *, actor, job_id: int | None, progress: Callable[[int], None]) -> None:
    """Write the run's rows after ``run.last_row``, a batch per transaction; each batch is matched and
    prepared while the one before is written (core.imports.writer)."""
    importer = get_importer(run.entity)
    labels = {f.name: f.label for f in importer.fields(actor)}
    match_ctx = importer.begin(actor)
    if run.last_row == 0:
        ImportIssue.objects.filter(run=run, phase="import").delete()
    start = run.last_row

    def commit(batch: _Batch, turn: Callable[[], None]) -> None:
        _commit(run, batch, turn, importer=importer, ctx=match_ctx, labels=labels, job_id=job_id, progress=progress)

    with writer.committing(commit) as write:
        for batch in ahead(rows_of(run, importer, actor, match_ctx)):
            pending = [row for row in batch if row.number > start]
            if not pending:
                continue
            importer.find_existing([r for r in pending if not r.errors and not r.same_as], match_ctx)
            to_create, to_update, issues, counts = _plan(run, importer, pending, "import", labels)
            write(_Batch(rows=pending, to_create=to_create, to_update=to_update, issues=issues, counts=counts,
                         write_new=importer.prepare(to_create, match_ctx) if to_create else None))


def _commit(run: ImportRun, batch: _Batch, turn: Callable[[], None], *, importer, ctx, labels, job_id,
            progress) -> None:
    """One batch in one transaction with the run's counters and its last row.

    An importer whose new rows touch no other row (``new_rows_apart``: codes and ids are reserved
    apart) writes them first, while the batch before may still be committing; ``turn()`` then waits
    for that batch (core.imports.writer) before the run is locked and stored records are updated, so
    batches commit in order and the run's last row only moves forward. Other importers wait for their
    turn before writing anything."""
    locked = _write(run, batch, turn, importer=importer, ctx=ctx, labels=labels, job_id=job_id)
    if locked is None:
        run.refresh_from_db()
        return
    run.__dict__.update({k: getattr(locked, k) for k in ("created", "updated", "skipped", "failed", "rows_done",
                                                         "last_row")})
    progress(run.rows_done)
    _batch_committed(run.pk, run.last_row)


def _write(run: ImportRun, batch: _Batch, turn: Callable[[], None], *, importer, ctx, labels,
           job_id) -> ImportRun | None:
    """The batch's transaction: the locked run with its counters moved on, or None when another worker
    had committed the batch already (this copy is rolled back)."""
    pending, counts, issues = batch.rows, dict(batch.counts), list(batch.issues)
    with transaction.atomic():
        if not importer.new_rows_apart:
            turn()
        created = batch.write_new() if batch.write_new is not None else []
        turn()  # (at once if waited for above)
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if job_id is not None and locked.job_id != job_id:
            raise Superseded
        if locked.last_row >= pending[-1].number:  # committed by another worker already: undo this copy
            transaction.set_rollback(True)
            return None
        updated = importer.update(batch.to_update, ctx) if batch.to_update else []
        # Rows the importer refused while writing (a rule that needs the stored record).
        for row in [*batch.to_create, *batch.to_update]:
            if row.errors:
                counts["failed"] += 1
                issues.extend(_error_issues(run, "import", row, labels))
        ImportIssue.objects.bulk_create(issues, batch_size=1000)
        locked.created += len(created)
        locked.updated += len(updated)
        locked.skipped += counts["skipped"]
        locked.failed += counts["failed"]
        locked.rows_done += len(pending)
        locked.last_row = pending[-1].number
        locked.save(update_fields=["created", "updated", "skipped", "failed", "rows_done", "last_row"])
    return locked
