"""The generic import framework: readers, column guessing, templates, pages and who may see a run."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.imports import mapping, readers, services
from core.models import ImportRun, ImportTemplate
from core.testing import full_grants, make_role, make_user
from org.models import Scope

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def rows_of(data: bytes, kind: str):
    header, rows = readers.read_rows(io.BytesIO(data), kind)
    return header, list(rows)


def test_csv_encodings_and_delimiters():
    text = "客户名称,电话\n北京科技,13800138000\n\n上海贸易, 021-1234 \n"
    for encoding in ("utf-8", "utf-8-sig", "gbk", "gb18030"):
        data = text.encode(encoding)
        assert readers.detect_kind(data[:50]) == "csv"
        header, rows = rows_of(data, "csv")
        assert header == ["客户名称", "电话"]
        # The empty line is left out but counted: row numbers are the spreadsheet's.
        assert rows == [(2, ["北京科技", "13800138000"]), (4, ["上海贸易", "021-1234"])]
    header, rows = rows_of("名称\t电话\n甲\t1\n".encode(), "csv")
    assert header == ["名称", "电话"] and rows == [(2, ["甲", "1"])]


def test_kind_is_decided_by_content():
    workbook = Workbook()
    workbook.active.append(["名称", "金额"])
    workbook.active.append(["甲", 12.0])
    out = io.BytesIO()
    workbook.save(out)
    assert readers.detect_kind(out.getvalue()[:16]) == "xlsx"
    header, rows = rows_of(out.getvalue(), "xlsx")
    assert header == ["名称", "金额"] and rows == [(2, ["甲", 12])]
    with pytest.raises(ValidationError):
        readers.detect_kind(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(ValidationError):
        readers.detect_kind(bytes(range(0x80, 0x100)) + b"\x1b\x02")  # decodes as GB18030, but is binary
    with pytest.raises(ValidationError):
        rows_of(b"\n\n", "csv")  # no header row


def test_guess_mapping_in_chinese_and_english():

    from core.imports.registry import ImportField

    specs = [ImportField("name", "customer name", True, ("客户名称", "公司名称")),
             ImportField("phone", "phone", False, ("电话", "手机")),
             ImportField("invoice_phone", "invoice phone", False, ("开票电话",)),
             ImportField("credit_code", "unified social credit code", False, ("统一社会信用代码",))]
    guessed = mapping.guess(["*公司名称", "开票电话", "手机号码", "Unified social credit code", "其他"], specs)
    assert guessed == {"0": "name", "1": "invoice_phone", "2": "phone", "3": "credit_code"}
    assert mapping.guess(["Customer Name", "Phone"], specs) == {"0": "name", "1": "phone"}
    template = mapping.to_template(["公司名称", "联系方式"], {"0": "name", "1": "phone"})
    assert mapping.from_template(["联系方式", "公司名称 "], template, specs) == {"0": "phone", "1": "name"}


@pytest.fixture
def people(db):
    role = make_role(grants=full_grants("customers.customer", Scope.OWN))
    return make_user("imp_a", roles=[role]), make_user("imp_b", roles=[role]), make_user("imp_none")


def upload(text: str, name: str = "c.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def test_upload_checks_size_and_content(people, settings, monkeypatch):
    alice, _bob, _none = people
    monkeypatch.setattr(services, "MAX_BYTES", 100)
    with pytest.raises(ValidationError):
        services.run_create(actor=alice, entity="customers.customer", upload=upload("客户名称\n" + "甲\n" * 100))
    with pytest.raises(ValidationError):
        services.run_create(actor=alice, entity="customers.customer",
                            upload=SimpleUploadedFile("x.csv", b"\x00\x01\x02binary"))
    assert ImportRun.objects.count() == 0


def test_templates_are_remembered_and_shared(people):
    alice, bob, _none = people
    run = services.run_create(actor=alice, entity="customers.customer", upload=upload("公司,联系方式\n甲公司,13800138000\n"))
    services.mapping_save(actor=alice, run=run, mapping={"0": "name", "1": "phone"}, template_name="CRM export")
    template = ImportTemplate.objects.get()
    assert template.mapping == {"公司": "name", "联系方式": "phone"} and not template.shared
    other = services.run_create(actor=bob, entity="customers.customer", upload=upload("联系方式,公司\n1,甲\n"))
    assert not services.templates_for(bob, "customers.customer").exists()
    services.mapping_save(actor=alice, run=run, mapping={"0": "name", "1": "phone"}, template_name="CRM export", share=True)
    assert services.template_mapping(actor=bob, run=other, template_id=template.pk) == {"0": "phone", "1": "name"}
    with pytest.raises(Http404):
        services.template_delete(actor=bob, template_id=template.pk)
    assert ImportTemplate.objects.count() == 1


def test_pages_and_another_users_run_is_404(people, client, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    alice, bob, nobody = people
    client.force_login(alice)
    page = client.get(reverse("customers:customer_list"))
    assert reverse("core:import_new", args=["customers.customer"]).encode() in page.content
    new_url = reverse("core:import_new", args=["customers.customer"])
    assert client.get(new_url).status_code == 200
    blank = client.get(reverse("core:import_blank", args=["customers.customer"]))
    header = [c.value for c in next(load_workbook(io.BytesIO(blank.content)).active.iter_rows())]
    assert "*customer name" in header
    response = client.post(new_url, {"file": upload("客户名称,电话\n甲公司,13800138000\n乙公司,12345\n")})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    detail = client.get(run.get_absolute_url())
    assert detail.status_code == 200 and b'name="col_0"' in detail.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(run.get_absolute_url(), {"action": "check", "col_0": "name", "col_1": "phone", "decision": "skip"})
    run.refresh_from_db()
    assert run.status == "ready" and run.error_rows == 1
    detail = client.get(run.get_absolute_url())
    assert b"12345" in detail.content and client.get(reverse("core:import_report", args=[run.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(run.get_absolute_url(), {"action": "import", "decision": "skip"})
    run.refresh_from_db()
    assert (run.status, run.created, run.failed) == ("done", 1, 1)
    # Someone else: the run, its report and its actions do not exist; nothing changes.
    client.force_login(bob)
    for url in (run.get_absolute_url(), reverse("core:import_report", args=[run.pk])):
        assert client.get(url).status_code == 404
    assert client.post(run.get_absolute_url(), {"action": "resume"}).status_code == 404
    assert run.file.name not in client.get(reverse("core:import_list")).content.decode()
    # No create grant: no import page at all.
    client.force_login(nobody)
    assert client.get(new_url).status_code == 403
    assert client.post(new_url, {"file": upload("客户名称\n丙\n")}).status_code == 403
    assert ImportRun.objects.count() == 1


def test_bad_upload_is_refused_with_a_message(people, client):
    alice, _bob, _none = people
    client.force_login(alice)
    response = client.post(reverse("core:import_new", args=["customers.customer"]),
                           {"file": SimpleUploadedFile("evil.xlsx", b"MZ\x90\x00\x03\x00\x00\x00")})
    assert response.status_code == 400 and b"not a CSV or Excel file" in response.content
    assert ImportRun.objects.count() == 0


def test_unknown_importer_is_404(people, client):
    client.force_login(people[0])
    assert client.get(reverse("core:import_new", args=["nothing.here"])).status_code == 404


def test_reserve_codes_takes_many_in_one_go_and_skips_taken(db):
    from core import numbering
    from core.models import NumberingRule

    NumberingRule.objects.create(doc_type="customer", name="c", pattern="KH-{region}-{seq:4}", reset="never")
    first = numbering.next_code("customer", context={"region": "BJ"})
    codes = numbering.reserve_codes("customer", 3, context={"region": "BJ"},
                                    taken=lambda batch: {c for c in batch if c.endswith("0003")})
    assert first == "KH-BJ-0001" and codes == ["KH-BJ-0002", "KH-BJ-0004", "KH-BJ-0005"]
    assert numbering.next_code("customer", context={"region": "BJ"}) == "KH-BJ-0006"
    assert numbering.reserve_codes("customer", 0) == []


def test_reserve_code_groups_takes_codes_of_many_scopes_in_one_go(db, django_assert_max_num_queries):
    from core import numbering
    from core.models import NumberingRule, Sequence

    NumberingRule.objects.create(doc_type="customer", name="c", pattern="KH-{region}{level}-{seq:3}", reset="never")
    assert numbering.next_code("customer", context={"region": "BJ", "level": "A"}) == "KH-BJA-001"
    asked = []

    def taken(batch):
        asked.append(list(batch))
        return {"KH-BJA-003", "KH-SHB-001"}

    wanted = [({"region": "BJ", "level": "A"}, 3), ({"region": "SH", "level": "B"}, 2), ({"region": "GZ", "level": "A"}, 0),
              ({"region": "BJ", "level": "A"}, 1)]  # a second group of a scope continues its counter
    with django_assert_max_num_queries(12):
        codes = numbering.reserve_code_groups("customer", wanted, taken=taken)
    assert codes == [["KH-BJA-002", "KH-BJA-004", "KH-BJA-006"], ["KH-SHB-002", "KH-SHB-003"], [], ["KH-BJA-005"]]
    assert [len(batch) for batch in asked] == [6, 2]  # every group's candidates in one call, then the ones passed over
    assert sorted(asked[0]) == sorted(["KH-BJA-002", "KH-BJA-003", "KH-BJA-004", "KH-SHB-001", "KH-SHB-002", "KH-BJA-005"])
    assert dict(Sequence.objects.values_list("scope", "value")) == {"region=BJ|level=A": 6, "region=SH|level=B": 3}
    assert numbering.next_code("customer", context={"region": "SH", "level": "B"}) == "KH-SHB-004"
    assert numbering.reserve_code_groups("customer", [({"region": "BJ"}, 0)]) == [[]]


@pytest.mark.postgres
def test_reserving_codes_leaves_the_connections_durability_as_it_was(transactional_db):
    from django.db import connection, transaction

    from core import numbering

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")

    def durability():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = on")  # as a production server has it (CI's runs with it off)
    try:
        assert numbering.reserve_codes("customer", 2, context={"region": "BJ"})
        assert durability() == "on"  # off for the reservation's own commit only
        with transaction.atomic():  # a caller's transaction: its commit must wait for the disk as always
            assert numbering.reserve_codes("customer", 2, context={"region": "BJ"})
            assert durability() == "on"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def test_audit_log_many_and_record_versions(db):
    from core import audit
    from core.models import AuditLog, Version

    users = [make_user(f"audit{i}") for i in range(3)]
    actor = make_user("auditor")
    assert audit.log_many(actor=actor, action="create", entries=[(u, {"x": [None, 1]}) for u in users]) == 3
    assert AuditLog.objects.filter(actor=actor, action="create").count() == 3
    for user in users:
        user.version = 1
    assert audit.record_versions(users, actor=actor, comment="Imported") == 3
    assert Version.objects.filter(actor=actor, number=1).count() == 3


def test_audit_rows_take_serialised_json_as_well(db):
    import json

    from core import audit
    from core.models import AuditLog, Version

    actor, user = make_user("auditor"), make_user("audited")
    changes = {"name": [None, "北京星辰"], "n": [None, 1]}
    audit.log_rows(actor=actor, action="create", model=type(user), entries=[(user.pk, "a", changes),
                                                                           (user.pk, "b", json.dumps(changes))])
    assert [e.changes for e in AuditLog.objects.filter(actor=actor).order_by("object_repr")] == [changes, changes]
    audit.record_version_rows(model=type(user), actor=actor, rows=[(user.pk, 1, {"x": 1}), (user.pk, 2, '{"x": 1}')])
    assert [v.data for v in Version.objects.filter(actor=actor).order_by("number")] == [{"x": 1}, {"x": 1}]
    assert audit.log_rows(actor=actor, action="create", model=type(user), entries=[]) == 0


def test_audit_json_is_kept_as_written_and_still_searchable(db):
    """core.models.audit.LogJSONField: PostgreSQL's json (the text as written, keys in their order),
    read back as Python values by every path, with lookups inside it still answered."""
    from django.db import connection

    from core import audit
    from core.models import AuditLog, Version

    actor, user = make_user("auditor"), make_user("audited")
    changes = {"zeta": [None, "北京星辰"], "amount": [None, "2000.00"], "on": [True, False]}
    audit.log(actor=actor, action="update", instance=user, changes=changes)
    audit.log_rows(actor=actor, action="create", model=type(user), entries=[(user.pk, "copied", changes)])
    audit.record_version_rows(model=type(user), actor=actor, rows=[(user.pk, 1, {"b": 1, "a": [1, "二"]})])
    entries = AuditLog.objects.filter(actor=actor)
    assert [e.changes for e in entries.order_by("id")] == [changes, changes]
    assert Version.objects.get(actor=actor).data == {"b": 1, "a": [1, "二"]}
    assert list(entries.values_list("changes", flat=True)) == [changes, changes]
    assert entries.filter(changes__amount=[None, "2000.00"]).count() == 2
    assert entries.filter(changes__has_key="on").count() == 2 and not entries.filter(changes__has_key="off").exists()
    assert entries.filter(changes__zeta__1="北京星辰").count() == 2
    assert Version.objects.filter(data__a__1="二").count() == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_typeof(changes)::text, changes::text FROM core_auditlog WHERE object_repr = 'copied'")
            kind, text = cursor.fetchone()
        assert kind == "json" and text.index("zeta") < text.index("amount") < text.index('"on"')


def test_new_rows_store_what_the_orm_stores(db):
    """NewRows writes dicts with COPY / executemany: the stored rows equal bulk_create's for the same
    values (defaults filled in), each dict gets its id, and the hooks see the rows in order."""
    from django.forms.models import model_to_dict

    from core.imports.bulk import NewRows
    from core.models import LookupItem

    given = [{"kind": "k1", "code": f"c{i}", "name": f"名称{i}", **({"sort": 5, "extra": {"a": i}} if i % 2 else {})}
             for i in range(5)]
    seen = []
    rows = NewRows(LookupItem, now=None)
    write = rows.stage([dict(values) for values in given], unique="code",
                       on_row=lambda v: seen.append((v["code"], v["id"])))
    assert not LookupItem.objects.filter(kind="k1").exists()  # staged, not written
    assert len(write()) == 5
    LookupItem.objects.bulk_create([LookupItem(**{**values, "kind": "k2"}) for values in given])
    ours = {item.code: item for item in LookupItem.objects.filter(kind="k1")}
    assert len(ours) == 5
    assert seen == [(v["code"], ours[v["code"]].pk) for v in given]
    for made in LookupItem.objects.filter(kind="k2"):
        assert {**model_to_dict(ours[made.code]), "id": 0, "kind": ""} == {**model_to_dict(made), "id": 0, "kind": ""}
    # The snapshot is core.audit.snapshot of the stored row.
    from core.audit import snapshot

    values = {**given[1], "id": ours["c1"].pk}
    assert rows.snapshot(values) == snapshot(ours["c1"])


def test_ahead_hands_over_batches_errors_and_the_language():
    import threading

    from django.utils import translation
    from django.utils.translation import gettext

    from core.imports.engine import ahead

    def batches():
        yield [translation.get_language()]
        yield [gettext("This field is required.")]
        raise ValueError("bad file")

    with translation.override("zh-hans"):
        expected = [["zh-hans"], [gettext("This field is required.")]]
        got = []
        with pytest.raises(ValueError, match="bad file"):
            for batch in ahead(batches()):
                got.append(batch)
    assert got == expected and expected[1] != ["This field is required."]
    # A caller that stops early (a crash while writing) stops the thread too.
    before = threading.active_count()
    endless = ahead([i] for i in range(1000))
    assert next(endless) == [0]
    endless.close()
    assert threading.active_count() == before
