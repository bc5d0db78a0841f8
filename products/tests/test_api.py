"""/api/v1/products/ and the catalogue's basic data endpoints."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.models import AuditLog
from core.testing import make_role, make_user
from products.models import PriceLevel, PriceLevelGrant, Product, ProductCategory, Unit

from .world import coffee, editor, levels_with_prices, seller, units

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_create_numbers_the_product_and_returns_units_and_prices():
    actor = editor()
    bag = units("袋")["袋"]
    response = client_for(actor).post("/api/v1/products/", {"name": "挂耳咖啡", "spec": "10g", "base_unit": bag.pk,
                                                             "list_price": "3.50"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "CP00001" and body["conversions"] == [] and body["prices"] == [] and body["tax_rate"] == "13.00"
    assert response.headers["ETag"] == '"1"'


def test_bad_payload_is_refused_and_changes_nothing():
    actor = editor()
    api = client_for(actor)
    bag = units("袋")["袋"]
    for payload, field in (({"name": "X", "base_unit": bag.pk, "list_price": "-1"}, "list_price"),
                           ({"name": "X", "base_unit": bag.pk, "tax_rate": "120"}, "tax_rate"),
                           ({"name": "X"}, "base_unit")):
        response = api.post("/api/v1/products/", payload, format="json")
        assert response.status_code == 400 and field in response.json()["error"]["fields"], response.content
    assert not Product.all_objects.exists()


def test_detail_nests_conversions_and_prices_and_search_by_initials():
    actor = editor()
    product = coffee(owner=actor)
    levels_with_prices(product)
    api = client_for(actor)
    body = api.get(f"/api/v1/products/{product.pk}/").json()
    assert [(c["unit_name"], c["factor"]) for c in body["conversions"]] == [("箱", "24.0000")]
    assert [(p["level_name"], p["price"]) for p in body["prices"]] == [("零售价", "4.00"), ("批发价", "3.60"), ("经销商价", "3.20")]
    assert [r["id"] for r in api.get("/api/v1/products/?search=gekf").json()["results"]] == [product.pk]
    assert api.get("/api/v1/products/?search=打印").json()["results"] == []


def test_price_check():
    product = coffee()
    levels = levels_with_prices(product)
    api = client_for(seller(levels["批发价"]))
    box = units("箱")["箱"]
    body = api.get(f"/api/v1/products/{product.pk}/price-check/?price=3.59").json()
    assert body == {"unit": product.base_unit_id, "min_allowed_price": "3.6000", "needs_approval": True}
    body = api.get(f"/api/v1/products/{product.pk}/price-check/?price=86.40&unit={box.pk}").json()
    assert body["min_allowed_price"] == "86.4000" and body["needs_approval"] is False
    assert api.get(f"/api/v1/products/{product.pk}/price-check/").status_code == 400
    assert api.get(f"/api/v1/products/{product.pk}/price-check/?price=-1").status_code == 400
    bad_unit = api.get(f"/api/v1/products/{product.pk}/price-check/?price=1&unit={units('盒')['盒'].pk}")
    assert bad_unit.status_code == 400 and "unit" in bad_unit.json()["error"]["fields"]


def test_basic_data_readable_by_product_readers_writable_by_admins():
    product = coffee()
    levels = levels_with_prices(product)
    reader = seller()
    api = client_for(reader)
    assert {u["name"] for u in api.get("/api/v1/units/").json()["results"]} >= {"袋", "箱"}
    assert [lv["name"] for lv in api.get("/api/v1/price-levels/").json()["results"]] == ["零售价", "批发价", "经销商价"]
    assert api.post("/api/v1/units/", {"name": "吨"}, format="json").status_code == 403
    assert api.patch(f"/api/v1/price-levels/{levels['批发价'].pk}/", {"name": "X"}, format="json").status_code == 403
    assert not Unit.objects.filter(name="吨").exists() and PriceLevel.objects.filter(name="批发价").exists()

    admin = client_for(make_user(superuser=True))
    top = admin.post("/api/v1/product-categories/", {"name": "办公设备"}, format="json").json()
    child = admin.post("/api/v1/product-categories/", {"name": "打印复印", "parent": top["id"]}, format="json").json()
    assert child["path"] == f"/{top['id']}/{child['id']}/" and child["depth"] == 1
    other = admin.post("/api/v1/product-categories/", {"name": "耗材"}, format="json").json()
    moved = admin.patch(f"/api/v1/product-categories/{child['id']}/", {"parent": other["id"]}, format="json").json()
    assert moved["path"] == f"/{other['id']}/{child['id']}/" and moved["name"] == "打印复印"
    refused = admin.delete(f"/api/v1/product-categories/{other['id']}/")
    assert refused.status_code == 400 and ProductCategory.objects.count() == 3
    dup = admin.post("/api/v1/units/", {"name": "袋"}, format="json")
    assert dup.status_code == 400 and Unit.objects.filter(name="袋").count() == 1
    role = make_role()
    response = admin.patch(f"/api/v1/price-levels/{levels['经销商价'].pk}/", {"roles": [role.pk]}, format="json")
    assert response.status_code == 200 and response.json()["roles"] == [role.pk]
    assert PriceLevelGrant.objects.filter(role=role, level=levels["经销商价"]).exists()
    assert AuditLog.objects.filter(changes__has_key="roles").exists()


def test_update_with_stale_version_is_refused():
    actor = editor()
    product = coffee(owner=actor)
    api = client_for(actor)
    assert api.patch(f"/api/v1/products/{product.pk}/", {"list_price": "5"}, format="json").status_code == 200
    stale = api.patch(f"/api/v1/products/{product.pk}/", {"list_price": "6"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    product.refresh_from_db()
    assert product.list_price == Decimal("5") and product.version == 2
