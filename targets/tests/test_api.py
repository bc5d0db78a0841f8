"""The API: CRUD through the gate and the services (uniqueness, validation, versions, audit), the
progress rows, and a salesperson who sees only their own targets and changes nothing."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.models import AuditLog
from targets.models import Level, SalesTarget

from .world import YEAR, build_world, target

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/sales-targets/"


@pytest.fixture
def world():
    return build_world()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(world, **extra):
    return {"measure": "contract_amount", "level": "person", "owner": world.seller.pk, "year": YEAR,
            "period": "month", "number": 3, "amount": "1200.50", **extra}


def test_create_change_delete(world):
    api = client_for(world.manager)
    created = api.post(URL, payload(world), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["amount"] == "1200.50" and body["subject"] == "李娜" and created["ETag"] == '"1"'
    again = api.post(URL, payload(world, amount="1"), format="json")
    assert again.status_code == 400 and "set already" in again.json()["error"]["message"]
    pk = body["id"]
    changed = api.patch(f"{URL}{pk}/", {"amount": "1300"}, format="json", headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["amount"] == "1300.00" and changed.json()["version"] == 2
    stale = api.patch(f"{URL}{pk}/", {"amount": "1"}, format="json", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert api.delete(f"{URL}{pk}/").status_code == 204
    assert not SalesTarget.objects.exists()
    assert list(AuditLog.objects.filter(content_type__app_label="targets").order_by("id")
                .values_list("action", flat=True)) == ["create", "update", "delete"]


@pytest.mark.parametrize("bad", [
    {"amount": "-1"}, {"amount": "abc"}, {"number": 13}, {"period": "week"}, {"owner": None},
    {"level": "company"}, {"level": "department", "owner": None}, {"measure": "expenses"}, {"year": 1990},
])
def test_bad_payloads_change_nothing(world, bad):
    response = client_for(world.boss).post(URL, payload(world, **bad), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"]
    assert not SalesTarget.objects.exists() and not AuditLog.objects.filter(content_type__app_label="targets").exists()


def test_salesperson_sees_own_and_changes_nothing(world):
    mine = target(owner=world.seller, amount="10.00")
    theirs = target(owner=world.seller2, amount="20.00")
    company = target(Level.COMPANY, amount="30.00")
    api = client_for(world.seller)
    listed = api.get(URL, {"year": YEAR}).json()
    assert [r["id"] for r in listed["results"]] == [mine.pk]
    assert api.get(f"{URL}{mine.pk}/").status_code == 200
    for other in (theirs, company):
        assert api.get(f"{URL}{other.pk}/").status_code == 404
        assert api.patch(f"{URL}{other.pk}/", {"amount": "1"}, format="json").status_code == 404
        assert api.delete(f"{URL}{other.pk}/").status_code == 404
    # Own target: readable but no update/delete grant, so it is not there to change.
    assert api.patch(f"{URL}{mine.pk}/", {"amount": "99"}, format="json").status_code == 404
    assert api.post(URL, payload(world, owner=world.seller.pk), format="json").status_code == 403
    assert sorted(SalesTarget.objects.values_list("amount", flat=True)) == [D("10.00"), D("20.00"), D("30.00")]
    assert SalesTarget.objects.count() == 3


def test_manager_cannot_create_outside_the_subtree(world):
    response = client_for(world.manager).post(URL, payload(world, owner=world.seller2.pk), format="json")
    assert response.status_code == 403 and not SalesTarget.objects.exists()


def test_progress_rows(world):
    target(owner=world.seller, amount="1000.00", number=1)
    target(owner=world.seller2, amount="2000.00", number=1)
    api = client_for(world.seller)
    body = api.get(f"{URL}progress/", {"year": YEAR, "measure": "contract_amount", "owner": world.seller.pk}).json()
    assert body["level"] == "person" and body["complete"] is True
    assert {r["subject_id"] for r in body["rows"]} == {world.seller.pk}
    jan = next(r for r in body["rows"] if r["period"] == "month" and r["number"] == 1)
    assert (jan["target"], jan["actual"], jan["rate"]) == ("1000.00", "1000.10", "100.0")
    year = next(r for r in body["rows"] if r["period"] == "year")
    assert (year["target"], year["actual"], year["rate"]) == ("1000.00", "3300.43", "330.0")
    # Another person's figures: no targets visible, so no rows (and no actuals of theirs).
    other = api.get(f"{URL}progress/", {"year": YEAR, "owner": world.seller2.pk}).json()
    assert other["rows"] == []
    boss = client_for(world.boss).get(f"{URL}progress/", {"year": YEAR, "department": world.east.pk,
                                                          "level": "person", "granularity": "quarter"}).json()
    assert {r["subject_id"] for r in boss["rows"]} == {world.seller.pk}
    assert next(r for r in boss["rows"] if r["period"] == "quarter" and r["number"] == 1)["actual"] == "3000.10"


def test_progress_bad_parameters(world):
    api = client_for(world.boss)
    for params in ({"year": "x"}, {"measure": "expenses"}, {"granularity": "week"}, {"owner": "999999"},
                   {"owner": world.seller.pk, "level": "company"}):
        response = api.get(f"{URL}progress/", params)
        assert response.status_code == 400, params
    assert client_for(world.seller2).get(f"{URL}progress/").status_code == 200


def test_no_new_target_for_someone_who_has_left(world):
    from org.models import User

    User.objects.filter(pk=world.seller.pk).update(status=User.Status.LEFT)
    response = client_for(world.boss).post(URL, payload(world), format="json")
    assert response.status_code == 400, response.content
    assert not SalesTarget.objects.exists()
