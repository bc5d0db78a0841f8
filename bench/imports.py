"""Benchmark of spreadsheet imports: N customer rows (BENCH_IMPORT_ROWS, default 10000) from CSV and from
.xlsx, checked (dry run) and imported with validation and duplicate matching against the customers
of the bench database, next to the floor: the same rows read by the same reader and inserted with
one raw COPY on PostgreSQL (one executemany on SQLite), in one transaction. Prints the lines of bench/__main__.py plus rows per second.

Run alone: ``.venv/bin/python -m bench.imports`` (same BENCH_DATABASE_URL / BENCH_CUSTOMERS as the
main benchmark); ``bench.__main__`` calls :func:`report` with its world.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUPLICATE_SHARE = 0.05   # rows that repeat a stored customer's phone
BAD_SHARE = 0.01         # rows with an invalid phone


def _rows(count: int, existing_phones: list[str]) -> list[list]:
    from customers.validators import credit_check_char

    rng = random.Random(count)
    cities = [("北京", "北京市", "朝阳区"), ("上海", "上海市", "浦东新区"), ("广东", "深圳市", "南山区"),
              ("浙江", "杭州市", "西湖区"), ("四川", "成都市", "武侯区")]
    stamp = int(time.time())
    rows = [["客户名称", "电话", "统一社会信用代码", "省份", "城市", "区县", "客户状态", "地址"]]
    for i in range(count):
        province, city, district = cities[i % len(cities)]
        roll = rng.random()
        if roll < DUPLICATE_SHARE and existing_phones:
            phone = rng.choice(existing_phones)
        elif roll < DUPLICATE_SHARE + BAD_SHARE:
            phone = "12345"
        else:
            phone = f"1{rng.choice(['38', '39', '86', '50'])}{rng.randint(10000000, 99999999)}"
        head = f"91{rng.randint(110000, 659999):06d}{stamp % 10**9:09d}{i % 10:01d}"[:17]
        credit = head + credit_check_char(head) if i % 3 == 0 else ""
        rows.append([f"{province}导入测试{stamp}号{i}科技有限公司", phone, credit, province, city, district,
                     rng.choice(["潜在", "意向", "成交", "potential"]), f"{district}测试路{i}号"])
    return rows


def _csv(rows) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _floor(data: bytes, kind: str) -> float:
    """Read the rows with the same reader and insert them with one raw COPY (executemany on SQLite);
    then remove them."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.imports import readers
    from customers.models import Customer

    fields = [f for f in Customer._meta.concrete_fields if not f.primary_key]
    now = timezone.now()

    def value(field, cells):
        if field.name == "name":
            return cells[0]
        if field.name == "phone":
            return str(cells[1])
        if field.name == "address":
            return cells[7]
        if field.null:
            return None
        if field.get_internal_type() == "DateTimeField":
            return field.get_db_prep_value(now, connection)
        return field.get_db_prep_value(field.get_default(), connection)

    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    before = _last_id()
    start = time.perf_counter()
    with transaction.atomic():
        _header, rows = readers.read_rows(io.BytesIO(data), kind)
        params = [[value(f, cells) for f in fields] for _number, cells in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # COPY, the fastest raw way in, as the import uses
                with cursor.cursor.copy(f"COPY customers_customer ({columns}) FROM STDIN") as copy:
                    for row in params:
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO customers_customer ({columns}) VALUES ({marks})", params)
    elapsed = time.perf_counter() - start
    _delete_customers(before)
    return elapsed * 1000


@contextmanager
def _counting(connection):
    """Statements sent, counted by a wrapper on the connection and on any connection opened meanwhile
    (the import's writer thread opens its own): Django's query capture would put each one, values
    written in, into its log, work an import does not do (COPY streams are not counted)."""
    from django.db.backends.signals import connection_created

    sent: list[int] = []  # list.append is atomic: two threads count at once

    def wrapper(execute, sql, params, many, context):
        sent.append(1)
        return execute(sql, params, many, context)

    def opened(sender, connection, **kwargs):
        connection.execute_wrappers.append(wrapper)

    connection_created.connect(opened)
    try:
        with connection.execute_wrapper(wrapper):
            yield sent
    finally:
        connection_created.disconnect(opened)


def _import(actor, data: bytes, kind: str) -> dict:
    """The real path: upload, guessed mapping, dry run, import (jobs run in-process)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from core.imports import engine, services
    from core.models import ImportRun

    upload = SimpleUploadedFile(f"bench.{kind}", data)
    run = services.run_create(actor=actor, entity="customers.customer", upload=upload)
    run = services.mapping_save(actor=actor, run=run, mapping=run.mapping, decision="skip")
    out = {}
    with _counting(connection) as queries:
        start = time.perf_counter()
        counts = engine.check(run, actor=actor, progress=lambda n: None)
        out["check_ms"] = (time.perf_counter() - start) * 1000
    out["check_queries"] = len(queries)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.READY, total_rows=counts["total"])
    run.refresh_from_db()
    with _counting(connection) as queries:
        start = time.perf_counter()
        engine.run_import(run, actor=actor, job_id=None, progress=lambda n: None)
        out["import_ms"] = (time.perf_counter() - start) * 1000
    out["import_queries"] = len(queries)
    run.refresh_from_db()
    out.update(rows=counts["total"], created=run.created, skipped=run.skipped, failed=run.failed, run=run)
    return out


def _last_id() -> int:
    from customers.models import Customer

    return Customer.all_objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _delete_customers(before: int) -> None:
    """Delete the customers after id ``before`` a thousand at a time: one delete of 100,000 would send
    their ids as more parameters than PostgreSQL takes in one statement."""
    from customers.models import Customer

    ids = list(Customer.all_objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), 1000):
        Customer.all_objects.filter(pk__in=ids[i:i + 1000]).delete()


def _cleanup(run, before: int) -> None:
    """Remove what the measured import wrote, so the bench data set stays the same for the next run."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import AuditLog, Version
    from customers.models import Customer

    content_type = ContentType.objects.get_for_model(Customer)
    ids = list(Customer.all_objects.filter(pk__gt=before).values_list("pk", flat=True))
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        Version.objects.filter(content_type=content_type, object_id__in=chunk).delete()
        AuditLog.objects.filter(content_type=content_type, object_id__in=chunk).delete()
    _delete_customers(before)
    run.file.delete(save=False)
    if run.report:
        run.report.delete(save=False)
    run.delete()


def _settle() -> None:
    """PostgreSQL: vacuum the tables an import writes, so that the next measurement does not share the
    cores with autovacuum clearing up the rows the last cleanup deleted (it started in the middle of
    an import and took a fifth off its rate)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) customers_customer, customers_customerassignment, core_auditlog, "
                           "core_version, core_importissue")


def report(world=None) -> list[dict]:
    from django.test.utils import override_settings
    from django.utils import translation

    from customers.models import Customer

    count = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
    from org.models import User

    actor = world["sellers"][0] if world else User.objects.filter(username__startswith="bench_s").order_by("id").first()
    phones = list(Customer.objects.exclude(phone="").order_by("-id").values_list("phone", flat=True)[:2000])
    rows = _rows(count, phones)
    results = []
    with translation.override("en"), override_settings(MEDIA_ROOT=str(ROOT / "var" / "bench-media")):
        for kind, data in (("csv", _csv(rows)), ("xlsx", _xlsx(rows))):
            floor = _floor(data, kind)
            before = _last_id()
            _settle()
            out = _import(actor, data, kind)
            for phase in ("check", "import"):
                ms = out[f"{phase}_ms"]
                name = f"import {kind} {count} rows: {'dry run' if phase == 'check' else 'import'}"
                results.append({"name": name, "median": ms, "p95": ms, "queries": out[f"{phase}_queries"],
                                "floor": floor, "ratio": ms / floor if floor else float("nan"),
                                "rows_per_s": out["rows"] / (ms / 1000) if ms else 0.0})
            ms = out["check_ms"] + out["import_ms"]
            results.append({"name": f"import {kind} {count} rows: dry run + import", "median": ms, "p95": ms,
                            "queries": out["check_queries"] + out["import_queries"], "floor": floor,
                            "ratio": ms / floor if floor else float("nan"),
                            "rows_per_s": out["rows"] / (ms / 1000) if ms else 0.0})
            print(f"  ({kind}: {out['created']} created, {out['skipped']} skipped as duplicates, "
                  f"{out['failed']} with errors)")
            _cleanup(out["run"], before)
    for row in results:
        print(f"{row['name']:56} {row['median']:10.1f} {row['p95']:8.1f} {row['queries']:8d} {row['floor']:9.2f} "
              f"{row['ratio']:6.1f} {row['rows_per_s']:9.0f} rows/s")
    return results


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    os.environ.setdefault("SIMPLE_STATIC", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from bench import data

    call_command("migrate", verbosity=0)
    world = data.build(int(os.environ.get("BENCH_CUSTOMERS", "20000")))
    print(f"掌柜 CRM import benchmark — {data.vendor()} — {world['customers']} customers")
    print(f"{'scenario':56} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'floor ms':>9} {'ratio':>6} {'rows/s':>9}")
    report(world)
    return 0


if __name__ == "__main__":
    sys.exit(main())
