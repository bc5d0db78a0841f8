"""/api/v1/customers/ and /api/v1/contacts/: every data scope × operation through the API.

Each case asserts both sides: what is in scope works and leaves its trace (audit entry), what is out
of scope is absent / 404 and leaves no trace at all (row unchanged, no audit entry, no share).
"""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from core.models import AuditLog, RecordShare
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Contact, Customer
from org.models import Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"
KEYS = ("mine", "peer", "child", "far")
EXPECTED = {
    Scope.NONE: set(),
    Scope.OWN: {"mine"},
    Scope.DEPARTMENT: {"mine", "peer"},
    Scope.SUBTREE: {"mine", "peer", "child"},
    Scope.ALL: set(KEYS),
}
SCOPES = list(EXPECTED)
ENDPOINTS = {Customer: "/api/v1/customers/", Contact: "/api/v1/contacts/"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    """The actor sits in 销售部; records belong to them, a department colleague, someone in a
    sub-department (华东组) and someone in another branch (客服部)."""
    company = make_department("总公司")
    sales = make_department("销售部", company)
    east = make_department("华东组", sales)
    service = make_department("客服部", company)
    owners = {"peer": make_user(department=sales), "child": make_user(department=east), "far": make_user(department=service)}
    return {"departments": {"sales": sales, "east": east, "service": service}, "owners": owners}


def setup_actor(world, scope):
    actor = make_user(department=world["departments"]["sales"], roles=[make_role(grants=full_grants(MODULE, scope))])
    owners = {"mine": actor, **world["owners"]}
    customers = {key: Customer.objects.create(name=f"客户-{key}", owner=user, department=user.department, created_by=user)
                 for key, user in owners.items()}
    contacts = {key: Contact.objects.create(name=f"联系人-{key}", customer=c, owner=c.owner, department=c.department,
                                            created_by=c.created_by) for key, c in customers.items()}
    client = APIClient()
    client.force_authenticate(actor)
    return actor, client, {Customer: customers, Contact: contacts}


def audit_count(row) -> int:
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(type(row)), object_id=row.pk).count()


def result_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def ids_of(rows, keys) -> set[int]:
    return {rows[key].pk for key in keys}


@pytest.mark.parametrize("model", [Customer, Contact])
@pytest.mark.parametrize("scope", SCOPES)
def test_read_list_detail_search_filter(world, scope, model):
    _actor, client, records = setup_actor(world, scope)
    rows, url, expected = records[model], ENDPOINTS[model], EXPECTED[scope]
    assert result_ids(client.get(url)) == ids_of(rows, expected)
    prefix = "客户" if model is Customer else "联系人"
    assert result_ids(client.get(url, {"search": prefix})) == ids_of(rows, expected)
    definition = {"op": "and", "rules": [{"field": "name", "operator": "contains", "value": prefix}]}
    assert result_ids(client.get(url, {"filter": json.dumps(definition)})) == ids_of(rows, expected)
    # An exact filter on a row outside the scope finds nothing, it does not reveal the row.
    assert result_ids(client.get(url, {"name": rows["far"].name})) == ids_of(rows, expected & {"far"})
    for key, row in rows.items():
        response = client.get(f"{url}{row.pk}/")
        if key in expected:
            assert response.status_code == 200 and response.json()["name"] == row.name
            assert response["ETag"] == f'"{row.version}"'
        else:
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"
            assert row.name not in response.content.decode()


@pytest.mark.parametrize("model", [Customer, Contact])
@pytest.mark.parametrize("scope", SCOPES)
def test_update(world, scope, model):
    _actor, client, records = setup_actor(world, scope)
    for key, row in records[model].items():
        response = client.patch(f"{ENDPOINTS[model]}{row.pk}/", {"name": "改名"}, format="json")
        fresh = model.all_objects.get(pk=row.pk)
        if key in EXPECTED[scope]:
            assert response.status_code == 200, response.content
            assert fresh.name == "改名" and fresh.version == 2 and response["ETag"] == '"2"'
            assert AuditLog.objects.filter(object_id=row.pk, action="update").exists()
        else:
            assert response.status_code == 404
            assert fresh.name == row.name and fresh.version == 1 and audit_count(row) == 0


