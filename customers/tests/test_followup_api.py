"""/api/v1/followups/ and the contact extras of /api/v1/contacts/: through the gate and the services."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditLog, Notification
from core.testing import make_role, make_user
from customers import services_followup as svc
from customers.models import Contact, ContactDate, Customer, FollowUp, FollowUpAttachment, FollowUpComment
from org.models import Scope

from .followup_world import MODULE, build_world, contact_of

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def world():
    return build_world()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def log(world, **extra):
    return svc.followup_create(actor=world.seller, data={
        "customer": world.mine, "method": world.visit, "content": "拜访", "occurred_at": timezone.now(), **extra})


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_create_update_delete_keep_the_customer_right(world):
    client = api(world.seller)
    soon = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post("/api/v1/followups/", {"customer": world.mine.pk, "method": world.phone.pk,
                                                  "content": "电话沟通", "next_followup_on": soon}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["attachments"] == [] and body["comments"] == [] and body["created_by"] == world.seller.pk
    assert Customer.objects.get(pk=world.mine.pk).next_followup_on.isoformat() == soon
    pk = body["id"]
    response = client.patch(f"/api/v1/followups/{pk}/", {"next_followup_on": None}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response["ETag"] == '"2"'
    assert Customer.objects.get(pk=world.mine.pk).next_followup_on is None
    response = client.post(f"/api/v1/followups/{pk}/restore-version/", {"number": 1}, format="json")
    assert response.status_code == 200
    assert Customer.objects.get(pk=world.mine.pk).next_followup_on.isoformat() == soon
    assert client.delete(f"/api/v1/followups/{pk}/").status_code == 204
    customer = Customer.objects.get(pk=world.mine.pk)
    assert customer.last_followup_at is None and customer.next_followup_on is None


def test_bad_payloads_are_refused_and_change_nothing(world):
    client = api(world.seller)
    stranger = contact_of(world.theirs, "外人")
    mine_contact = contact_of(world.mine, "张伟")
    other_contact = contact_of(Customer.objects.create(name="另一个", owner=world.seller, created_by=world.seller), "李娜")
    cases = [
        ({"customer": world.theirs.pk, "method": world.visit.pk, "content": "x"}, "customer"),  # not visible
        ({"customer": world.mine.pk, "contact": stranger.pk, "method": world.visit.pk, "content": "x"}, "contact"),
        ({"customer": world.mine.pk, "contact": other_contact.pk, "method": world.visit.pk, "content": "x"}, "contact"),
        ({"customer": world.mine.pk, "content": "x"}, "method"),
        ({"customer": world.mine.pk, "method": world.visit.pk, "content": "x",
          "occurred_at": (timezone.now() + timedelta(days=1)).isoformat()}, "occurred_at"),
    ]
    for payload, field in cases:
        response = client.post("/api/v1/followups/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json()["error"]["fields"], response.json()
    assert not FollowUp.all_objects.exists() and Customer.objects.get(pk=world.mine.pk).version == 1
    assert mine_contact.pk


def test_lists_and_details_follow_the_scope(world):
    mine = log(world)
    theirs = svc.followup_create(actor=world.outsider, data={"customer": world.theirs, "method": world.visit,
                                                             "content": "对方", "occurred_at": timezone.now()})
    assert ids(api(world.seller).get("/api/v1/followups/")) == {mine.pk}
    assert ids(api(world.manager).get("/api/v1/followups/")) == {mine.pk, theirs.pk}
    assert ids(api(world.seller).get("/api/v1/followups/", {"search": "对方"})) == set()
    outsider = api(world.outsider)
    assert outsider.get(f"/api/v1/followups/{mine.pk}/").status_code == 404
    assert outsider.patch(f"/api/v1/followups/{mine.pk}/", {"content": "改"}, format="json").status_code == 404
    assert outsider.delete(f"/api/v1/followups/{mine.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/followups/{mine.pk}/restore-version/", {"number": 1}, format="json").status_code == 404
    row = FollowUp.all_objects.get(pk=mine.pk)
    assert row.content == "拜访" and row.deleted_at is None and row.version == 1


def test_attachments_upload_download_remove(world):
    fu = log(world)
    client = api(world.seller)
    url = f"/api/v1/followups/{fu.pk}/attachments/"
    response = client.post(url, {"files": [SimpleUploadedFile("现场.png", PNG), SimpleUploadedFile("a.txt", "纪要".encode())]},
                           format="multipart")
    assert response.status_code == 201, response.content
    first = response.json()[0]
    assert first["name"] == "现场.png" and first["size"] == len(PNG)
    download = client.get(first["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    response = client.post(url, {"files": [SimpleUploadedFile("x.exe", b"MZ")]}, format="multipart")
    assert response.status_code == 400 and "x.exe" in response.json()["error"]["message"]
    assert FollowUpAttachment.objects.count() == 2
    assert client.delete(first["url"]).status_code == 204
    assert list(FollowUpAttachment.objects.values_list("name", flat=True)) == ["a.txt"]


def test_attachments_outside_the_scope(world):
    fu = log(world)
    svc.attachments_add(actor=world.seller, followup=fu, files=[SimpleUploadedFile("a.png", PNG)])
    row = FollowUpAttachment.objects.get()
    for user in (world.outsider,):
        client = api(user)
        assert client.get(f"/api/v1/followups/{fu.pk}/attachments/{row.pk}/").status_code == 404
        assert client.delete(f"/api/v1/followups/{fu.pk}/attachments/{row.pk}/").status_code == 404
        response = client.post(f"/api/v1/followups/{fu.pk}/attachments/", {"files": [SimpleUploadedFile("b.png", PNG)]},
                               format="multipart")
        assert response.status_code == 404
    # reader may read (download) but not change.
    reader = api(world.reader)
    assert reader.get(f"/api/v1/followups/{fu.pk}/attachments/{row.pk}/").status_code == 200
    assert reader.delete(f"/api/v1/followups/{fu.pk}/attachments/{row.pk}/").status_code == 404
    assert FollowUpAttachment.objects.count() == 1


def test_comments(world):
    fu = log(world)
    response = api(world.manager).post(f"/api/v1/followups/{fu.pk}/comments/", {"body": "下周带方案"}, format="json")
    assert response.status_code == 201 and response.json()["author_name"] == "manager"
    assert Notification.objects.filter(user=world.seller).count() == 1
    assert [c["body"] for c in api(world.seller).get(f"/api/v1/followups/{fu.pk}/comments/").json()] == ["下周带方案"]
    assert api(world.reader).post(f"/api/v1/followups/{fu.pk}/comments/", {"body": "x"}, format="json").status_code == 403
    assert api(world.outsider).get(f"/api/v1/followups/{fu.pk}/comments/").status_code == 404
    assert api(world.outsider).post(f"/api/v1/followups/{fu.pk}/comments/", {"body": "x"}, format="json").status_code == 404
    assert FollowUpComment.objects.count() == 1 and Notification.objects.count() == 1


def test_contacts_carry_the_new_fields_and_dates(world):
    client = api(world.seller)
    response = client.post("/api/v1/contacts/", {
        "customer": world.mine.pk, "name": "欧阳娜娜", "wechat": "nana_oy", "decision_role": "influencer",
        "attitude": "neutral", "gender": "female", "department_name": "采购部",
        "important_dates": [{"label": "结婚纪念日", "date": "2012-10-01"}]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["important_dates"] == [{"label": "结婚纪念日", "date": "2012-10-01"}] and body["wechat"] == "nana_oy"
    pk = body["id"]
    response = client.patch(f"/api/v1/contacts/{pk}/", {"important_dates": []}, format="json")
    assert response.status_code == 200 and response.json()["important_dates"] == []
    response = client.patch(f"/api/v1/contacts/{pk}/", {"important_dates": [{"label": "", "date": "x"}]}, format="json")
    assert response.status_code == 400 and not ContactDate.objects.exists()
    assert client.patch(f"/api/v1/contacts/{pk}/", {"attitude": "hostile"}, format="json").status_code == 400


def test_contact_vcards_over_the_api(world):
    a, b = contact_of(world.mine, "张伟", mobile="13800001111"), contact_of(world.mine, "李娜")
    theirs = contact_of(world.theirs, "外人")
    client = api(world.seller)
    response = client.get(f"/api/v1/contacts/{a.pk}/vcard/", {"v": "4.0"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vcard")
    assert b"VERSION:4.0" in response.content and "FN:张伟".encode() in response.content
    response = client.get("/api/v1/contacts/vcard/", {"ids": f"{a.pk},{b.pk},{theirs.pk}"})
    assert response.content.count(b"BEGIN:VCARD") == 2 and "外人".encode() not in response.content
    response = client.get("/api/v1/contacts/vcard/", {"customer": world.mine.pk})
    assert response.content.count(b"BEGIN:VCARD") == 2
    assert client.get(f"/api/v1/contacts/{theirs.pk}/vcard/").status_code == 404
    assert client.get("/api/v1/contacts/vcard/", {"ids": "1,x"}).status_code == 400
    no_export = make_user(department=world.seller.department, roles=[make_role(grants={MODULE: {"read": Scope.ALL}})])
    assert api(no_export).get(f"/api/v1/contacts/{a.pk}/vcard/").status_code == 403
    assert api(no_export).get("/api/v1/contacts/vcard/").status_code == 403
    assert not AuditLog.objects.filter(action="export", actor=no_export).exists()
    assert Contact.objects.count() == 3


def test_the_list_costs_the_same_queries_for_more_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        # A fresh user object per request, as in real requests (the gate caches grants on it).
        client = api(type(world.manager).objects.get(pk=world.manager.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/followups/").status_code == 200
        return len(ctx.captured_queries)

    fu = log(world)
    svc.attachments_add(actor=world.seller, followup=fu, files=[SimpleUploadedFile("a.png", PNG)])
    svc.comment_add(actor=world.manager, followup=fu, body="好")
    few = count()
    for _n in range(5):
        more = log(world, contact=contact_of(world.mine, "联系人"))
        svc.attachments_add(actor=world.seller, followup=more, files=[SimpleUploadedFile("a.png", PNG)])
        svc.comment_add(actor=world.manager, followup=more, body="好")
    assert count() == few
