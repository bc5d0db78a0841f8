"""Importing leads (core.imports): checks, pool owner, duplicates by phone/email, scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.imports import services
from core.models import AuditLog, ImportRun
from marketing.models import Lead

from .world import build_world, customer_of, lead

pytestmark = pytest.mark.django_db
HEADER = "公司,联系人,手机,邮箱,来源,负责人,城市"


@pytest.fixture(autouse=True)
def immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def w():
    return build_world()


def run_import(actor, lines, capture, decision="skip") -> ImportRun:
    upload = SimpleUploadedFile("leads.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")
    run = services.run_create(actor=actor, entity="marketing.lead", upload=upload)
    run = services.mapping_save(actor=actor, run=run, mapping=run.mapping, decision=decision)
    with capture(execute=True):
        services.check_start(actor=actor, run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY, run.message
    with capture(execute=True):
        services.import_start(actor=actor, run=run)
    run.refresh_from_db()
    return run


def test_import_good_rows_reports_bad_ones(w, django_capture_on_commit_callbacks):
    customer_of(w.outsider, "杭州新锐智能科技有限公司", phone="13700137000")
    lines = [HEADER,
             "杭州新锐智能科技有限公司,王芳,13700137000,,官网咨询,,杭州",
             "广州远航物流,李强,,li@yuanhang.cn,展会,线索池,",
             "坏电话公司,赵六,12345,,,,",
             "没有联系方式,钱七,,,,,",
             "未知来源,孙八,13600136000,,火星,,"]
    run = run_import(w.marketer, lines, django_capture_on_commit_callbacks)
    assert (run.created, run.failed) == (2, 3)
    first = Lead.objects.get(contact_name="王芳")
    assert first.owner == w.marketer and first.origin == "import" and first.city.name.startswith("杭州")
    assert first.source.code == "website" and first.customer_hint and first.phone_norm == "+8613700137000"
    pooled = Lead.objects.get(contact_name="李强")
    assert pooled.owner is None and pooled.email_norm == "li@yuanhang.cn"
    assert AuditLog.objects.filter(object_id=first.pk, action="create").count() == 1


def test_duplicate_of_another_users_lead_is_skipped_and_reveals_nothing(w, django_capture_on_commit_callbacks):
    theirs = lead(w.outsider, company="南京秘密精密机械", mobile="13911112222", notes="secret")
    run = run_import(w.seller_a, [HEADER, "随便,某人,13911112222,,,,"], django_capture_on_commit_callbacks,
                     decision="update")
    assert (run.created, run.updated, run.skipped) == (0, 0, 1)
    skipped = run.issues.get(phase="import", kind="skipped")
    assert "南京" not in skipped.reason and "pk" not in skipped.match
    theirs.refresh_from_db()
    assert theirs.notes == "secret" and theirs.version == 1 and Lead.objects.count() == 1