@pytest.mark.parametrize("model", [Customer, Contact])
@pytest.mark.parametrize("scope", SCOPES)
def test_delete(world, scope, model):
    _actor, client, records = setup_actor(world, scope)
    for key, row in records[model].items():
        response = client.delete(f"{ENDPOINTS[model]}{row.pk}/")
        fresh = model.all_objects.get(pk=row.pk)
        if key in EXPECTED[scope]:
            assert response.status_code == 204
            assert fresh.deleted_at is not None and audit_count(row) == 1
        else:
            assert response.status_code == 404
            assert fresh.deleted_at is None and audit_count(row) == 0


@pytest.mark.parametrize("model", [Customer, Contact])
@pytest.mark.parametrize("scope", SCOPES)
def test_share(world, scope, model):
    _actor, client, records = setup_actor(world, scope)
    colleague = world["owners"]["far"]
    content_type = ContentType.objects.get_for_model(model)
    for key, row in records[model].items():
        response = client.post(f"{ENDPOINTS[model]}{row.pk}/share/", {"users": [colleague.pk], "can_edit": True}, format="json")
        shared = RecordShare.objects.filter(content_type=content_type, object_id=row.pk, user=colleague)
        if key in EXPECTED[scope]:
            assert response.status_code == 200 and response.json() == {"count": 1}
            assert shared.get().can_edit and audit_count(row) == 1
        else:
            assert response.status_code == 404
            assert not shared.exists() and audit_count(row) == 0


@pytest.mark.parametrize("model", [Customer, Contact])
@pytest.mark.parametrize("scope", SCOPES)
def test_assign(world, scope, model):
    _actor, client, records = setup_actor(world, scope)
    target = world["owners"]["child"]
    for key, row in records[model].items():
        response = client.post(f"{ENDPOINTS[model]}{row.pk}/assign/", {"owner": target.pk, "reason": "调岗"}, format="json")
        fresh = model.all_objects.get(pk=row.pk)
        if key in EXPECTED[scope]:
            assert response.status_code == 200
            assert fresh.owner == target and fresh.department == target.department and audit_count(row) == 1
        else:
            assert response.status_code == 404
            assert fresh.owner_id == row.owner_id and fresh.version == 1 and audit_count(row) == 0


@pytest.mark.parametrize("scope", SCOPES)
def test_create(world, scope):
    actor, client, records = setup_actor(world, scope)
    before_customers, before_contacts = Customer.all_objects.count(), Contact.all_objects.count()
    response = client.post("/api/v1/customers/", {"name": "新客户", "status": "intent"}, format="json")
    if scope == Scope.NONE:
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
        assert Customer.all_objects.count() == before_customers
    else:
        assert response.status_code == 201, response.content
        created = Customer.objects.get(pk=response.json()["id"])
        assert created.owner == actor and created.created_by == actor and created.status == "intent"
        assert response["ETag"] == '"1"' and audit_count(created) == 1
    # A contact can only be linked to a customer the user may read.
    for key, customer in records[Customer].items():
        response = client.post("/api/v1/contacts/", {"customer": customer.pk, "name": f"新联系人{key}"}, format="json")
        if scope == Scope.NONE:
            assert response.status_code == 403
        elif key in EXPECTED[scope]:
            assert response.status_code == 201, response.content
        else:
            assert response.status_code == 400 and "customer" in response.json()["error"]["fields"]
    created_contacts = 0 if scope == Scope.NONE else len(EXPECTED[scope])
    assert Contact.all_objects.count() == before_contacts + created_contacts


