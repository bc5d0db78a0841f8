"""Follow-up pages: create with attachments, edit, detail with comments, restore, due list; scope."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from customers import services_followup as svc
from customers.models import Customer, FollowUp, FollowUpAttachment, FollowUpComment

from .followup_world import build_world, contact_of, customer_of

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def world():
    return build_world()


def form(world, **over):
    data = {"customer": world.mine.pk, "method": world.visit.pk, "content": "上门拜访，演示了新产品",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "next_followup_on": (timezone.localdate() + timedelta(days=3)).isoformat()}
    data.update(over)
    return data


def log(world, actor=None, customer=None, **extra):
    return svc.followup_create(actor=actor or world.seller, data={
        "customer": customer or world.mine, "method": world.phone, "content": "电话回访", "occurred_at": timezone.now(), **extra})


def test_create_with_attachments_goes_back_to_the_timeline(world, client):
    contact = contact_of(world.mine, "张伟")
    client.force_login(world.seller)
    page = client.get(reverse("customers:followup_create") + f"?customer={world.mine.pk}").content.decode()
    assert f'<option value="{contact.pk}">张伟</option>' in page and 'hx-get="' in page
    response = client.post(reverse("customers:followup_create"), {
        **form(world, contact=contact.pk), "attachments": [SimpleUploadedFile("现场.png", PNG)]})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_360", args=[world.mine.pk]) + "?tab=followups"
    fu = FollowUp.objects.get()
    assert fu.contact == contact and fu.attachments.get().name == "现场.png"
    assert Customer.objects.get(pk=world.mine.pk).next_followup_on == timezone.localdate() + timedelta(days=3)


def test_a_bad_attachment_refuses_the_whole_form(world, client):
    client.force_login(world.seller)
    response = client.post(reverse("customers:followup_create"), {
        **form(world), "attachments": [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("run.exe", b"MZ")]})
    assert response.status_code == 400 and "run.exe" in response.content.decode()
    assert not FollowUp.all_objects.exists() and not FollowUpAttachment.objects.exists()
    assert Customer.objects.get(pk=world.mine.pk).last_followup_at is None


def test_contact_options_follow_the_gate(world, client):
    contact_of(world.mine, "张伟")
    client.force_login(world.outsider)
    html = client.get(reverse("customers:followup_contact_options"), {"customer": world.mine.pk}).content.decode()
    assert "张伟" not in html
    client.force_login(world.seller)
    html = client.get(reverse("customers:followup_contact_options"), {"customer": world.mine.pk}).content.decode()
    assert "张伟" in html and "<html" not in html


def test_edit_keeps_the_customer_and_recomputes(world, client):
    fu = log(world)
    other = customer_of(world.seller, "杭州云栖科技有限公司")
    client.force_login(world.seller)
    page = client.get(reverse("customers:followup_update", args=[fu.pk])).content.decode()
    assert "disabled" in page
    next_day = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(reverse("customers:followup_update", args=[fu.pk]), {
        **form(world, customer=other.pk, next_followup_on=next_day), "version": 1})
    assert response.status_code == 302
    fu.refresh_from_db()
    assert fu.customer_id == world.mine.pk and fu.version == 2
    assert Customer.objects.get(pk=world.mine.pk).next_followup_on.isoformat() == next_day


def test_detail_comments_and_who_may_comment(world, client):
    fu = log(world)
    client.force_login(world.manager)
    page = client.get(reverse("customers:followup_detail", args=[fu.pk])).content.decode()
    assert 'data-testid="comments"' in page and 'name="body"' in page
    response = client.post(reverse("customers:followup_comment", args=[fu.pk]), {"body": "继续跟进"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "继续跟进" in response.content.decode()
    client.force_login(world.reader)
    page = client.get(reverse("customers:followup_detail", args=[fu.pk])).content.decode()
    assert "继续跟进" in page and 'name="body"' not in page
    response = client.post(reverse("customers:followup_comment", args=[fu.pk]), {"body": "我也说两句"}, HTTP_HX_REQUEST="true")
    assert "alert-danger" in response.content.decode()
    assert list(FollowUpComment.objects.values_list("body", flat=True)) == ["继续跟进"]


def test_restore_on_the_history_page_recomputes(world, client):
    fu = log(world, next_followup_on=timezone.localdate() + timedelta(days=2))
    svc.followup_update(actor=world.seller, instance=fu, data={"next_followup_on": None})
    client.force_login(world.seller)
    response = client.post(reverse("customers:followup_history", args=[fu.pk]), {"number": 1, "version": 2})
    assert response.status_code == 302
    assert Customer.objects.get(pk=world.mine.pk).next_followup_on == timezone.localdate() + timedelta(days=2)


def test_outsider_gets_404_everywhere_and_changes_nothing(world, client):
    fu = log(world, next_followup_on=timezone.localdate())
    client.force_login(world.outsider)
    for page in ("detail", "update", "delete", "history"):
        assert client.get(reverse(f"customers:followup_{page}", args=[fu.pk])).status_code == 404
    assert client.post(reverse("customers:followup_update", args=[fu.pk]), form(world, content="改")).status_code == 404
    assert client.post(reverse("customers:followup_delete", args=[fu.pk])).status_code == 404
    assert client.post(reverse("customers:followup_history", args=[fu.pk]), {"number": 1}).status_code == 404
    assert client.post(reverse("customers:followup_comment", args=[fu.pk]), {"body": "x"}).status_code == 404
    assert "电话回访" not in client.get(reverse("customers:followup_list")).content.decode()
    # Creating one for a customer out of sight is refused by the form (not a choice).
    response = client.post(reverse("customers:followup_create"), form(world))
    assert response.status_code == 400
    row = FollowUp.all_objects.get(pk=fu.pk)
    assert FollowUp.all_objects.count() == 1 and row.version == 1 and row.deleted_at is None
    assert not FollowUpComment.objects.exists()


def test_due_list_mine_and_all(world, client):
    today = timezone.localdate()
    Customer.objects.filter(pk=world.mine.pk).update(next_followup_on=today - timedelta(days=2))
    later = customer_of(world.seller, "杭州云栖科技有限公司")
    Customer.objects.filter(pk=later.pk).update(next_followup_on=today + timedelta(days=20))
    peer_customer = customer_of(world.peer, "同事的客户")
    Customer.objects.filter(pk__in=[peer_customer.pk, world.theirs.pk]).update(next_followup_on=today)
    url = reverse("customers:followup_due")
    client.force_login(world.seller)
    html = client.get(url).content.decode()
    assert world.mine.name in html and later.name not in html and "同事的客户" not in html
    assert later.name in client.get(url, {"when": "month"}).content.decode()
    assert world.mine.name in client.get(url, {"when": "overdue"}).content.decode()
    html = client.get(url, {"when": "today"}).content.decode()  # by today: the overdue ones too
    assert world.mine.name in html and later.name not in html
    client.force_login(world.manager)
    html = client.get(url, {"whose": "all"}).content.decode()
    assert world.mine.name in html and "同事的客户" in html and world.theirs.name in html
    client.force_login(world.outsider)
    html = client.get(url, {"whose": "all"}).content.decode()
    assert world.theirs.name in html and world.mine.name not in html
