"""Importing customers from CSV / Excel: checks, duplicates, decisions, access and resume."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from core.imports import engine, services
from core.models import AuditLog, ImportRun, JobProgress, Version
from customers import dedup
from customers.models import Customer

from .customer_world import create, make_world

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
GOOD_CODE = "914403001922038216"
HEADER = "客户名称,电话,统一社会信用代码,省份,城市,区县,客户状态"


@pytest.fixture(autouse=True)
def immediate(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def world():
    return make_world()


def csv_file(lines: list[str], *, encoding: str = "utf-8", name: str = "customers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list]) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("customers.xlsx", out.getvalue())


def check(actor, upload, capture, *, entity: str = "customers.customer", decision: str = "skip") -> ImportRun:
    run = services.run_create(actor=actor, entity=entity, upload=upload)
    run = services.mapping_save(actor=actor, run=run, mapping=run.mapping, decision=decision)
    with capture(execute=True):
        services.check_start(actor=actor, run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY, run.message
    return run


def do_import(actor, run, capture, rows: dict | None = None) -> ImportRun:
    if rows is not None:
        services.decisions_save(actor=actor, run=run, default=run.decision, rows=rows)
    with capture(execute=True):
        services.import_start(actor=actor, run=run)
    run.refresh_from_db()
    return run


def import_file(actor, upload, capture, **kw) -> ImportRun:
    return do_import(actor, check(actor, upload, capture, **kw), capture)


def test_good_rows_in_bad_rows_reported_nothing_partial(world, django_capture_on_commit_callbacks):
    lines = [HEADER,
             f"北京星辰科技有限公司,13800138000,{GOOD_CODE},北京,北京市,朝阳区,潜在",
             "上海月光贸易有限公司,021-62345678,,上海市,,,intent",
             "坏电话公司,12345,,,,,",                                   # row 4: bad phone
             "坏代码公司,,91440300192203821X,,,,",                     # row 5: bad check digit
             ",13900139000,,,,,",                                      # row 6: no name
             "未知状态公司,,,,,,flying",                                 # row 7: bad status
             "广州海风物流有限公司,,,广东,,不存在区,"]                        # row 8: unknown district
    run = import_file(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.DONE
    assert (run.created, run.failed) == (2, 5)
    assert set(Customer.objects.values_list("name", flat=True)) == {"北京星辰科技有限公司", "上海月光贸易有限公司"}
    reasons = {i.row: (i.column, i.reason) for i in run.issues.filter(phase="import", kind="error")}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert "phone" in reasons[4][1].lower()
    assert "check digit" in reasons[5][1]
    assert reasons[6][1] == "This field is required."
    assert reasons[8][1] == "Unknown region."
    star = Customer.objects.get(name="北京星辰科技有限公司")
    # Regions by short or full name, chain complete; phone normalised; a numbered code; audit + version.
    assert (star.province.name, star.city.name, star.district.name) == ("北京市", "北京市", "朝阳区")
    assert star.phone_norm == "+8613800138000" and star.credit_code == GOOD_CODE
    assert star.code and star.owner == world.alice and star.department == world.north and star.created_by == world.alice
    assert AuditLog.objects.filter(object_id=star.pk, action="create").count() == 1
    assert Version.objects.filter(object_id=star.pk, number=1).exists()
    assert Customer.objects.get(name="上海月光贸易有限公司").status == "intent"


def test_same_file_twice_creates_no_duplicates(world, django_capture_on_commit_callbacks):
    lines = [HEADER, f"北京星辰科技有限公司,13800138000,{GOOD_CODE},,,,", "上海月光贸易有限公司,,,,,,",
             "深圳阳光电子有限公司,0755-86543210,,,,,"]
    first = import_file(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    assert first.created == 3
    second = check(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    assert (second.duplicate_rows, second.error_rows) == (3, 0)
    second = do_import(world.alice, second, django_capture_on_commit_callbacks)
    assert (second.created, second.skipped) == (0, 3)
    assert Customer.objects.count() == 3


def test_deleted_customers_match_nothing_but_keep_their_codes(world, django_capture_on_commit_callbacks):
    from customers.services import customer_delete

    gone = create(world.alice, "北京旧客户有限公司", phone="13800138000", code="OLD-001")
    customer_delete(actor=world.alice, instance=gone)
    live = create(world.alice, "上海现有客户有限公司", phone="13900139000")
    lines = ["客户名称,电话,编号", "北京新客户有限公司,13800138000,",     # the deleted one's phone: a new customer
             "杭州新客户有限公司,,OLD-001",                                # the deleted one's code: refused
             "上海现有客户有限公司,13900139000,"]                          # the live one: a duplicate, skipped
    run = import_file(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    assert (run.created, run.failed, run.skipped) == (1, 1, 1)
    assert run.issues.get(phase="import", kind="error").reason == "This customer code is already used."
    assert run.issues.get(phase="import", kind="skipped").match["pk"] == live.pk
    assert Customer.objects.filter(phone_norm="+8613800138000").get().name == "北京新客户有限公司"


def test_an_import_refreshes_the_statistics_of_its_table(world, django_capture_on_commit_callbacks, monkeypatch):
    from django.db import connection

    from core import dbstats

    refreshed = []
    refresh = dbstats.refresh
    monkeypatch.setattr(dbstats, "refresh", lambda tables=None: refreshed.append(tables) or refresh(tables))
    run = import_file(world.alice, csv_file([HEADER, "北京星辰科技有限公司,13800138000,,,,,"]),
                      django_capture_on_commit_callbacks)
    assert run.created == 1 and refreshed == [["customers_customer"]]
    if connection.vendor == "sqlite":  # PostgreSQL: autovacuum's
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'customers_customer'")
            assert cursor.fetchone()[0] > 0


def test_rows_repeating_in_one_file_are_imported_once(world, django_capture_on_commit_callbacks):
    lines = [HEADER, "北京星辰科技有限公司,13800138000,,,,,", "北京星辰科技股份有限公司,138 0013 8000,,,,,"]
    run = import_file(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    assert (run.created, run.skipped) == (1, 1)
    issue = run.issues.get(phase="import", kind="skipped")
    assert issue.row == 3 and "row 2" in issue.reason


def test_decisions_skip_update_create(world, django_capture_on_commit_callbacks):
    mine = create(world.alice, "北京星辰科技有限公司", phone="13800138000")
    named = create(world.alice, "杭州云海网络有限公司")
    lines = ["客户名称,电话,客户状态,地址", "北京星辰科技有限公司,13800138000,intent,新地址1号",
             "杭州云海网络股份有限公司,,,", "北京星辰科技,13800138000,,"]
    run = check(world.alice, csv_file(lines), django_capture_on_commit_callbacks, decision="update")
    assert run.duplicate_rows == 3  # two stored customers, and row 4 repeats row 2 of the file
    dup = {i.row: i for i in run.issues.filter(phase="check", kind="duplicate")}
    assert dup[2].match["pk"] == mine.pk and dup[3].match["pk"] == named.pk
    run = do_import(world.alice, run, django_capture_on_commit_callbacks, rows={3: "create"})
    assert (run.created, run.updated, run.skipped) == (1, 1, 1)
    mine.refresh_from_db()
    assert (mine.status, mine.address, mine.version) == ("intent", "新地址1号", 2)
    assert AuditLog.objects.filter(object_id=mine.pk, action="update", changes__has_key="address").exists()
    assert Customer.objects.filter(name__startswith="杭州云海网络").count() == 2
    # "create" is refused when an exact key (phone) matches: no second customer with that number.
    again = check(world.alice, csv_file(lines[:2]), django_capture_on_commit_callbacks, decision="create")
    again = do_import(world.alice, again, django_capture_on_commit_callbacks)
    assert (again.created, again.failed) == (0, 1)
    assert Customer.objects.filter(phone_norm="+8613800138000").count() == 1


def test_update_outside_scope_is_skipped_and_reveals_nothing(world, django_capture_on_commit_callbacks):
    theirs = create(world.bob, "南京秘密精密机械有限公司", phone="13911112222", notes="secret")
    lines = ["客户名称,电话,备注", "随便什么公司,13911112222,overwritten"]
    run = check(world.alice, csv_file(lines), django_capture_on_commit_callbacks, decision="update")
    issue = run.issues.get(phase="check", kind="duplicate")
    assert "pk" not in issue.match and "label" not in issue.match
    assert "南京秘密" not in issue.reason and "Exists (not yours)" in issue.reason
    run = do_import(world.alice, run, django_capture_on_commit_callbacks)
    assert (run.created, run.updated, run.skipped) == (0, 0, 1)
    skipped = run.issues.get(phase="import", kind="skipped")
    assert skipped.reason == "Exists (not yours), skipped." and "南京" not in str(skipped.match)
    theirs.refresh_from_db()
    assert theirs.notes == "secret" and theirs.version == 1


def test_a_batch_another_worker_committed_meanwhile_is_rolled_back(world, django_capture_on_commit_callbacks,
                                                                    monkeypatch):
    """The new rows are written before the run is locked (core.imports.engine._write): a batch that a
    worker taking over committed meanwhile is undone, not stored twice."""
    from customers.importers import CustomerImporter

    monkeypatch.setattr(CustomerImporter, "batch_size", 3)
    lines = [HEADER] + [f"测试{i:03d}贸易有限公司,,,,,," for i in range(6)]
    run = check(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    plan = engine._plan

    def planned_then_taken_over(run_, importer, rows, phase, labels):
        if rows[-1].number == 4:  # rows 2-4: committed by the other worker before this one's turn
            ImportRun.objects.filter(pk=run.pk).update(last_row=4, rows_done=3)
        return plan(run_, importer, rows, phase, labels)

    monkeypatch.setattr(engine, "_plan", planned_then_taken_over)
    run = do_import(world.alice, run, django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.DONE and (run.rows_done, run.created, run.last_row) == (6, 3, 7)
    assert sorted(Customer.objects.values_list("name", flat=True)) == [f"测试{i:03d}贸易有限公司" for i in range(3, 6)]
    assert AuditLog.objects.filter(action="create", object_repr__startswith="测试").count() == 3


def test_resume_after_a_crash_finishes_without_duplicates(world, django_capture_on_commit_callbacks, monkeypatch):
    from customers.importers import CustomerImporter

    monkeypatch.setattr(CustomerImporter, "batch_size", 3)
    lines = [HEADER] + [f"测试{i:03d}贸易有限公司,,,,,," for i in range(10)]
    run = check(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    batches = []

    def crash(run_id, last_row):
        batches.append(last_row)
        if len(batches) == 2:
            raise RuntimeError("worker died")

    monkeypatch.setattr(engine, "_batch_committed", crash)
    with django_capture_on_commit_callbacks(execute=True):
        first_job = services.import_start(actor=world.alice, run=run)  # the task backend records the crash
    assert JobProgress.objects.get(pk=first_job.pk).status == JobProgress.Status.FAILED
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.last_row == 7 and run.created == 6
    assert Customer.objects.count() == 6
    assert services.resumable(run)
    monkeypatch.setattr(engine, "_batch_committed", lambda run_id, last_row: None)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_resume(actor=world.alice, run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.created == 10 and run.rows_done == 10
    assert Customer.objects.count() == 10
    assert Customer.objects.values("name").distinct().count() == 10
    assert JobProgress.objects.get(pk=job.pk).status == JobProgress.Status.DONE


def test_gbk_csv(world, django_capture_on_commit_callbacks):
    lines = ["客户名称,手机,省份", "成都熊猫食品有限公司,13700137000,四川"]
    run = import_file(world.alice, csv_file(lines, encoding="gbk"), django_capture_on_commit_callbacks)
    assert run.created == 1
    panda = Customer.objects.get()
    assert panda.name == "成都熊猫食品有限公司" and panda.province.name == "四川省"


def test_xlsx_with_numbers_and_dates(world, django_capture_on_commit_callbacks):
    import datetime

    rows = [["公司名称", "联系电话", "下次跟进", "年采购额", "城市"],
            ["武汉长江化工有限公司", 13600136000, datetime.date(2027, 1, 5), 12345.5, "武汉"],
            ["", 13600136001, None, None, None]]
    run = import_file(world.alice, xlsx_file(rows), django_capture_on_commit_callbacks)
    assert (run.created, run.failed) == (1, 1)
    row = Customer.objects.get()
    assert row.phone == "13600136000" and str(row.amount) == "12345.50"
    assert row.next_followup_on == datetime.date(2027, 1, 5)
    assert (row.province.name, row.city.name) == ("湖北省", "武汉市")


def test_error_report_xlsx(world, django_capture_on_commit_callbacks):
    lines = [HEADER, "好公司有限公司,,,,,,", "坏公司,12345,,,,,", "=cmd|' /C calc'!A0,,,,,,flying"]
    run = check(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    assert run.report
    with run.report.open("rb") as handle:
        sheet = load_workbook(handle).active
        rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Row", "Column", "Value", "Kind", "Reason")
    assert [(r[0], r[1]) for r in rows[1:]] == [(3, "phone"), (4, "status")]
    assert rows[2][2] == "flying" and rows[1][2] == "12345"


def test_hidden_and_readonly_fields_cannot_be_imported(world):
    from org.models import FieldRule

    role = world.alice.roles.get()
    FieldRule.objects.create(role=role, module="customers.customer", field="notes", mode="hidden")
    FieldRule.objects.create(role=role, module="customers.customer", field="credit_code", mode="readonly")
    upload = csv_file(["客户名称,备注,统一社会信用代码", f"甲公司,x,{GOOD_CODE}"])
    run = services.run_create(actor=world.alice, entity="customers.customer", upload=upload)
    assert set(run.mapping.values()) == {"name"}
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.mapping_save(actor=world.alice, run=run, mapping={"0": "name", "1": "notes"})


def test_user_without_create_grant_cannot_import(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.run_create(actor=world.nobody, entity="customers.customer", upload=csv_file([HEADER]))
    assert ImportRun.objects.count() == 0


@pytest.mark.parametrize("name,short", [
    ("重庆长安汽车股份有限公司", "长安"), ("中国银行北京分行", ""), ("ABC科技（北京）有限公司", "ABC"),
    ("华为 Technologies Co., Ltd.", "华为"), ("长沙行乐乐音乐工作室", "乐乐"), ("Plain Latin Name Ltd", ""),
    # Runs of Chinese characters cut once per job: the same run again, and runs between Latin and digits.
    ("重庆重庆银行行长", "重庆"), ("北京导入测试2026号12科技有限公司", "北京导入测试"), ("银行A银行B长沙长大", "长大"),
])
def test_import_search_keys_equal_the_models_own(name, short):
    """The importer fills search keys itself (with a word cache); they must equal fill_own_keys's."""
    from core.imports.registry import Row
    from customers.importers import _own_keys
    from customers.search import fill_own_keys

    row = Row(number=2, raw={})
    clean_name = " ".join(unicodedata.normalize("NFKC", name).split())
    row.data.update(_phone_norm="+8613800138000", _name_key=dedup.name_key(clean_name))
    ours = {"name": clean_name, "short_name": short, "code": "KH-1", "phone": "13800138000"}
    theirs = Customer(**ours)
    cache: dict = {}
    _own_keys(ours, row, cache)
    _own_keys(ours, row, cache)  # the second time from the cache
    fill_own_keys(theirs)
    assert (ours["search_text"], ours["phone_norm"], ours["name_key"]) == (
        theirs.search_text, theirs.phone_norm, theirs.name_key)


