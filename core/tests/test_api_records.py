"""The generic gated viewset, seen through /api/v1/customers/: optimistic concurrency (ETag /
If-Match → 412), field permissions (hidden / read-only), custom fields, history and version restore."""

import json

import pytest
from rest_framework.test import APIClient

from core.models import AuditLog, CustomField, Version
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import FieldRule, Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"
URL = "/api/v1/customers/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def role():
    return make_role(grants=full_grants(MODULE, Scope.ALL))


@pytest.fixture
def seller(role):
    return make_user(department=make_department("销售部"), roles=[role])


@pytest.fixture
def client(seller):
    api = APIClient()
    api.force_authenticate(seller)
    return api


@pytest.fixture
def row(seller):
    return Customer.objects.create(name="北京科技", phone="010-1234", amount="100.00", owner=seller,
                                   department=seller.department, created_by=seller)


# ---- optimistic concurrency --------------------------------------------------------------------

def test_stale_if_match_is_refused_with_412_and_changes_nothing(client, row):
    first = client.get(f"{URL}{row.pk}/")
    assert first["ETag"] == '"1"'
    ok = client.patch(f"{URL}{row.pk}/", {"name": "北京科技一"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = client.patch(f"{URL}{row.pk}/", {"name": "北京科技二"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert stale.status_code == 412
    error = stale.json()["error"]
    assert error["code"] == "stale_version" and error["current_version"] == 2 and error["message"]
    row.refresh_from_db()
    assert row.name == "北京科技一" and row.version == 2
    assert AuditLog.objects.filter(object_id=row.pk, action="update").count() == 1


def test_stale_version_in_body_and_on_delete(client, row):
    client.patch(f"{URL}{row.pk}/", {"name": "新名字"}, format="json")
    assert client.patch(f"{URL}{row.pk}/", {"name": "再改", "version": 1}, format="json").status_code == 412
    assert client.delete(f"{URL}{row.pk}/", HTTP_IF_MATCH='"1"').status_code == 412
    row.refresh_from_db()
    assert row.name == "新名字" and row.deleted_at is None
    assert client.patch(f"{URL}{row.pk}/", {"name": "再改", "version": 2}, format="json").status_code == 200
    assert client.delete(f"{URL}{row.pk}/", HTTP_IF_MATCH='W/"3"').status_code == 204


def test_malformed_if_match_is_a_400(client, row):
    response = client.patch(f"{URL}{row.pk}/", {"name": "x"}, format="json", HTTP_IF_MATCH="yesterday")
    assert response.status_code == 400 and "If-Match" in response.json()["error"]["fields"]
    row.refresh_from_db()
    assert row.name == "北京科技"


def test_put_of_a_get_body_round_trips(client, row):
    body = client.get(f"{URL}{row.pk}/").json()
    body["notes"] = "重点"
    response = client.put(f"{URL}{row.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.notes == "重点" and row.version == 2


def test_unknown_and_system_fields(client, row):
    response = client.patch(f"{URL}{row.pk}/", {"nmae": "typo"}, format="json")
    assert response.status_code == 400 and "nmae" in response.json()["error"]["fields"]
    # Output-only fields may be sent back but never change anything.
    client.patch(f"{URL}{row.pk}/", {"created_at": "2000-01-01T00:00:00Z", "owner": 999}, format="json")
    row.refresh_from_db()
    assert row.created_at.year != 2000 and row.owner_id != 999


def test_model_validation_errors_use_the_single_format(client):
    response = client.post(URL, {"name": "", "status": "nonsense"}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) >= {"name", "status"}
    assert not Customer.all_objects.exists()


# ---- field permissions -------------------------------------------------------------------------

def test_hidden_field_is_absent_and_cannot_be_written_filtered_or_sorted(client, role, row):
    FieldRule.objects.create(role=role, module=MODULE, field="phone", mode="hidden")
    client.patch(f"{URL}{row.pk}/", {"name": "改名"}, format="json")
    detail = client.get(f"{URL}{row.pk}/").json()
    assert "phone" not in detail and detail["name"] == "改名"
    assert all("phone" not in item for item in client.get(URL).json()["results"])
    assert client.patch(f"{URL}{row.pk}/", {"phone": "110"}, format="json").status_code == 400
    assert client.post(URL, {"name": "新", "phone": "110"}, format="json").status_code == 400
    assert client.get(URL, {"phone": "010-1234"}).status_code == 400
    assert client.get(URL, {"ordering": "phone"}).status_code == 400
    rules = {"op": "and", "rules": [{"field": "phone", "operator": "contains", "value": "010"}]}
    assert client.get(URL, {"filter": json.dumps(rules)}).status_code == 400
    history = client.get(f"{URL}{row.pk}/history/").json()
    assert all("phone" not in v["data"] for v in history["versions"]) and history["versions"]
    row.refresh_from_db()
    assert row.phone == "010-1234" and Customer.all_objects.count() == 1


def test_a_hidden_field_for_one_user_stays_for_the_next(client, role, row):
    """Serializer fields are copied from one prototype per class: one user's trimmed set, bound to that
    user's serializer, leaves the next user's untouched, and the prototype unbound."""
    from core.api.serializers import _PROTOTYPES
    from customers.api.serializers import CustomerSerializer

    FieldRule.objects.create(role=role, module=MODULE, field="phone", mode="hidden")
    assert "phone" not in client.get(f"{URL}{row.pk}/").json()
    other = APIClient()
    other.force_authenticate(make_user("other", roles=[make_role(name="全部", grants=full_grants(MODULE, Scope.ALL))]))
    assert other.get(f"{URL}{row.pk}/").json()["phone"] == "010-1234"
    assert "phone" not in client.get(f"{URL}{row.pk}/").json()
    prototype = _PROTOTYPES[CustomerSerializer]
    assert "phone" in prototype and all(getattr(field, "parent", None) is None for field in prototype.values())


def test_readonly_field_is_shown_but_a_change_is_refused(client, role, row):
    FieldRule.objects.create(role=role, module=MODULE, field="amount", mode="readonly")
    body = client.get(f"{URL}{row.pk}/").json()
    assert body["amount"] == "100.00"
    response = client.patch(f"{URL}{row.pk}/", {"amount": "999.00"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["amount"] == ["This field is read-only for you."]
    row.refresh_from_db()
    assert str(row.amount) == "100.00" and row.version == 1
    body["name"] = "只改名字"
    assert client.put(f"{URL}{row.pk}/", body, format="json").status_code == 200


# ---- custom fields -----------------------------------------------------------------------------

def test_custom_fields_round_trip_and_are_validated(client, role):
    CustomField.objects.create(module=MODULE, code="region", label="区域", type="choice", choices=["east", "west"])
    CustomField.objects.create(module=MODULE, code="budget", label="预算", type="money")
    CustomField.objects.create(module=MODULE, code="secret", label="底价", type="number")
    FieldRule.objects.create(role=role, module=MODULE, field="custom.secret", mode="hidden")
    response = client.post(URL, {"name": "有自定义", "custom": {"region": "east", "budget": "12.5"}}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["custom"] == {"region": "east", "budget": "12.50"}
    bad = client.patch(f"{URL}{pk}/", {"custom": {"region": "north"}}, format="json")
    assert bad.status_code == 400 and "custom.region" in bad.json()["error"]["fields"]
    hidden = client.patch(f"{URL}{pk}/", {"custom": {"secret": 1}}, format="json")
    assert hidden.status_code == 400 and "custom.secret" in hidden.json()["error"]["fields"]
    unknown = client.patch(f"{URL}{pk}/", {"custom": {"nope": 1}}, format="json")
    assert unknown.status_code == 400
    Customer.objects.filter(pk=pk).update(custom={"region": "east", "budget": "12.50", "secret": "5"})
    assert "secret" not in client.get(f"{URL}{pk}/").json()["custom"]
    ok = client.patch(f"{URL}{pk}/", {"custom": {"region": "west"}}, format="json")
    assert ok.status_code == 200 and ok.json()["custom"] == {"region": "west", "budget": "12.50"}
    assert Customer.objects.get(pk=pk).custom == {"region": "west", "budget": "12.50", "secret": "5"}
    found = client.get(URL, {"filter": json.dumps({"op": "and", "rules": [
        {"field": "custom.region", "operator": "eq", "value": "west"}]})})
    assert [r["id"] for r in found.json()["results"]] == [pk]


# ---- history and versions ----------------------------------------------------------------------

def test_history_and_restore_version(client, row, seller):
    from core import services

    services.update_record(actor=seller, instance=row, data={"name": "第二版"})
    client.patch(f"{URL}{row.pk}/", {"name": "第三版"}, format="json")
    history = client.get(f"{URL}{row.pk}/history/").json()
    assert [e["action"] for e in history["entries"]] == ["update", "update"]
    assert history["entries"][0]["changes"]["name"] == ["第二版", "第三版"]
    assert [v["number"] for v in history["versions"]] == [3, 2]
    stale = client.post(f"{URL}{row.pk}/restore-version/", {"number": 2, "version": 1}, format="json")
    assert stale.status_code == 412
    missing = client.post(f"{URL}{row.pk}/restore-version/", {"number": 42}, format="json")
    assert missing.status_code == 400 and "number" in missing.json()["error"]["fields"]
    restored = client.post(f"{URL}{row.pk}/restore-version/", {"number": 2}, format="json", HTTP_IF_MATCH='"3"')
    assert restored.status_code == 200 and restored.json()["name"] == "第二版" and restored["ETag"] == '"4"'
    assert Version.objects.filter(object_id=row.pk).count() == 3


def test_history_of_a_record_out_of_scope_is_404(row):
    stranger = make_user(department=make_department(), roles=[make_role(grants=full_grants(MODULE, Scope.OWN))])
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.get(f"{URL}{row.pk}/history/").status_code == 404
    assert api.post(f"{URL}{row.pk}/restore-version/", {"number": 1}, format="json").status_code == 404
    row.refresh_from_db()
    assert row.version == 1 and not AuditLog.objects.exists()


def test_list_query_count_does_not_grow_with_rows(client, seller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        Customer.objects.bulk_create([Customer(name=f"客户{i}", owner=seller, department=seller.department,
                                               created_by=seller) for i in range(n)])

    make(2)
    client.get(URL)  # per-user permission caches and content types are loaded once
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"search": "客户"}).status_code == 200
    make(20)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(URL, {"search": "客户"}).json()["results"]) == 22
    assert len(many) == len(few) <= 8
