"""The administrative-division data and the cascading province → city → district selects."""

import pytest
from django.urls import reverse

from customers.models import Customer, Region
from customers.regions import build_rows, load_regions

from .customer_world import api, ensure_regions, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _regions():
    ensure_regions()


def test_the_complete_national_table_is_loaded():
    count = {level: Region.objects.filter(level=level).count() for level in (1, 2, 3)}
    assert count[1] == 34
    # 333 prefecture-level divisions + the 4 municipalities' own city node + county-level cities
    # directly under a province (济源, 仙桃, 五指山, 石河子…) shown as cities.
    assert 360 <= count[2] <= 400 and count[3] >= 2700
    assert Region.objects.get(code="110000").short == "BJ" and Region.objects.get(code="440000").short == "GD"
    haidian = Region.objects.select_related("parent__parent").get(code="110108")
    assert (haidian.name, haidian.parent.name, haidian.parent.parent.name) == ("海淀区", "北京市", "北京市")
    assert Region.objects.get(code="429004").parent_id == "420000"           # 仙桃市, directly under 湖北省
    assert Region.objects.get(code="441900").level == 2                       # 东莞市 has no districts
    assert not Region.objects.filter(level=3).exclude(parent__level=2).exists()
    assert not Region.objects.filter(level=2).exclude(parent__level=1).exists()


def test_loading_again_adds_and_renames_only():
    assert load_regions() == {"added": 0, "updated": 0}
    table = {"110000": "北京市", "110101": "东城区(新)", "110120": "新设区"}
    result = load_regions(table=table)
    assert result == {"added": 1, "updated": 1}
    assert Region.objects.get(code="110120").parent_id == "110100"
    assert Region.objects.get(code="110101").name == "东城区(新)"


def test_chongqing_districts_and_counties_share_one_city():
    rows = build_rows({"500000": "重庆市", "500101": "万州区", "500229": "城口县"})
    assert [(r.code, r.level, r.parent) for r in rows] == [
        ("500000", 1, None), ("500100", 2, "500000"), ("500101", 3, "500100"), ("500229", 3, "500100")]


def test_region_options_endpoint(client):
    world = make_world()
    client.force_login(world.alice)
    url = reverse("customers:customer_region_options")
    html = client.get(url, {"province": "440000"}).content.decode()
    assert 'value="440300"' in html and "深圳市" in html and "hx-swap-oob" in html and "海淀" not in html
    html = client.get(url, {"city": "440300"}).content.decode()
    assert "南山区" in html and "hx-swap-oob" not in html
    client.logout()
    assert client.get(url, {"province": "440000"}).status_code == 302  # login first


def test_form_offers_the_children_of_the_chosen_parent(client):
    world = make_world()
    client.force_login(world.alice)
    html = client.get(reverse("customers:customer_create"), {"province": "440000", "city": "440300"}).content.decode()
    assert "南山区" in html and "深圳市" in html and "海淀区" not in html and 'hx-target="#id_city"' in html
    response = client.post(reverse("customers:customer_create"), {
        "name": "深圳南山公司", "status": "potential", "amount": "0",
        "province": "440000", "city": "440300", "district": "440305"})
    assert response.status_code == 302
    assert Customer.objects.get().district.name == "南山区"


def test_api_refuses_a_broken_region_chain():
    world = make_world()
    response = api(world.alice).post("/api/v1/customers/", {"name": "错地区", "province": "440000", "city": "110100"},
                                     format="json")
    assert response.status_code == 400 and "city" in response.json()["error"]["fields"]
    response = api(world.alice).post("/api/v1/customers/", {"name": "对地区", "district": "440305"}, format="json")
    assert response.status_code == 201
    assert (response.json()["province"], response.json()["city"]) == ("440000", "440300")