@pytest.mark.parametrize("scope", [Scope.OWN, Scope.DEPARTMENT])
def test_batch_actions_are_refused_whole_when_one_row_is_out_of_scope(world, scope):
    _actor, client, records = setup_actor(world, scope)
    rows = records[Customer]
    ids = [rows["mine"].pk, rows["far"].pk]
    target = world["owners"]["child"]
    response = client.post("/api/v1/customers/batch-assign/", {"ids": ids, "owner": target.pk}, format="json")
    assert response.status_code == 403
    response = client.post("/api/v1/customers/batch-share/", {"ids": ids, "users": [target.pk]}, format="json")
    assert response.status_code == 403
    response = client.post("/api/v1/customers/batch-delete/", {"ids": ids}, format="json")
    assert response.status_code == 403
    for row in rows.values():
        fresh = Customer.all_objects.get(pk=row.pk)
        assert fresh.owner_id == row.owner_id and fresh.deleted_at is None and audit_count(row) == 0
    assert not RecordShare.objects.exists()
    response = client.post("/api/v1/customers/batch-delete/", {"ids": [rows["mine"].pk]}, format="json")
    assert response.status_code == 200 and response.json() == {"count": 1}
    assert Customer.all_objects.get(pk=rows["mine"].pk).deleted_at is not None


def test_each_operation_has_its_own_scope(world):
    """Reading everything does not allow changing everything: each operation uses its own grant."""
    grants = {MODULE: {"read": Scope.ALL, "update": Scope.OWN}}
    actor = make_user(department=world["departments"]["sales"], roles=[make_role(grants=grants)])
    client = APIClient()
    client.force_authenticate(actor)
    peer = world["owners"]["peer"]
    mine = Customer.objects.create(name="我的", owner=actor, department=actor.department, created_by=actor)
    theirs = Customer.objects.create(name="同事的", owner=peer, department=peer.department, created_by=peer)
    assert client.get(f"/api/v1/customers/{theirs.pk}/").status_code == 200
    assert client.patch(f"/api/v1/customers/{theirs.pk}/", {"name": "x"}, format="json").status_code == 404
    assert client.patch(f"/api/v1/customers/{mine.pk}/", {"name": "我的(改)"}, format="json").status_code == 200
    assert client.delete(f"/api/v1/customers/{mine.pk}/").status_code == 404
    assert client.post(f"/api/v1/customers/{mine.pk}/share/", {"users": [peer.pk]}, format="json").status_code == 404
    assert client.post(f"/api/v1/customers/{mine.pk}/assign/", {"owner": peer.pk}, format="json").status_code == 404
    assert client.post("/api/v1/customers/", {"name": "新"}, format="json").status_code == 403
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.name == "同事的" and audit_count(theirs) == 0
    assert mine.deleted_at is None and mine.owner == actor and not RecordShare.objects.exists()
    assert Customer.all_objects.count() == 2


def test_a_share_opens_the_record_to_the_receiver(world):
    _actor, client, records = setup_actor(world, Scope.OWN)
    far = world["owners"]["far"]
    reader = APIClient()
    reader.force_authenticate(far)
    far.roles.set([make_role(grants=full_grants(MODULE, Scope.OWN))])
    row = records[Customer]["mine"]
    assert reader.get(f"/api/v1/customers/{row.pk}/").status_code == 404
    client.post(f"/api/v1/customers/{row.pk}/share/", {"users": [far.pk]}, format="json")
    far = type(far).objects.get(pk=far.pk)  # permission caches live on the user object
    reader.force_authenticate(far)
    assert reader.get(f"/api/v1/customers/{row.pk}/").status_code == 200
    assert reader.patch(f"/api/v1/customers/{row.pk}/", {"name": "x"}, format="json").status_code == 404
    # Contacts follow their customer's shares.
    assert result_ids(reader.get("/api/v1/contacts/")) >= {records[Contact]["mine"].pk}
