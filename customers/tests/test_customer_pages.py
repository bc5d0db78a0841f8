"""Customer pages: sectioned form, detail extras, batch merge button, basic data page, query counts."""

import pytest
from django.urls import reverse

from core.models import AuditLog
from core.testing import make_role
from customers.models import Customer, CustomerCategory, Region, Tag
from org.models import Scope

from .customer_world import api, create, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_form_in_sections_with_live_duplicate_check(world, client):
    client.force_login(world.alice)
    html = client.get(reverse("customers:customer_create")).content.decode()
    for title in ("Invoice details", "开票"):
        if title in html:
            break
    else:
        raise AssertionError("invoice section missing")
    assert 'name="invoice_title"' in html and 'name="tags"' in html and 'name="collaborators"' in html
    assert 'hx-target="#customer-duplicates"' in html and 'name="confirm_duplicates"' not in html


def test_edit_keeps_tags_and_shows_them_on_the_detail_page(world, client):
    tag = Tag.objects.create(name="重点客户", color="red")
    row = create(world.alice, "上海明远精密机械有限公司")
    client.force_login(world.alice)
    response = client.post(reverse("customers:customer_update", args=[row.pk]), {
        "name": row.name, "status": "intent", "amount": "0", "version": row.version, "tags": [tag.pk],
        "credit_code": "914403001922038216", "invoice_title": "上海明远精密机械有限公司"})
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(reverse("customers:customer_detail", args=[row.pk])).content.decode()
    assert "重点客户" in html and "914403001922038216" in html and 'data-testid="find-duplicates"' in html
    bad = client.post(reverse("customers:customer_update", args=[row.pk]), {
        "name": row.name, "status": "intent", "amount": "0", "version": 2, "credit_code": "914403001922038217"})
    assert bad.status_code == 400 and Customer.objects.get().credit_code == "914403001922038216"


def test_detail_lists_only_subsidiaries_the_user_may_see(world, client):
    group = create(world.manager, "星河集团")
    create(world.alice, "星河北京", parent=group)
    create(world.bob, "星河广州", parent=group)
    client.force_login(world.manager)
    html = client.get(reverse("customers:customer_detail", args=[group.pk])).content.decode()
    assert "星河北京" in html and "星河广州" in html
    world.alice.roles.add(make_role(grants={"customers.customer": {"read": Scope.ALL}}))
    client.force_login(world.alice)
    html = client.get(reverse("customers:customer_detail", args=[group.pk])).content.decode()
    assert "星河北京" in html and "星河广州" in html  # reads all now
    client.force_login(world.bob)
    assert client.get(reverse("customers:customer_detail", args=[group.pk])).status_code == 404


def test_duplicates_of_a_customer(world, client):
    mine = create(world.alice, "华为技术有限公司")
    create(world.bob, "华为技术股份有限公司")
    client.force_login(world.alice)
    html = client.get(reverse("customers:customer_duplicates_of", args=[mine.pk])).content.decode()
    assert "李强" in html and "华为技术股份" not in html
    client.force_login(world.bob)
    assert client.get(reverse("customers:customer_duplicates_of", args=[mine.pk])).status_code == 404


def test_list_has_the_merge_batch_button_for_those_who_may_delete(world, client):
    create(world.alice, "甲")
    client.force_login(world.alice)
    html = client.get(reverse("customers:customer_list")).content.decode()
    assert f'data-zg-batch-link="{reverse("customers:customer_merge")}"' in html


def test_list_and_api_query_counts_do_not_grow(world, client, django_assert_max_num_queries):
    tag = Tag.objects.create(name="重点")
    category = CustomerCategory.objects.create(name="企业", path="/1/")
    client.force_login(world.alice)
    columns = ["name", "code", "status", "level", "category", "province", "city", "relationship", "size", "owner"]
    from core.models import ColumnPreference

    ColumnPreference.objects.create(user=world.alice, list_key="customers.customer", columns=columns, per_page=50)
    create(world.alice, "第一个", tags=[tag], category=category, district=Region.objects.get(code="110108"))
    client.get(reverse("customers:customer_list"))

    def fresh():  # a user object of its own, as each real request has (the gate caches roles and shares on it)
        return type(world.alice).objects.get(pk=world.alice.pk)

    with django_assert_max_num_queries(60) as few:
        client.get(reverse("customers:customer_list"))
        api(fresh()).get("/api/v1/customers/")
    for i in range(20):
        create(world.alice, f"客户{i}", tags=[tag], category=category, district=Region.objects.get(code="440305"), collaborators=[world.bob])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("customers:customer_list"))
        rows = api(fresh()).get("/api/v1/customers/").json()["results"]
    assert "南山" not in response.content.decode() and len(rows) == 21 and rows[0]["tags"] == [tag.pk]


def test_basedata_page_is_for_administrators(world, admin_user, client):
    url = reverse("customers:customer_basedata")
    client.force_login(world.alice)
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "tag_save", "name": "越权"}).status_code == 403
    assert not Tag.objects.exists()
    client.force_login(admin_user)
    assert client.post(url, {"action": "tag_save", "name": "老客户", "color": "green"}).status_code == 302
    assert client.post(url, {"action": "category_save", "name": "企业"}).status_code == 302
    parent = CustomerCategory.objects.get()
    assert client.post(url, {"action": "category_save", "name": "制造", "parent": parent.pk}).status_code == 302
    html = client.get(url).content.decode()
    assert "老客户" in html and "制造" in html
    assert client.post(url, {"action": "tag_save", "name": ""}).status_code == 400
    assert AuditLog.objects.filter(action="create").count() == 3


def test_new_paths_refuse_users_without_grants(world, client):
    row = create(world.alice, "甲")
    client.force_login(world.nobody)
    for url in (reverse("customers:customer_duplicates"), reverse("customers:customer_merge") + f"?ids={row.pk},{row.pk}"):
        assert client.get(url).status_code in (403, 404)
    assert client.get(reverse("customers:customer_duplicates_of", args=[row.pk])).status_code == 404
    assert api(world.nobody).post(f"/api/v1/customers/{row.pk}/merge/", {"others": [row.pk]}, format="json").status_code == 404
    row.refresh_from_db()
    assert row.version == 1 and row.deleted_at is None
