"""The public pool API: pools, masked pool rows, claim/release/transfer actions, the history."""

import pytest

from customers.models import Contact, Customer, CustomerAssignment
from customers.pools import services

from .customer_world import api
from .pool_world import create, make_pools, make_world

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def world():
    w = make_world()
    w.north_pool, w.company_pool = make_pools(w, hold_limit=5, daily_claim_limit=3)
    return w


def released(world, name="甲公司", phone="13812345678"):
    customer = create(world.alice, name, phone=phone, address="浦东新区世纪大道100号", website="www.jia.com")
    Contact.objects.create(customer=customer, name="张三丰", mobile="13900001111", owner=world.alice,
                           department=world.north, created_by=world.alice)
    services.release(actor=world.alice, customer=customer, reason="没有需求")
    return customer


def test_pools_lists_only_member_pools_with_standing(world):
    data = api(world.alice).get(f"{API}pools/").json()
    assert [p["name"] for p in data] == ["北区公海", "公司公海"]
    assert data[0]["hold_limit"] == 5 and data[0]["claims_left_today"] == 3 and data[0]["holding"] == 0
    assert [p["name"] for p in api(world.bob).get(f"{API}pools/").json()] == ["公司公海"]
    assert api(world.nobody).get(f"{API}pools/").json() == []
    assert api(world.bob).get(f"{API}pools/{world.north_pool.pk}/").status_code == 404


def test_pool_customers_are_masked(world):
    customer = released(world)
    resp = api(world.alice).get(f"{API}pools/{world.north_pool.pk}/customers/")
    assert resp.status_code == 200
    row = resp.json()["results"][0]
    assert row["id"] == customer.pk and row["phone"] == "138****5678" and row["masked"] is True
    text = resp.content.decode()
    for secret in ("13812345678", "张三丰", "13900001111", "世纪大道", "www.jia.com"):
        assert secret not in text
    assert api(world.bob).get(f"{API}pools/{world.north_pool.pk}/customers/").status_code == 404


def test_unmasked_pool_shows_phone(world):
    world.north_pool.mask_contacts = False
    world.north_pool.save()
    released(world)
    row = api(world.alice).get(f"{API}pools/{world.north_pool.pk}/customers/").json()["results"][0]
    assert row["phone"] == "13812345678" and row["masked"] is False


def test_released_customer_is_gone_from_owner_list_detail_and_search(world):
    customer = released(world)
    client = api(world.alice)
    assert client.get(f"{API}customers/{customer.pk}/").status_code == 404
    ids = [r["id"] for r in client.get(f"{API}customers/").json()["results"]]
    assert customer.pk not in ids
    assert client.get(f"{API}customers/", {"search": "甲公司"}).json()["count"] == 0
    assert client.get(f"{API}contacts/").json()["count"] == 0


def test_claim_release_transfer_actions(world):
    customer = released(world)
    carol_roles = list(world.alice.roles.all())
    from core.testing import make_user

    carol = make_user("carol", department=world.north, roles=carol_roles)
    assert api(world.bob).post(f"{API}customers/{customer.pk}/claim/", {}, format="json").status_code == 404
    assert api(world.nobody).post(f"{API}customers/{customer.pk}/claim/", {}, format="json").status_code == 404
    resp = api(carol).post(f"{API}customers/{customer.pk}/claim/", {"reason": "有意向"}, format="json")
    assert resp.status_code == 200 and resp.json()["owner"] == carol.pk
    again = api(world.alice).post(f"{API}customers/{customer.pk}/claim/", {}, format="json")
    assert again.status_code == 400 and "already been claimed" in again.content.decode()
    # Release: reason required, others' customers 404.
    assert api(carol).post(f"{API}customers/{customer.pk}/release/", {}, format="json").status_code == 400
    assert api(world.bob).post(f"{API}customers/{customer.pk}/release/", {"reason": "x"}, format="json").status_code == 404
    resp = api(carol).post(f"{API}customers/{customer.pk}/release/", {"reason": "联系不上"}, format="json")
    assert resp.status_code == 200 and resp.json()["pool"] == world.north_pool.pk
    # Transfer needs assign: alice (own scope) cannot transfer a customer she does not hold; the manager can.
    mine = create(world.alice, "乙公司")
    assert api(world.bob).post(f"{API}customers/{mine.pk}/transfer/", {"owner": world.bob.pk}, format="json").status_code == 404
    resp = api(world.manager).post(f"{API}customers/{mine.pk}/transfer/", {"owner": world.bob.pk, "reason": "调整"},
                                   format="json")
    assert resp.status_code == 200 and Customer.objects.get(pk=mine.pk).owner == world.bob
    assert CustomerAssignment.objects.filter(customer=mine, kind="transfer").exists()


def test_limit_refusal_over_api_has_reason(world):
    world.north_pool.cooldown_days = 3
    world.north_pool.save()
    customer = released(world)
    resp = api(world.alice).post(f"{API}customers/{customer.pk}/claim/", {}, format="json")
    assert resp.status_code == 400 and "claim it again from" in resp.content.decode()
    assert Customer.objects.get(pk=customer.pk).pool_id == world.north_pool.pk


def test_assignment_history_is_gated(world):
    customer = released(world)
    theirs = create(world.bob, "乙公司")
    alice_rows = api(world.alice).get(f"{API}customer-assignments/").json()["results"]
    # Alice sees her own moves of the released customer, but no longer its name or id.
    assert {r["kind"] for r in alice_rows} == {"create", "release"}
    assert all(r["customer"] is None and r["customer_name"] == "" for r in alice_rows)
    assert theirs.pk not in {r["customer"] for r in alice_rows}
    manager_rows = api(world.manager).get(f"{API}customer-assignments/", {"customer": customer.pk}).json()["results"]
    assert {r["customer_name"] for r in manager_rows} == {"甲公司"}
    assert api(world.nobody).get(f"{API}customer-assignments/").json()["count"] == 0
    bob_rows = api(world.bob).get(f"{API}customer-assignments/", {"kind": "create"}).json()["results"]
    assert [r["customer"] for r in bob_rows] == [theirs.pk]
