"""Contact writes: the extra fields, important dates, the customer's search keys, scope; the detail page."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.models import AuditLog
from customers import services_contact as svc
from customers.models import Contact, ContactDate, Customer

from .followup_world import build_world, contact_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def new_contact(world, actor=None, **data):
    values = {"customer": world.mine, "name": "欧阳娜娜", "title": "采购经理", "mobile": "13812345678",
              "decision_role": "decision_maker", "attitude": "supportive", "birthday": date(1985, 3, 8), **data}
    return svc.contact_create(actor=actor or world.seller, data=values)


def test_create_with_dates_feeds_the_customers_search_keys(world):
    contact = new_contact(world, wechat="nana_oy", important_dates=[{"label": "结婚纪念日", "date": "2012-10-01"}])
    assert contact.decision_role == Contact.DecisionRole.DECISION_MAKER and contact.wechat == "nana_oy"
    assert list(contact.important_dates.values_list("label", "date")) == [("结婚纪念日", date(2012, 10, 1))]
    keys = Customer.all_objects.get(pk=world.mine.pk).contact_search
    assert "欧阳娜娜" in keys and "oynn" in keys and "13812345678" in keys


def test_update_replaces_dates_audited_and_delete_drops_the_search_key(world):
    contact = new_contact(world, important_dates=[{"label": "生日宴", "date": date(2020, 5, 1)}])
    svc.contact_update(actor=world.seller, instance=contact, data={"title": "总经理", "important_dates": [
        {"label": "公司周年", "date": date(2010, 8, 8)}]}, expected_version=1)
    contact.refresh_from_db()
    assert contact.title == "总经理" and contact.version == 2
    assert list(ContactDate.objects.filter(contact=contact).values_list("label", flat=True)) == ["公司周年"]
    entry = AuditLog.objects.filter(object_id=contact.pk, changes__has_key="important_dates").latest("id")
    assert entry.changes["important_dates"] == [["生日宴 2020-05-01"], ["公司周年 2010-08-08"]]
    svc.contact_delete(actor=world.seller, instance=contact)
    assert "oynn" not in Customer.all_objects.get(pk=world.mine.pk).contact_search


@pytest.mark.parametrize("data, field", [
    ({"birthday": timezone.localdate() + timedelta(days=3)}, "birthday"),
    ({"mobile": "call me"}, "mobile"),
    ({"important_dates": [{"label": "", "date": "2020-01-01"}]}, "important_dates"),
    ({"important_dates": [{"label": "生日", "date": "2020-13-01"}]}, "important_dates"),
])
def test_bad_input_changes_nothing(world, data, field):
    with pytest.raises(ValidationError) as exc:
        new_contact(world, **data)
    assert field in exc.value.message_dict
    assert not Contact.all_objects.exists() and not ContactDate.objects.exists()


def test_contacts_go_only_to_customers_you_may_change(world):
    # reader reads everything but changes only his own customers.
    with pytest.raises(ValidationError) as exc:
        new_contact(world, actor=world.reader)
    assert "customer" in exc.value.message_dict and not Contact.all_objects.exists()
    contact = new_contact(world)
    with pytest.raises(ValidationError):
        svc.contact_update(actor=world.seller, instance=contact, data={"customer": world.theirs})
    assert Contact.objects.get(pk=contact.pk).customer_id == world.mine.pk


def test_important_dates_outside_the_scope_are_untouchable(world):
    contact = contact_of(world.theirs, "赵强")
    with pytest.raises(Http404):
        svc.contact_date_add(actor=world.seller, contact=contact, label="生日", date="2000-01-01")
    row = ContactDate.objects.create(contact=contact, label="周年", date=date(2001, 1, 1))
    with pytest.raises(Http404):
        svc.contact_date_remove(actor=world.seller, contact=contact, date_id=row.pk)
    assert list(ContactDate.objects.values_list("label", flat=True)) == ["周年"]


def test_detail_page_and_dates_block(world, client):
    contact = contact_of(world.mine, "张伟", wechat="zw_888")
    client.force_login(world.seller)
    page = client.get(reverse("customers:contact_detail", args=[contact.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="important-dates"' in html and reverse("customers:contact_vcard", args=[contact.pk]) in html
    url = reverse("customers:contact_dates", args=[contact.pk])
    response = client.post(url, {"label": "结婚纪念日", "date": "2015-05-20"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "结婚纪念日" in response.content.decode()
    assert "<html" not in response.content.decode()  # only the block
    response = client.post(url, {"label": "", "date": "2015-05-20"}, HTTP_HX_REQUEST="true")
    assert "alert-danger" in response.content.decode() and ContactDate.objects.count() == 1
    row = ContactDate.objects.get()
    client.post(url, {"remove": row.pk})
    assert not ContactDate.objects.exists()


def test_outsider_sees_no_contact_page_and_changes_no_date(world, client):
    contact = contact_of(world.mine, "张伟")
    client.force_login(world.outsider)
    assert client.get(reverse("customers:contact_detail", args=[contact.pk])).status_code == 404
    assert client.post(reverse("customers:contact_dates", args=[contact.pk]),
                       {"label": "生日", "date": "2000-01-01"}).status_code == 404
    assert not ContactDate.objects.exists()
    client.force_login(world.reader)  # may read, may not change
    assert client.get(reverse("customers:contact_detail", args=[contact.pk])).status_code == 200
    assert client.post(reverse("customers:contact_dates", args=[contact.pk]),
                       {"label": "生日", "date": "2000-01-01"}).status_code == 404
    assert not ContactDate.objects.exists()