def test_owner_column_and_custom_fields(world, django_capture_on_commit_callbacks):
    from core.models import CustomField

    CustomField.objects.create(module="customers.customer", code="erp_no", label="ERP编号", type="number")
    lines = ["客户名称,负责人,ERP编号", "甲子科技有限公司,bob,42", "乙丑科技有限公司,nosuchuser,1", "丙寅科技有限公司,,abc"]
    # The manager may assign, so the owner column is offered; a salesperson without assign is not.
    assert "owner" not in {f.name for f in services.get_importer("customers.customer").fields(world.nobody)}
    run = import_file(world.manager, csv_file(lines), django_capture_on_commit_callbacks)
    assert run.mapping == {"0": "name", "1": "owner", "2": "custom.erp_no"}
    assert (run.created, run.failed) == (1, 2)
    first = Customer.objects.get()
    assert first.owner == world.bob and first.department == world.south and first.created_by == world.manager
    assert first.custom == {"erp_no": "42"}
    reasons = {i.row: i.column for i in run.issues.filter(phase="import", kind="error")}
    assert reasons == {3: "owner", 4: "ERP编号"}


def test_imported_row_equals_the_same_row_created_by_the_service(world, django_capture_on_commit_callbacks):
    """The import writes with COPY / executemany, not the ORM: every column must still be what
    customers.services.customer_create stores for the same values (but id and timestamps)."""
    from customers.services import customer_create

    lines = ["客户名称,简称,编号,电话,统一社会信用代码,省份,城市,区县,客户状态,地址,网址,备注,年采购额,下次跟进",
             f"北京星辰科技有限公司,星辰,KH-T1,13800138000,{GOOD_CODE},北京,北京市,朝阳区,意向,朝阳路1号,"
             "https://xc.example.com,老客户介绍,12345.5,2030-01-31"]
    run = import_file(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    assert run.created == 1, list(run.issues.values_list("reason", flat=True))
    imported = Customer.objects.get()
    columns = [f.attname for f in Customer._meta.concrete_fields]
    fast = {name: getattr(imported, name) for name in columns}
    version = Version.objects.get(object_id=imported.pk)
    entry = AuditLog.objects.get(object_id=imported.pk, action="create")
    # As customer_create: the first owner holds it from now on, and the assignment history says so.
    assert fast["owned_since"] is not None
    assert imported.assignments.get().kind == "create" and imported.assignments.get().to_owner == world.alice
    Version.objects.filter(object_id=imported.pk).delete()
    AuditLog.objects.filter(object_id=imported.pk).delete()
    Customer.all_objects.filter(pk=imported.pk).delete()  # frees the code and the duplicate keys

    data = {name: getattr(imported, name) for name in ("name", "short_name", "code", "phone", "credit_code", "province",
                                                       "city", "district", "status", "address", "website", "notes",
                                                       "amount", "next_followup_on")}
    made = customer_create(actor=world.alice, data=data)
    made.refresh_from_db()
    skip = {"id", "created_at", "updated_at", "owned_since"}  # timestamps of the two writes
    assert {k: v for k, v in fast.items() if k not in skip} == {
        name: getattr(made, name) for name in columns if name not in skip}
    assert fast["version"] == 1 and fast["search_text"] and fast["phone_norm"] == "+8613800138000"
    # The audit entry and version of the import hold what the ORM path would have stored.
    assert version.number == 1 and version.data["code"] == "KH-T1" and version.data["amount"] == "12345.50"
    assert version.data["next_followup_on"] == "2030-01-31" and version.data["id"] == imported.pk
    assert entry.changes["name"] == [None, "北京星辰科技有限公司"] and "version" not in entry.changes
    assert entry.object_repr == "北京星辰科技有限公司" and entry.actor == world.alice


def test_imported_record_can_be_restored_to_its_imported_version(world, django_capture_on_commit_callbacks):
    from core.services import restore_version
    from customers.services import customer_update

    run = import_file(world.alice, csv_file([HEADER, "北京星辰科技有限公司,13800138000,,北京,,,潜在"]),
                      django_capture_on_commit_callbacks)
    customer = Customer.objects.get()
    assert run.created == 1 and customer.version == 1
    customer = customer_update(actor=world.alice, instance=customer, data={"name": "北京星辰电子有限公司"})
    restored = restore_version(actor=world.alice, instance=customer, number=1)
    assert restored.name == "北京星辰科技有限公司" and restored.version == 3


def test_mobile_fast_path_agrees_with_the_validator():
    """The importer decides 11-digit mobiles by their first six digits; it must equal normalize_phone."""
    import random

    from customers.importers import _phone_norm
    from customers.validators import normalize_phone

    rng = random.Random(5)
    numbers = [f"{prefix}{rng.randint(0, 10 ** (11 - len(prefix)) - 1):0{11 - len(prefix)}d}"
               for prefix in ("13", "140", "145", "150", "154", "162", "1610", "1740", "17406", "177", "19", "194")
               for _ in range(40)]
    cache: dict = {}
    assert [_phone_norm(n, cache) for n in numbers] == [normalize_phone(n) for n in numbers]
    assert any(not normalize_phone(n) for n in numbers) and any(normalize_phone(n) for n in numbers)


def test_batches_write_each_created_row_with_its_keys_history_and_version(world, django_capture_on_commit_callbacks,
                                                                          monkeypatch):
    """Several batches of the plain-row writer: every created customer can be found by its pinyin
    initials, has one create entry, version 1 and a create line in its assignment history; bad and
    repeated rows are reported by row number and leave nothing behind."""
    from customers.importers import CustomerImporter
    from customers.search import search_condition

    monkeypatch.setattr(CustomerImporter, "batch_size", 3)
    existing = create(world.alice, "南京老客户贸易有限公司", phone="13911110000")
    lines = [HEADER,
             f"北京星辰科技有限公司,13800138000,{GOOD_CODE},北京,,,成交",       # 2
             "上海月光贸易有限公司,021-62345678,,,,浦东新区,",                # 3
             "坏电话公司,12345,,,,,",                                       # 4: bad phone
             "南京老客户贸易股份有限公司,13911110000,,,,,",                      # 5: stored customer
             "杭州云海网络有限公司,,,浙江,杭州,西湖区,",                          # 6
             "北京星辰科技股份有限公司,138 0013 8000,,,,,",                     # 7: repeats row 2
             "成都熊猫食品有限公司,13700137000,,,,,意向"]                       # 8
    run = import_file(world.alice, csv_file(lines), django_capture_on_commit_callbacks)
    assert (run.created, run.skipped, run.failed) == (4, 2, 1)
    issues = {i.row: (i.kind, i.column) for i in run.issues.filter(phase="import")}
    assert issues == {4: ("error", "phone"), 5: ("skipped", ""), 7: ("skipped", "")}
    made = Customer.objects.exclude(pk=existing.pk)
    assert sorted(made.values_list("name", flat=True)) == ["上海月光贸易有限公司", "北京星辰科技有限公司",
                                                            "成都熊猫食品有限公司", "杭州云海网络有限公司"]
    assert len({c.code for c in made}) == 4 and all(c.code for c in made)
    for customer in made:
        assert customer.owner == world.alice and customer.department == world.north and customer.owned_since
        assert customer.version == 1 and customer.search_text and customer.name_key
        entry = AuditLog.objects.get(object_id=customer.pk, content_type__model="customer")
        assert entry.action == "create" and entry.object_repr == customer.name and entry.actor == world.alice
        assert entry.changes["name"] == [None, customer.name] and entry.changes["code"] == [None, customer.code]
        version = Version.objects.get(object_id=customer.pk, content_type__model="customer")
        assert version.number == 1 and version.data["id"] == customer.pk and version.data["name"] == customer.name
        assert list(customer.assignments.values_list("kind", "to_owner", "to_department")) == [
            ("create", world.alice.pk, world.north.pk)]
    star = made.get(name="北京星辰科技有限公司")
    assert star.status == "deal" and star.last_deal_at and star.province.name == "北京市"
    # The district alone names its city and province; the stored keys find rows by pinyin initials.
    moon = made.get(name="上海月光贸易有限公司")
    assert (moon.province.name, moon.city.name, moon.district.name) == ("上海市", "上海市", "浦东新区")
    assert list(Customer.objects.filter(search_condition("bjxckj")).values_list("pk", flat=True)) == [star.pk]
    assert list(Customer.objects.filter(search_condition("shygmy")).values_list("pk", flat=True)) == [moon.pk]
    assert list(Customer.objects.filter(search_condition("13700137000")).values_list("name", flat=True)) == [
        "成都熊猫食品有限公司"]


def test_checking_a_row_makes_no_queries(world, django_assert_num_queries):
    """Rows are checked in a thread of their own while the previous batch is written: clean() must
    not query (regions fill their chain upwards from the list loaded once)."""
    from core.imports.registry import Row, get_importer

    importer = get_importer("customers.customer")
    ctx = importer.begin(world.alice)
    row = Row(number=2, raw={"name": "上海月光贸易有限公司", "district": "浦东新区", "phone": "021-62345678",
                             "status": "意向", "credit_code": GOOD_CODE})
    with django_assert_num_queries(0):
        importer.clean(row, ctx)
    assert not row.errors and row.data["city"].name == "上海市" and row.data["province"].name == "上海市"


@given(st.text(alphabet=st.sampled_from("北京导入测试银行行长𠀀𪜀〇々ABCabc 123（）,.-_\u3000\uf900\n"), min_size=1, max_size=30))
def test_runs_of_chinese_and_other_characters_are_pypinyins_own(text):
    from pypinyin.seg.simpleseg import simple_seg

    from customers.importers import _runs

    assert _runs(text) == simple_seg(text)
