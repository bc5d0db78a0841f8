"""The recycle bin over the API: scoped listing, restore by permission, purge by administrators only."""

import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from core.models import AuditLog
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"
BIN = "/api/v1/recycle-bin/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def people():
    role = make_role(grants=full_grants(MODULE, Scope.OWN))
    return {"alice": make_user(department=make_department(), roles=[role]),
            "bob": make_user(department=make_department(), roles=[role])}


def deleted_customer(owner, name="已删客户") -> Customer:
    row = Customer.objects.create(name=name, owner=owner, department=owner.department, created_by=owner)
    response = client_for(owner).delete(f"/api/v1/customers/{row.pk}/")
    assert response.status_code == 204
    return row


def test_bin_lists_only_records_in_scope(people):
    mine = deleted_customer(people["alice"], "甲")
    deleted_customer(people["bob"], "乙")
    listing = client_for(people["alice"]).get(BIN, {"model": "customers.customer"})
    assert listing.status_code == 200
    assert [(r["id"], r["display"], r["model"]) for r in listing.json()["results"]] == [(mine.pk, "甲", "customers.customer")]
    assert listing.json()["results"][0]["deleted_by"] == people["alice"].pk


def test_unknown_or_missing_model_is_400(people):
    api = client_for(people["alice"])
    assert api.get(BIN).status_code == 400
    assert api.get(BIN, {"model": "org.user"}).status_code == 400


def test_restore_in_scope_and_404_out_of_scope(people):
    row = deleted_customer(people["alice"])
    assert client_for(people["bob"]).post(f"{BIN}customers.customer/{row.pk}/restore/").status_code == 404
    row.refresh_from_db()
    assert row.deleted_at is not None
    assert not AuditLog.objects.filter(object_id=row.pk, action="restore").exists()
    response = client_for(people["alice"]).post(f"{BIN}customers.customer/{row.pk}/restore/")
    assert response.status_code == 200 and response.json()["deleted_at"] is None
    row.refresh_from_db()
    assert row.deleted_at is None
    # A live record is not in the bin.
    assert client_for(people["alice"]).post(f"{BIN}customers.customer/{row.pk}/restore/").status_code == 404


def test_purge_is_for_administrators(people, admin_user):
    row = deleted_customer(people["alice"])
    assert client_for(people["alice"]).delete(f"{BIN}customers.customer/{row.pk}/").status_code == 403
    assert Customer.all_objects.filter(pk=row.pk).exists()
    assert client_for(admin_user).delete(f"{BIN}customers.customer/{row.pk}/").status_code == 204
    assert not Customer.all_objects.filter(pk=row.pk).exists()
    content_type = ContentType.objects.get_for_model(Customer)
    assert AuditLog.objects.filter(content_type=content_type, object_id=row.pk, action="purge").exists()
    assert client_for(admin_user).delete(f"{BIN}customers.customer/{row.pk}/").status_code == 404
