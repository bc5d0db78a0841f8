"""Duplicate check: exact credit code / phone refused, similar names need confirming, nothing leaks."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from customers import dedup, services
from customers.models import Customer

from .customer_world import api, create, make_world

pytestmark = pytest.mark.django_db
HUAWEI = "914403001922038216"


@pytest.fixture
def world():
    return make_world()


@pytest.mark.parametrize("name, key", [
    ("华为技术有限公司", "华为技术"),
    ("华为技术股份有限公司", "华为技术"),
    ("深圳市华为技术有限责任公司", "华为技术"),
    ("华为技术（中国）有限公司", "华为技术"),
    ("北京华为技术集团", "华为技术"),
    ("ＡＢＣ  Trading Co., Ltd.", "abctrading"),
    ("北京科技", "科技"),      # the region is kept aside: 上海科技 is another company
    ("北京科", "北京科"),      # a region word that would leave too little stays
])
def test_name_core(name, key):
    assert dedup.name_key(name) == key


def test_exact_duplicates_are_refused_even_when_owned_by_someone_else(world):
    create(world.bob, "华为技术有限公司", credit_code=HUAWEI, phone="13800138000")
    for data in ({"credit_code": HUAWEI.lower()}, {"phone": "+86 138 0013 8000"}):
        with pytest.raises(ValidationError) as info:
            services.customer_create(actor=world.alice, data={"name": "完全不同的名字", **data}, confirm_duplicates=True)
        message = " ".join(sum(info.value.message_dict.values(), []))
        assert "李强" in message and "华为" not in message  # who owns it, not what it is
    assert Customer.all_objects.count() == 1


def test_similar_name_needs_confirmation(world):
    create(world.bob, "华为技术有限公司")
    with pytest.raises(services.DuplicateFound) as info:
        services.customer_create(actor=world.alice, data={"name": "北京华为技术股份有限公司"})
    assert [m.kind for m in info.value.matches] == ["name"] and not info.value.matches[0].visible
    assert Customer.all_objects.count() == 1
    services.customer_create(actor=world.alice, data={"name": "北京华为技术股份有限公司"}, confirm_duplicates=True)
    assert Customer.all_objects.count() == 2


def test_same_words_in_different_regions_are_not_duplicates(world):
    create(world.alice, "北京星河电子科技发展有限公司")
    assert dedup.find_duplicates(user=world.alice, name="上海星河电子科技发展有限公司") == []
    assert [m.kind for m in dedup.find_duplicates(user=world.alice, name="星河电子科技发展股份公司")] == ["name"]
    typo = dedup.find_duplicates(user=world.alice, name="北京星河电子科枝发展有限公司")
    assert [m.kind for m in typo] == ["name"] and 85 <= typo[0].score < 100
    assert dedup.find_duplicates(user=world.alice, name="北京银河通信设备有限公司") == []


def test_update_refuses_taking_another_customers_phone(world):
    create(world.bob, "南区客户", phone="13800138000")
    mine = create(world.alice, "北区客户")
    with pytest.raises(ValidationError):
        services.customer_update(actor=world.alice, instance=mine, data={"phone": "13800138000"})
    mine.refresh_from_db()
    assert mine.phone == "" and mine.version == 1
    assert services.customer_update(actor=world.alice, instance=mine, data={"name": "北区客户二"}).version == 2


def test_readable_matches_show_details_others_only_the_owner(world):
    mine = create(world.alice, "星河电子有限公司", phone="13900001111")
    theirs = create(world.bob, "星河电子股份有限公司", phone="13900002222", credit_code=HUAWEI)
    result = {m.customer_id: m.as_dict() for m in dedup.find_duplicates(user=world.alice, name="星河电子", phone="13900002222",
                                                                       credit_code=HUAWEI)}
    assert result[mine.pk]["name"] == "星河电子有限公司" and result[mine.pk]["id"] == mine.pk
    hidden = result[theirs.pk]
    assert hidden == {"kind": "credit_code", "exact": True, "visible": False, "owner": "李强", "message": hidden["message"]}
    assert "星河" not in hidden["message"] and "13900002222" not in str(hidden)
    manager = {m.customer_id: m.as_dict() for m in dedup.find_duplicates(user=world.manager, name="星河电子")}
    assert manager[theirs.pk]["visible"] and manager[mine.pk]["visible"]


def test_live_check_fragment_and_api_do_not_leak(world, client):
    create(world.bob, "星河电子股份有限公司", phone="13900002222")
    client.force_login(world.alice)
    html = client.get(reverse("customers:customer_duplicates"), {"name": "星河电子", "phone": "139 0000 2222"}).content.decode()
    assert "李强" in html and "星河电子股份" not in html and 'data-testid="duplicate"' in html
    body = api(world.alice).get("/api/v1/customers/duplicates/", {"name": "星河电子", "phone": "13900002222"}).json()
    assert [(r["kind"], r["visible"], r["owner"]) for r in body["results"]] == [("phone", False, "李强")]
    assert "星河电子股份" not in str(body)
    assert set(body["results"][0]) == {"kind", "exact", "visible", "owner", "message"}
    manager = api(world.manager).get("/api/v1/customers/duplicates/", {"phone": "13900002222"}).json()
    assert manager["results"][0]["name"] == "星河电子股份有限公司"


def test_duplicate_check_needs_a_customer_permission(world, client):
    create(world.bob, "星河电子股份有限公司")
    assert api(world.nobody).get("/api/v1/customers/duplicates/", {"name": "星河电子"}).status_code == 403
    client.force_login(world.nobody)
    assert client.get(reverse("customers:customer_duplicates"), {"name": "星河电子"}).status_code == 403
    # The "exclude" parameter does not confirm that some record exists.
    other = Customer.objects.get()
    client.force_login(world.alice)
    assert client.get(reverse("customers:customer_duplicates"), {"exclude": other.pk}).status_code == 404
    assert api(world.alice).get("/api/v1/customers/duplicates/", {"exclude": other.pk}).status_code == 404


def test_create_page_shows_similar_customers_and_saves_after_confirming(world, client):
    create(world.bob, "华为技术有限公司")
    client.force_login(world.alice)
    url = reverse("customers:customer_create")
    response = client.post(url, {"name": "华为技术股份有限公司", "status": "potential", "amount": "0"})
    assert response.status_code == 400 and "confirm_duplicates" in response.content.decode()
    assert Customer.all_objects.count() == 1
    response = client.post(url, {"name": "华为技术股份有限公司", "status": "potential", "amount": "0", "confirm_duplicates": "on"})
    assert response.status_code == 302 and Customer.all_objects.count() == 2


def test_api_create_refuses_exact_and_asks_to_confirm_similar(world):
    create(world.bob, "华为技术有限公司", credit_code=HUAWEI)
    client = api(world.alice)
    response = client.post("/api/v1/customers/", {"name": "另一个名字", "credit_code": HUAWEI}, format="json")
    assert response.status_code == 400 and "credit_code" in response.json()["error"]["fields"]
    response = client.post("/api/v1/customers/", {"name": "华为技术股份公司"}, format="json")
    assert response.status_code == 400 and "name" in response.json()["error"]["fields"]
    response = client.post("/api/v1/customers/", {"name": "华为技术股份公司", "confirm_duplicates": True}, format="json")
    assert response.status_code == 201 and "confirm_duplicates" not in response.json()
    assert Customer.all_objects.count() == 2


def _strip_suffixes_plainly(text: str) -> str:
    """The suffix rule as first written: every suffix tried, longest first, until none fits."""
    stripped = True
    while stripped:
        stripped = False
        for suffix in dedup.COMPANY_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                stripped = True
                break
    return text


@given(st.lists(st.sampled_from([*dedup.COMPANY_SUFFIXES, "华为", "星辰", "科技", "a", "司", "团", "d"]),
                max_size=6).map("".join))
@settings(max_examples=300, deadline=None)
def test_name_cores_strip_suffixes_as_the_plain_rule_does(name):
    """analyse looks only at the suffixes that end in the name's last character: the same cores as
    trying them all (stored name keys must not change)."""
    text = dedup._PUNCT_RE.sub("", name.lower())  # as analyse cleans the name first
    expected, _regions = dedup._split_regions(_strip_suffixes_plainly(text))
    assert dedup.analyse(name)[0] == expected
