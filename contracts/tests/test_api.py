"""The contracts API: nested lines, approve, receivables by status, receipts with idempotency keys,
and an outsider who sees nothing and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from contracts.models import Contract, Receipt, Receivable

from .world import SIGNED, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def make_contract(world, client):
    later = (SIGNED + datetime.timedelta(days=400)).isoformat()
    response = client.post("/api/v1/contracts/", {
        "title": "年度供货", "customer": world.mine.pk, "sign_date": SIGNED.isoformat(),
        "lines": [{"product": world.product.pk, "quantity": "2", "price": "100.005", "discount": "0"},
                  {"product": world.product.pk, "unit": world.box.pk, "quantity": "1"}],
        "plan": [{"due_date": SIGNED.isoformat(), "amount": "200.01"}, {"due_date": later, "amount": "240.00"}],
    }, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_with_lines_then_approve(world):
    client = client_for(world.seller)
    body = make_contract(world, client)
    assert body["amount"] == "440.01" and body["status"] == "draft" and len(body["lines"]) == 2
    response = client.post(f"/api/v1/contracts/{body['id']}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert client.post(f"/api/v1/contracts/{body['id']}/approve/").status_code == 400
    rows = client.get("/api/v1/receivables/").json()["results"]
    assert sorted(r["amount"] for r in rows) == ["200.01", "240.00"]
    overdue = client.get("/api/v1/receivables/?status=overdue").json()["results"]
    assert [r["amount"] for r in overdue] == ["200.01"] and overdue[0]["status"] == "overdue"
    assert client.get("/api/v1/receivables/?status=nonsense").status_code == 400


def test_amount_cannot_be_posted(world):
    client = client_for(world.seller)
    response = client.post("/api/v1/contracts/", {"title": "x", "customer": world.mine.pk, "amount": "5",
                                                  "lines": []}, format="json")
    assert response.status_code == 400 and not Contract.all_objects.exists()


def test_receipt_idempotency_key_header_or_body(world):
    client = client_for(world.seller)
    body = make_contract(world, client)
    client.post(f"/api/v1/contracts/{body['id']}/approve/")
    r = Receivable.objects.get(contract_id=body["id"], period=1)
    payload = {"receivable": r.pk, "amount": "50.00", "date": SIGNED.isoformat()}
    first = client.post("/api/v1/receipts/", payload, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = client.post("/api/v1/receipts/", payload, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    in_body = client.post("/api/v1/receipts/", {**payload, "idempotency_key": "def"}, format="json")
    assert in_body.status_code == 201
    assert client.post("/api/v1/receipts/", payload, format="json").status_code == 400  # no key
    too_much = client.post("/api/v1/receipts/", {**payload, "amount": "999"}, format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert too_much.status_code == 400 and "balance" in too_much.content.decode()
    r.refresh_from_db()
    assert Receipt.objects.count() == 2 and r.received == Decimal("100.00") and r.balance == Decimal("100.01")


def test_outsider_sees_nothing_and_changes_nothing(world):
    seller = client_for(world.seller)
    body = make_contract(world, seller)
    seller.post(f"/api/v1/contracts/{body['id']}/approve/")
    r = Receivable.objects.get(contract_id=body["id"], period=1)
    outsider = client_for(world.outsider)
    assert outsider.get("/api/v1/contracts/").json()["results"] == []
    assert outsider.get("/api/v1/receivables/").json()["results"] == []
    assert outsider.get(f"/api/v1/contracts/{body['id']}/").status_code == 404
    assert outsider.get(f"/api/v1/receivables/{r.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/contracts/{body['id']}/unapprove/").status_code == 404
    assert outsider.patch(f"/api/v1/contracts/{body['id']}/", {"title": "x"}, format="json").status_code == 404
    response = outsider.post("/api/v1/receipts/", {"receivable": r.pk, "amount": "1", "date": SIGNED.isoformat()},
                             format="json", HTTP_IDEMPOTENCY_KEY="o")
    assert response.status_code in (400, 404) and not Receipt.objects.exists()
    assert Contract.objects.get(pk=body["id"]).title == "年度供货"
