"""Batch actions on selected rows: assign, share, delete. All or nothing; out-of-scope ids change nothing."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from core import deletion
from core.models import AuditLog, RecordShare
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"
BATCH = reverse("customers:customer_batch")
LIST = reverse("customers:customer_list")


@pytest.fixture
def dept():
    return make_department("销售一部")


@pytest.fixture
def seller(dept):
    return make_user("seller", department=dept, roles=[make_role("sales", grants=full_grants(MODULE, Scope.OWN))])


@pytest.fixture
def colleague(dept):
    return make_user("colleague", department=dept, roles=[make_role("sales2", grants=full_grants(MODULE, Scope.OWN))])


def customer(owner, name, **kw):
    return Customer.objects.create(name=name, owner=owner, department=owner.department, created_by=owner, **kw)


@pytest.fixture
def rows(seller, colleague):
    return customer(seller, "甲"), customer(seller, "乙"), customer(colleague, "别人的")


def owners(*objs):
    return [Customer.all_objects.get(pk=o.pk).owner_id for o in objs]


def test_assign_selected(client, seller, colleague, rows):
    a, b, _other = rows
    client.force_login(seller)
    response = client.post(BATCH, {"action": "assign", "ids": [a.pk, b.pk], "owner": colleague.pk,
                                   "reason": "调岗", "next": LIST + "?q=abc"})
    assert response.status_code == 302 and response["Location"] == LIST + "?q=abc"
    assert owners(a, b) == [colleague.pk, colleague.pk]
    assert AuditLog.objects.filter(action="assign", message="调岗").count() == 2


def test_share_selected(client, seller, colleague, dept, rows):
    a, b, _other = rows
    client.force_login(seller)
    response = client.post(BATCH, {"action": "share", "ids": f"{a.pk},{b.pk}", "users": [colleague.pk],
                                   "departments": [dept.pk], "can_edit": "1"})
    assert response.status_code == 302
    ct = ContentType.objects.get_for_model(Customer)
    shares = RecordShare.objects.filter(content_type=ct)
    assert shares.count() == 4 and all(s.can_edit for s in shares)
    assert set(shares.values_list("object_id", flat=True)) == {a.pk, b.pk}


def test_delete_selected_goes_to_the_recycle_bin(client, seller, rows):
    a, b, _other = rows
    client.force_login(seller)
    assert client.post(BATCH, {"action": "delete", "ids": [a.pk, b.pk]}).status_code == 302
    assert not Customer.objects.filter(pk__in=[a.pk, b.pk]).exists()
    assert Customer.all_objects.filter(pk__in=[a.pk, b.pk], deleted_at__isnull=False).count() == 2


@pytest.mark.parametrize("action", ["assign", "share", "delete"])
def test_out_of_scope_ids_are_refused_and_nothing_changes(client, seller, colleague, dept, rows, action):
    a, b, other = rows
    client.force_login(seller)
    payload = {"action": action, "ids": [a.pk, other.pk], "owner": colleague.pk, "users": [colleague.pk]}
    response = client.post(BATCH, payload)
    assert response.status_code == 404
    assert owners(a, b, other) == [seller.pk, seller.pk, colleague.pk]
    assert Customer.objects.count() == 3
    assert not RecordShare.objects.exists()
    assert not AuditLog.objects.filter(action__in=["assign", "share", "delete"]).exists()


@pytest.mark.parametrize("action", ["assign", "share", "delete"])
def test_batch_action_needs_its_permission(client, dept, seller, colleague, rows, action):
    a, _b, _other = rows
    grants = full_grants(MODULE, Scope.ALL, actions=["read", "export", "print"])
    reader = make_user("reader", department=dept, roles=[make_role("reader", grants=grants)])
    client.force_login(reader)
    response = client.post(BATCH, {"action": action, "ids": [a.pk], "owner": reader.pk, "users": [reader.pk]})
    assert response.status_code == 403
    assert owners(a) == [seller.pk] and Customer.objects.filter(pk=a.pk).exists()
    assert not RecordShare.objects.exists()


@pytest.mark.parametrize("payload", [
    {"action": "assign"},                                        # no owner
    {"action": "assign", "owner": "999999"},                     # unknown owner
    {"action": "assign", "owner": "LEFT"},                       # a user who has left
    {"action": "share"},                                         # nobody to share with
    {"action": "share", "users": ["999999"]},
    {"action": "share", "departments": ["x"]},
    {"action": "assign", "ids": "", "owner": "1"},               # nothing selected
    {"action": "assign", "ids": "1,abc", "owner": "1"},
])
def test_bad_batch_input_is_a_400_and_changes_nothing(client, seller, rows, payload):
    a, b, _other = rows
    gone = make_user("gone", status="left")
    client.force_login(seller)
    data = {"ids": [a.pk, b.pk], **payload}
    if data.get("owner") == "LEFT":
        data["owner"] = gone.pk
    response = client.post(BATCH, data)
    assert response.status_code == 400
    assert 'data-testid="list-error"' in response.content.decode()
    assert owners(a, b) == [seller.pk, seller.pk] and not RecordShare.objects.exists()


def test_unknown_batch_action(client, seller, rows):
    client.force_login(seller)
    assert client.post(BATCH, {"action": "purge", "ids": [rows[0].pk]}).status_code == 400
    assert Customer.objects.count() == 3


def test_delete_is_all_or_nothing(client, seller, rows, monkeypatch):
    a, b, _other = rows
    monkeypatch.setitem(deletion._blockers, Customer, [lambda c: "还有应收款" if c.name == "乙" else None])
    client.force_login(seller)
    response = client.post(BATCH, {"action": "delete", "ids": [a.pk, b.pk]})
    assert response.status_code == 400
    assert "还有应收款" in response.content.decode()
    assert Customer.objects.filter(pk__in=[a.pk, b.pk]).count() == 2
    assert not AuditLog.objects.filter(action="delete").exists()
