"""Pool pages: masked lists and cards, claim and release forms, administration, history page and tab."""

import pytest
from django.urls import reverse

from core.testing import make_user
from customers.models import Contact, Customer, CustomerAssignment, Pool, PoolRule
from customers.pools import services

from .pool_world import create, level, make_pools, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world()
    w.north_pool, w.company_pool = make_pools(w, daily_claim_limit=2)
    w.carol = make_user("carol", department=w.north, roles=list(w.alice.roles.all()))
    return w


def client_for(client, user):
    client.force_login(user)
    return client


def released(world):
    customer = create(world.alice, "甲公司", phone="13812345678", address="世纪大道100号")
    Contact.objects.create(customer=customer, name="张三丰", mobile="13900001111", owner=world.alice,
                           department=world.north, created_by=world.alice)
    services.release(actor=world.alice, customer=customer, reason="没有需求")
    return customer


SECRETS = ("13812345678", "张三丰", "13900001111", "世纪大道")


def test_pool_list_is_masked_and_shows_standing(client, world):
    customer = released(world)
    resp = client_for(client, world.carol).get(reverse("customers:pool_list"))
    html = resp.content.decode()
    assert resp.status_code == 200 and "甲公司" in html and "138****5678" in html
    assert all(secret not in html for secret in SECRETS)
    assert "北区公海" in html and "公司公海" in html and "2 / 2" in html  # claims left today
    assert reverse("customers:pool_customer", args=[customer.pk]) in html
    assert "甲公司" not in client.get(reverse("customers:pool_list"), {"q": "乙"}).content.decode()


def test_outsider_sees_no_pool_and_cannot_claim(client, world):
    customer = released(world)
    c = client_for(client, world.bob)
    assert c.get(reverse("customers:pool_detail", args=[world.north_pool.pk])).status_code == 404
    assert "甲公司" not in c.get(reverse("customers:pool_list")).content.decode()
    assert c.get(reverse("customers:pool_customer", args=[customer.pk])).status_code == 404
    c.post(reverse("customers:pool_claim"), {"ids": [customer.pk]})
    assert Customer.objects.get(pk=customer.pk).pool_id == world.north_pool.pk
    client.force_login(world.nobody)
    assert client.get(reverse("customers:pool_list")).status_code == 403


def test_card_then_claim(client, world):
    customer = released(world)
    c = client_for(client, world.carol)
    # The 360 address of a pool customer leads members to the masked card.
    resp = c.get(reverse("customers:customer_360", args=[customer.pk]))
    assert resp.status_code == 302 and resp.url == reverse("customers:pool_customer", args=[customer.pk])
    card = c.get(resp.url).content.decode()
    assert "138****5678" in card and 'data-testid="claim"' in card
    assert all(secret not in card for secret in SECRETS)
    resp = c.post(reverse("customers:pool_claim"), {"ids": [customer.pk], "reason": "有意向"})
    assert resp.status_code == 302 and resp.url == reverse("customers:customer_360", args=[customer.pk])
    assert Customer.objects.get(pk=customer.pk).owner == world.carol
    assert "13812345678" in c.get(resp.url).content.decode()  # the claimer sees the real number


def test_batch_claim_reports_refusals(client, world):
    first, second, third = (create(world.alice, n) for n in ("甲一", "甲二", "甲三"))
    services.release_many(actor=world.alice, customer_ids=[first.pk, second.pk, third.pk], reason="x")
    c = client_for(client, world.carol)
    resp = c.post(reverse("customers:pool_claim"), {"ids": [first.pk, second.pk, third.pk]}, follow=True)
    html = resp.content.decode()
    assert "Claimed 2 customers." in html and "daily limit" in html
    assert Customer.objects.filter(owner=world.carol).count() == 2


