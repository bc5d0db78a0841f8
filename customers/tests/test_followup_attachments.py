"""Attachments: a whitelist checked by content and extension, 10 MB, refusals change nothing."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from customers import services_followup as svc
from customers.models import FollowUp, FollowUpAttachment
from customers.uploads import MAX_SIZE

from .followup_world import build_world

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600


def ooxml(folder: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<x/>")
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def world():
    return build_world()


@pytest.fixture(autouse=True)
def _english():
    # The refusals are checked word for word in the source language.
    with translation.override("en"):
        yield


def new_followup(world, files=()):
    return svc.followup_create(actor=world.seller, files=files, data={
        "customer": world.mine, "method": world.visit, "content": "拜访", "occurred_at": timezone.now()})


@pytest.mark.parametrize("name, data", [
    ("现场照片.png", PNG), ("报价单.pdf", PDF), ("合同.docx", ooxml("word/")), ("清单.xlsx", ooxml("xl/")),
    ("方案.pptx", ooxml("ppt/")), ("旧报价.doc", OLE2), ("纪要.txt", "会议纪要：客户同意试用".encode()),
    ("gbk.txt", "客户反馈".encode("gb18030")), ("IMG_0001.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 50),
])
def test_allowed_types_are_stored(world, name, data):
    fu = new_followup(world, [upload(name, data)])
    row = FollowUpAttachment.objects.get(followup=fu)
    assert row.name == name and row.size == len(data) and row.uploaded_by == world.seller
    assert row.file.read() == data and len(stored_files()) == 1


@pytest.mark.parametrize("name, data, words", [
    ("virus.exe", b"MZ\x90\x00" + b"\x00" * 60, "not allowed"),
    ("page.html", b"<html><script>alert(1)</script></html>", "not allowed"),
    ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not allowed"),
    ("noextension", PDF, "not allowed"),
    ("假照片.jpg", b"this is no picture", "not a real .jpg"),
    ("宏.docx", b"PK\x03\x04" + b"\x00" * 40, "not a real .docx"),
    ("表格.xlsx", ooxml("word/"), "not a real .xlsx"),
    ("二进制.txt", b"\x00\x01\x02binary", "not a real .txt"),
    ("空.pdf", b"", "is empty"),
])
def test_refused_types_change_nothing(world, name, data, words):
    with pytest.raises(ValidationError) as exc:
        new_followup(world, [upload(name, data)])
    message = " ".join(exc.value.messages)
    assert words in message and (name in message or not name)
    assert not FollowUp.all_objects.exists() and not FollowUpAttachment.objects.exists() and not stored_files()
    assert world.mine.__class__.all_objects.get(pk=world.mine.pk).last_followup_at is None


def test_a_file_over_10_mb_is_refused(world):
    fu = new_followup(world)
    big = upload("扫描件.pdf", b"%PDF-1.4\n" + b"0" * MAX_SIZE)
    with pytest.raises(ValidationError) as exc:
        svc.attachments_add(actor=world.seller, followup=fu, files=[big])
    message = " ".join(exc.value.messages).replace("\xa0", " ")
    assert "扫描件.pdf" in message and "too large" in message and "at most 10.0 MB" in message
    assert not FollowUpAttachment.objects.exists() and not stored_files()


def test_one_bad_file_refuses_the_whole_upload(world):
    fu = new_followup(world)
    with pytest.raises(ValidationError):
        svc.attachments_add(actor=world.seller, followup=fu, files=[upload("a.png", PNG), upload("b.exe", b"MZ")])
    assert not FollowUpAttachment.objects.exists() and not stored_files()


def test_remove_deletes_the_file_and_is_audited(world, django_capture_on_commit_callbacks):
    fu = new_followup(world, [upload("a.png", PNG)])
    row = FollowUpAttachment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        svc.attachment_remove(actor=world.seller, attachment=row)
    assert not FollowUpAttachment.objects.exists() and not stored_files()
    assert fu.pk and world.seller.pk


def test_outside_the_scope_nothing_is_added_removed_or_served(world, client):
    fu = new_followup(world, [upload("a.png", PNG)])
    row = FollowUpAttachment.objects.get()
    with pytest.raises(Http404):
        svc.attachments_add(actor=world.outsider, followup=fu, files=[upload("b.png", PNG)])
    with pytest.raises(Http404):
        svc.attachment_remove(actor=world.outsider, attachment=row)
    client.force_login(world.outsider)
    assert client.get(reverse("customers:followup_attachment", args=[row.pk])).status_code == 404
    assert client.post(reverse("customers:followup_attachment_delete", args=[row.pk])).status_code == 404
    response = client.post(reverse("customers:followup_attachments", args=[fu.pk]), {"files": [upload("c.png", PNG)]})
    assert response.status_code == 404
    assert list(FollowUpAttachment.objects.values_list("name", flat=True)) == ["a.png"] and len(stored_files()) == 1


def test_download_through_the_gate(world, client):
    new_followup(world, [upload("a.png", PNG), upload("报价单.pdf", PDF)])
    png, pdf = FollowUpAttachment.objects.order_by("id")
    client.force_login(world.manager)
    response = client.get(reverse("customers:followup_attachment", args=[png.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    response = client.get(reverse("customers:followup_attachment", args=[pdf.pk]))
    assert response["Content-Disposition"].startswith("attachment")


def test_a_name_with_nothing_usable_is_stored_under_a_plain_name(world):
    fu = new_followup(world, [upload("!!!.PNG", PNG)])
    row = FollowUpAttachment.objects.get(followup=fu)
    assert row.name == "!!!.PNG" and row.file.name.endswith(".PNG") and row.file.read() == PNG
