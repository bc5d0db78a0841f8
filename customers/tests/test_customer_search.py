"""Pinyin search on stored keys: list page, API ?search=, global search — always through the gate."""

import pytest
from django.urls import reverse

from core.search import global_search
from customers.models import Contact, Customer
from customers.search import pinyin_keys, rebuild_search_keys, refresh_search_keys
from customers.ui import CustomerUI
from org.models import FieldRule

from .customer_world import MODULE, api, create, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def found(user, term) -> set[str]:
    return set(CustomerUI.search(CustomerUI.queryset(user), term, user=user).values_list("name", flat=True))


def test_pinyin_keys():
    assert pinyin_keys("北京科技有限公司") == ("beijingkejiyouxiangongsi", "bjkjyxgs")
    assert pinyin_keys("重庆长安汽车") == ("chongqingchanganqiche", "cqcaqc")
    assert pinyin_keys("ABC科技") == ("abckeji", "abckj")
    assert pinyin_keys("IBM") == ("", "")


def test_pinyin_initials_full_pinyin_code_and_phone(world):
    create(world.alice, "北京科技有限公司", short_name="京科", phone="010-62345678")
    create(world.alice, "上海贸易有限公司", phone="13800138000")
    assert found(world.alice, "bjkj") == {"北京科技有限公司"}
    assert found(world.alice, "BeiJing") == {"北京科技有限公司"}
    assert found(world.alice, "jk") == {"北京科技有限公司"}           # short name initials
    assert found(world.alice, "科技") == {"北京科技有限公司"}
    assert found(world.alice, "138-0013") == {"上海贸易有限公司"}
    assert found(world.alice, "010-6234") == {"北京科技有限公司"}
    code = Customer.objects.get(name="上海贸易有限公司").code
    assert found(world.alice, code.lower()) == {"上海贸易有限公司"}


def test_rows_written_in_bulk_have_keys_too(world):
    Customer.objects.bulk_create([Customer(name="广州物流", owner=world.alice, department=world.north)])
    assert found(world.alice, "gzwl") == {"广州物流"}


def test_contact_names_and_mobiles_after_refresh(world):
    row = create(world.alice, "深圳电子")
    Contact.objects.create(customer=row, name="张伟", mobile="139 1234 5678", owner=world.alice, department=world.north)
    refresh_search_keys(row)
    assert found(world.alice, "zw") == {"深圳电子"}
    assert found(world.alice, "张伟") == {"深圳电子"}
    assert found(world.alice, "13912345678") == {"深圳电子"}
    Customer.all_objects.filter(pk=row.pk).update(search_text="", contact_search="")
    assert rebuild_search_keys() == 1
    assert found(world.alice, "zw") == {"深圳电子"} and found(world.alice, "szdz") == {"深圳电子"}


def test_search_never_crosses_the_gate(world, client):
    create(world.alice, "北京科技有限公司")
    create(world.bob, "北京矿业集团")
    assert found(world.alice, "bjk") == {"北京科技有限公司"}
    assert found(world.bob, "bjk") == {"北京矿业集团"}
    assert found(world.manager, "bjk") == {"北京科技有限公司", "北京矿业集团"}
    assert found(world.nobody, "bjk") == set()
    # The list page, the API and the global search box all use the same search.
    client.force_login(world.alice)
    html = client.get(reverse("customers:customer_list"), {"q": "bjk"}).content.decode()
    assert "北京科技有限公司" in html and "北京矿业集团" not in html
    rows = api(world.alice).get("/api/v1/customers/", {"search": "bjk"}).json()["results"]
    assert [r["name"] for r in rows] == ["北京科技有限公司"]
    groups = global_search(world.alice, "bjk")
    assert [str(r) for g in groups for r in g["rows"]] == ["北京科技有限公司"]
    assert api(world.nobody).get("/api/v1/customers/", {"search": "bjk"}).json()["results"] == []


def test_hidden_fields_are_not_searchable(world):
    create(world.alice, "杭州云栖科技", phone="13800138000")
    FieldRule.objects.create(role=world.alice.roles.get(), module=MODULE, field="phone", mode="hidden")
    alice = type(world.alice).objects.get(pk=world.alice.pk)
    assert found(alice, "13800138000") == set()       # a hidden phone cannot be probed
    assert found(alice, "hzyq") == {"杭州云栖科技"}     # pinyin still works on the visible name
    FieldRule.objects.create(role=world.alice.roles.get(), module=MODULE, field="code", mode="hidden")
    alice = type(world.alice).objects.get(pk=world.alice.pk)
    code = Customer.objects.get().code
    assert found(alice, code) == set()               # keys holding a hidden value are not used
    assert found(alice, "云栖") == {"杭州云栖科技"}