def test_release_from_360_page(client, world):
    customer = create(world.alice, "甲公司")
    c = client_for(client, world.alice)
    page = c.get(reverse("customers:customer_360", args=[customer.pk])).content.decode()
    assert 'data-testid="release"' in page
    assert reverse("customers:customer_detail", args=[customer.pk]) in c.get(reverse("core:search"), {"q": "甲公司"}).content.decode()
    resp = c.post(reverse("customers:customer_release", args=[customer.pk]), {"reason": ""}, follow=True)
    assert "Give a reason." in resp.content.decode() and Customer.objects.get(pk=customer.pk).pool is None
    resp = c.post(reverse("customers:customer_release", args=[customer.pk]), {"reason": "不做了"})
    assert resp.url == reverse("customers:customer_list")
    assert Customer.objects.get(pk=customer.pk).pool == world.north_pool
    # Out of reach now: list, detail (a pool member gets the masked card instead), 360 and search.
    assert c.get(reverse("customers:customer_detail", args=[customer.pk])).url == reverse(
        "customers:pool_customer", args=[customer.pk])
    listing = c.get(reverse("customers:customer_list"), {"q": "甲公司"}).content.decode()
    assert reverse("customers:customer_detail", args=[customer.pk]) not in listing
    found = c.get(reverse("core:search"), {"q": "甲公司"}).content.decode()
    assert reverse("customers:customer_detail", args=[customer.pk]) not in found
    # Bob may not release alice's customer.
    other = create(world.alice, "乙公司")
    client.force_login(world.bob)
    assert client.post(reverse("customers:customer_release", args=[other.pk]), {"reason": "x"}).status_code == 404


def test_pool_admin_page(client, world, admin_user):
    assert client_for(client, world.alice).get(reverse("customers:pool_manage")).status_code == 403
    c = client_for(client, admin_user)
    assert c.get(reverse("customers:pool_manage")).status_code == 200
    resp = c.post(reverse("customers:pool_manage"), {"action": "pool_save", "name": "南区公海", "hold_limit": "30",
                                                     "daily_claim_limit": "5", "cooldown_days": "7", "warn_days": "3",
                                                     "departments": [world.south.pk], "active": "1", "mask_contacts": "1"})
    assert resp.status_code == 302
    pool = Pool.objects.get(name="南区公海")
    assert pool.hold_limit == 30 and list(pool.departments.all()) == [world.south]
    a = level("A")
    c.post(reverse("customers:pool_manage"), {"action": "rule_save", "pool": pool.pk, "level": a.pk,
                                              "no_followup_days": "15"})
    assert PoolRule.objects.get(pool=pool, level=a).no_followup_days == 15
    bad = c.post(reverse("customers:pool_manage"), {"action": "rule_save", "pool": pool.pk, "level": ""})
    assert bad.status_code == 400 and PoolRule.objects.filter(pool=pool).count() == 1
    bad = c.post(reverse("customers:pool_manage"), {"action": "pool_save", "name": "南区公海", "hold_limit": "x"})
    assert bad.status_code == 400 and Pool.objects.filter(name="南区公海").count() == 1
    released(world)
    refused = c.post(reverse("customers:pool_manage"), {"action": "pool_delete", "id": world.north_pool.pk})
    assert refused.status_code == 400 and Pool.objects.filter(pk=world.north_pool.pk).exists()


def test_history_page_and_tab_are_gated(client, world):
    customer = released(world)
    theirs = create(world.bob, "乙公司")
    c = client_for(client, world.alice)
    html = c.get(reverse("customers:assignment_list")).content.decode()
    assert "(outside your scope)" in html and "甲公司" not in html and "乙公司" not in html
    client.force_login(world.manager)
    html = client.get(reverse("customers:assignment_list"), {"kind": "release"}).content.decode()
    assert "甲公司" in html and "没有需求" in html and "乙公司" not in html
    tab = client.get(reverse("customers:customer_360_tab", args=[theirs.pk, "assignments"])).content.decode()
    assert "Created" in tab
    client.force_login(world.nobody)
    html = client.get(reverse("customers:assignment_list")).content.decode()
    assert "甲公司" not in html and "No assignments found." in html
    assert CustomerAssignment.objects.filter(customer=customer).count() == 2


