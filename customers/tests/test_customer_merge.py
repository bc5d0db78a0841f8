"""Merging customers: every related row moves to the survivor, both histories stay, the gate decides."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import reverse

from core import audit
from core.models import AuditLog, RecordShare
from core.testing import make_role
from customers import merge, services
from customers.models import Contact, Customer, Tag
from org.models import Scope

from .customer_world import MODULE, api, create, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def contact(customer, name):
    return Contact.objects.create(customer=customer, name=name, owner=customer.owner, department=customer.department)


def entries(row, action=None):
    qs = AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Customer), object_id=row.pk)
    return qs.filter(action=action) if action else qs


def test_merge_moves_everything_and_keeps_both_histories(world):
    vip, old = Tag.objects.create(name="重点"), Tag.objects.create(name="老客户")
    survivor = create(world.alice, "华为技术有限公司", tags=[vip])
    other = create(world.alice, "华为技术股份有限公司", phone="13800138000", tags=[old])
    services.customer_update(actor=world.alice, instance=other, data={"notes": "第二版"})
    branch = create(world.alice, "华为南京分公司", parent=other)
    kept = [contact(survivor, "张伟"), contact(other, "李娜"), contact(other, "王芳")]
    result = services.customer_merge(actor=world.alice, survivor=survivor, others=[other], values={"phone": other.phone})

    assert set(Contact.objects.filter(customer=survivor).values_list("pk", flat=True)) == {c.pk for c in kept}
    for rel in Customer._meta.related_objects:  # no row anywhere still points at the merged customer
        if not rel.many_to_many and rel.related_model is not Customer:
            assert not rel.related_model._base_manager.filter(**{rel.field.name: other}).exists(), rel
    assert set(result.tags.all()) == {vip, old} and result.phone == "13800138000"
    branch.refresh_from_db()
    assert branch.parent_id == survivor.pk
    merged = Customer.all_objects.get(pk=other.pk)
    assert merged.deleted_at is not None and merged.merged_into_id == survivor.pk
    # Histories: the merged record keeps its versions and gets a final entry; the survivor names what came in.
    assert [v.number for v in audit.versions_for(merged)] == [3, 2, 1]
    assert entries(merged, "delete").get().changes["merged_into_id"] == [None, survivor.pk]
    note = entries(survivor, "other").get()
    assert note.changes["merged"] == [other.pk]
    assert sorted(note.changes["moved"][str(other.pk)]["customers.Contact.customer"]["ids"]) == sorted(c.pk for c in kept[1:])
    assert entries(survivor, "update").filter(changes__has_key="phone").exists()
    # The survivor is found by the merged one's contacts now.
    assert "ln" in Customer.objects.get(pk=survivor.pk).contact_search


def test_registered_relations_and_hooks_join_the_merge(world, monkeypatch):
    monkeypatch.setattr(merge, "_extra", [])
    monkeypatch.setattr(merge, "_hooks", [])
    survivor, other = create(world.alice, "甲公司"), create(world.alice, "乙公司")
    # A generic reference (content type + object id) is not a foreign key; a module registers it.
    merge.register_merge_relation(RecordShare, "object_id", content_type_field="content_type")
    share = RecordShare.objects.create(content_type=ContentType.objects.get_for_model(Customer), object_id=other.pk,
                                       user=world.bob)
    seen = []
    merge.register_merge_hook(lambda s, m: seen.append((s.pk, m.pk)) or {"x.Y.z": [7]})
    services.customer_merge(actor=world.alice, survivor=survivor, others=[other])
    share.refresh_from_db()
    assert share.object_id == survivor.pk and seen == [(survivor.pk, other.pk)]
    moved = entries(survivor, "other").get().changes["moved"][str(other.pk)]
    assert moved["x.Y.z"] == {"count": 1, "ids": [7]} and moved["core.RecordShare.object_id"]["ids"] == [share.pk]


def test_merge_needs_update_on_survivor_and_delete_on_the_others(world):
    mine, theirs = create(world.alice, "北区甲"), create(world.bob, "南区乙")
    contact(theirs, "赵六")
    with pytest.raises(Http404):
        services.customer_merge(actor=world.alice, survivor=mine, others=[theirs])
    with pytest.raises(Http404):
        services.customer_merge(actor=world.alice, survivor=theirs, others=[mine])
    reader = make_role(grants={MODULE: {"read": Scope.ALL, "update": Scope.ALL}})
    world.alice.roles.add(reader)
    alice = type(world.alice).objects.get(pk=world.alice.pk)
    with pytest.raises(Http404):  # may update and read everything, but may not delete Bob's
        services.customer_merge(actor=alice, survivor=mine, others=[theirs])
    assert Customer.objects.count() == 2 and Contact.objects.get().customer_id == theirs.pk
    assert not entries(mine).exclude(action="create").exists() and not entries(theirs).exclude(action="create").exists()
    merged = services.customer_merge(actor=world.manager, survivor=mine, others=[theirs])
    assert Contact.objects.get().customer_id == merged.pk


def test_merge_page_from_the_list(world, client):
    first = create(world.alice, "星河电子有限公司", phone="13900001111")
    second = create(world.alice, "星河电子股份有限公司", website="https://xinghe.example")
    contact(second, "钱七")
    client.force_login(world.alice)
    url = reverse("customers:customer_merge")
    page = client.post(url, {"ids": [first.pk, second.pk]})  # the list's batch bar posts the selection
    html = page.content.decode()
    assert page.status_code == 200 and 'name="keep_website"' in html and 'name="survivor"' in html
    response = client.post(url, {"ids": f"{first.pk},{second.pk}", "confirm": "1", "survivor": first.pk,
                                 "keep_website": second.pk, "keep_phone": first.pk})
    assert response.status_code == 302 and response["Location"] == reverse("customers:customer_detail", args=[first.pk])
    first.refresh_from_db()
    assert first.website == "https://xinghe.example" and first.phone == "13900001111"
    assert Contact.objects.get().customer_id == first.pk and Customer.objects.count() == 1


def test_merge_page_and_api_out_of_scope(world, client):
    mine, theirs = create(world.alice, "北区甲"), create(world.bob, "南区乙")
    client.force_login(world.alice)
    url = reverse("customers:customer_merge")
    assert client.get(url, {"ids": f"{mine.pk},{theirs.pk}"}).status_code == 404
    assert client.post(url, {"ids": f"{mine.pk},{theirs.pk}", "confirm": "1", "survivor": mine.pk}).status_code == 404
    client.force_login(world.nobody)
    assert client.get(url, {"ids": f"{mine.pk},{theirs.pk}"}).status_code == 403
    response = api(world.alice).post(f"/api/v1/customers/{mine.pk}/merge/", {"others": [theirs.pk]}, format="json")
    assert response.status_code == 404
    response = api(world.alice).post(f"/api/v1/customers/{theirs.pk}/merge/", {"others": [mine.pk]}, format="json")
    assert response.status_code == 404
    assert Customer.objects.count() == 2 and not AuditLog.objects.exclude(action="create").exists()


def test_api_merge(world):
    survivor = create(world.alice, "甲公司")
    other = create(world.alice, "甲公司(重复)", phone="13800138000")
    contact(other, "孙八")
    client = api(world.alice)
    response = client.post(f"/api/v1/customers/{survivor.pk}/merge/", {"others": [other.pk], "keep": {"phone": other.pk}},
                           format="json")
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "13800138000" and response["ETag"] == '"2"'
    assert Contact.objects.get().customer_id == survivor.pk
    response = client.post(f"/api/v1/customers/{survivor.pk}/merge/", {"others": [survivor.pk]}, format="json")
    assert response.status_code == 400
    response = client.post(f"/api/v1/customers/{survivor.pk}/merge/", {"others": [other.pk], "keep": {"code": other.pk}},
                           format="json")
    assert response.status_code in (400, 404)


def test_merging_a_parent_company_into_its_subsidiary_keeps_the_tree_sound(world):
    group = create(world.alice, "星河集团")
    holding = create(world.alice, "星河控股", parent=group)
    branch = create(world.alice, "星河控股北京", parent=holding)
    result = services.customer_merge(actor=world.alice, survivor=branch, others=[holding])
    assert result.parent_id == group.pk  # the merged parent's own parent takes its place
    result = services.customer_merge(actor=world.alice, survivor=result, others=[group])
    assert result.parent_id is None and Customer.objects.count() == 1


def test_merged_customer_cannot_be_restored_from_the_bin(world):
    from django.core.exceptions import ValidationError

    from core import services as core_services

    survivor = create(world.alice, "华为技术有限公司")
    other = create(world.alice, "华为技术股份有限公司")
    services.customer_merge(actor=world.alice, survivor=survivor, others=[other])
    with pytest.raises(ValidationError, match="merged into"):
        core_services.restore_deleted(actor=world.alice, model=Customer, pk=other.pk)
    merged = Customer.all_objects.get(pk=other.pk)
    assert merged.deleted_at is not None and merged.merged_into_id == survivor.pk
    assert not entries(merged, "restore").exists()


def test_recycle_bin_page_and_api_refuse_to_restore_a_merged_customer(world, client):
    survivor = create(world.alice, "华为技术有限公司")
    other = create(world.alice, "华为技术股份有限公司")
    services.customer_merge(actor=world.alice, survivor=survivor, others=[other])
    client.force_login(world.alice)
    url = reverse("core:recycle_restore", args=["customers.customer", other.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200 and "merged into" in response.content.decode()
    reply = api(world.alice).post(f"/api/v1/recycle-bin/customers.customer/{other.pk}/restore/")
    assert reply.status_code == 400, reply.content
    assert Customer.all_objects.get(pk=other.pk).deleted_at is not None
