"""The assignment history (客户分配记录) records merges too, and batch assignment from the list."""

import pytest
from django.urls import reverse

from core.testing import make_user
from customers import services as customer_services
from customers.models import Customer, CustomerAssignment

from .pool_world import create, make_world

pytestmark = pytest.mark.django_db


def test_merge_records_a_move_of_the_merged_customer():
    world = make_world()
    survivor = create(world.alice, "甲公司")
    other = create(world.bob, "甲公司分部")
    customer_services.customer_merge(actor=world.manager, survivor=survivor, others=[other])
    move = CustomerAssignment.objects.get(customer=survivor, kind="merge")  # the history moves to the survivor
    assert move.from_owner == world.bob and move.to_owner == world.alice and move.actor == world.manager
    assert f"#{other.pk}" in move.reason


def test_list_batch_assign_records_transfer(client):
    world = make_world()
    first, second = create(world.alice, "甲一"), create(world.alice, "甲二")
    client.force_login(world.manager)
    resp = client.post(reverse("customers:customer_batch"), {"action": "assign", "ids": [first.pk, second.pk],
                                                              "owner": world.bob.pk, "reason": "调整"})
    assert resp.status_code == 302
    moves = CustomerAssignment.objects.filter(kind="transfer").order_by("customer_id")
    assert [(m.customer_id, m.from_owner_id, m.to_owner_id, m.reason) for m in moves] == [
        (first.pk, world.alice.pk, world.bob.pk, "调整"), (second.pk, world.alice.pk, world.bob.pk, "调整")]
    assert Customer.objects.get(pk=first.pk).owned_since > Customer.objects.get(pk=first.pk).created_at
    # A colleague who neither holds nor created it: outside the assign scope, nothing changes or is recorded.
    client.force_login(make_user("carol", department=world.north, roles=list(world.alice.roles.all())))
    resp = client.post(reverse("customers:customer_batch"), {"action": "assign", "ids": [first.pk],
                                                              "owner": world.alice.pk})
    assert resp.status_code in (403, 404)
    assert CustomerAssignment.objects.filter(kind="transfer").count() == 2