def test_360_of_a_pool_customer_for_a_manager_shows_pool_and_claim(client, world):
    customer = create(world.bob, "乙公司")
    services.release(actor=world.bob, customer=customer, reason="x")  # 南区 → the company pool
    html = client_for(client, world.manager).get(reverse("customers:customer_360", args=[customer.pk])).content.decode()
    assert 'data-testid="in-pool"' in html and "公司公海" in html
    assert 'data-testid="claim"' in html and 'data-testid="release"' not in html
    tab = client.get(reverse("customers:customer_360_tab", args=[customer.pk, "assignments"])).content.decode()
    assert "Released to pool" in tab and "公司公海" in tab


def test_detail_address_of_a_pool_customer_opens_the_masked_card_for_members_only(client, world):
    customer = released(world)
    url = reverse("customers:customer_detail", args=[customer.pk])
    resp = client_for(client, world.carol).get(url)
    assert resp.status_code == 302 and resp.url == reverse("customers:pool_customer", args=[customer.pk])
    client.force_login(world.bob)  # outside the pool: still not found
    assert client.get(url).status_code == 404


def test_batch_release_from_the_list(client, world):
    first, second = create(world.alice, "乙一"), create(world.alice, "乙二")
    stranger = create(world.carol, "丙公司")  # carol's, not alice's: out of alice's update scope
    c = client_for(client, world.alice)
    listing = c.get(reverse("customers:customer_list")).content.decode()
    assert reverse("customers:customer_release_batch") in listing
    url = reverse("customers:customer_release_batch")
    page = c.get(url, {"ids": f"{first.pk},{second.pk},{stranger.pk}"}).content.decode()
    assert "乙一" in page and "乙二" in page and "丙公司" not in page and world.north_pool.name in page
    # No reason: refused, nothing moves.
    resp = c.post(url, {"ids": f"{first.pk},{second.pk}", "reason": ""})
    assert resp.status_code == 400 and not Customer.objects.filter(pool__isnull=False).exists()
    resp = c.post(url, {"ids": f"{first.pk},{second.pk},{stranger.pk}", "reason": "长期无需求"}, follow=True)
    assert "Released 2 customers" in resp.content.decode()
    assert set(Customer.objects.filter(pool=world.north_pool).values_list("pk", flat=True)) == {first.pk, second.pk}
    assert Customer.objects.get(pk=stranger.pk).pool is None and Customer.objects.get(pk=stranger.pk).owner == world.carol
    assert CustomerAssignment.objects.filter(customer=first, kind=CustomerAssignment.Kind.RELEASE).count() == 1


def test_batch_release_of_only_foreign_customers_changes_nothing(client, world):
    stranger = create(world.carol, "丙公司")
    c = client_for(client, world.alice)
    resp = c.post(reverse("customers:customer_release_batch"), {"ids": str(stranger.pk), "reason": "x"})
    assert resp.status_code == 302
    assert Customer.objects.get(pk=stranger.pk).pool is None
    assert not CustomerAssignment.objects.filter(customer=stranger, kind=CustomerAssignment.Kind.RELEASE).exists()


def test_history_filters_name_the_chosen_customer_only_within_scope(client, world):
    """The customer filter is a chooser: the chosen customer shows by name when you may read it and by
    number when you may not (its name never reaches the page); people are listed by name."""
    mine = create(world.alice, "甲方科技")
    theirs = create(world.bob, "乙方贸易")
    c = client_for(client, world.alice)
    url = reverse("customers:assignment_list")
    html = c.get(url, {"customer": mine.pk}).content.decode()
    chooser = html.split('data-testid="filter-customer"')[1].split("</select>")[0]
    assert f'<option value="{mine.pk}" selected>甲方科技</option>' in chooser
    assert "core/autocomplete" not in chooser and "/autocomplete/customers.customer/" in html
    assert "甲方科技" in html.split('data-testid="assignments"')[1]  # the rows are filtered by it
    html = c.get(url, {"customer": theirs.pk}).content.decode()
    assert f'<option value="{theirs.pk}" selected>#{theirs.pk}</option>' in html and "乙方贸易" not in html
    people = html.split('data-testid="filter-user"')[1].split("</select>")[0]
    assert f'value="{world.bob.pk}"' in people and str(world.bob) in people
    html = c.get(url, {"user": world.alice.pk}).content.decode()
    assert f'<option value="{world.alice.pk}" selected>' in html
