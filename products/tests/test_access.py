"""Whoever may not read products sees nothing of them and changes nothing, on every path this app adds;
a user with "own" scope sees only their own products."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditLog
from core.testing import full_grants, make_role, make_user
from org.models import Scope
from products.models import PriceLevel, PriceLevelGrant, Product, ProductCategory, ProductPrice, Unit, UnitConversion

from .world import MODULE, coffee, levels_with_prices, outsider, units

pytestmark = pytest.mark.django_db


def _state():
    return (list(Product.all_objects.values_list("pk", "name", "list_price", "version", "deleted_at")),
            list(UnitConversion.objects.values_list("pk", "unit_id", "factor")),
            list(ProductPrice.objects.values_list("pk", "level_id", "price")),
            list(ProductCategory.objects.values_list("pk", "name", "path")), list(Unit.objects.values_list("pk", "name")),
            list(PriceLevel.objects.values_list("pk", "name")), list(PriceLevelGrant.objects.values_list("pk")),
            AuditLog.objects.count())


@pytest.fixture
def world():
    product = coffee()
    levels = levels_with_prices(product)
    category = ProductCategory.objects.create(name="办公耗材", path="")
    category.path = f"/{category.pk}/"
    category.save()
    return product, levels, category


def test_user_without_products_access_sees_nothing_in_pages(world, client):
    product, levels, category = world
    client.force_login(outsider())
    before = _state()
    assert client.get(reverse("products:product_list")).status_code == 403
    assert client.get(reverse("products:product_detail", args=[product.pk])).status_code == 404
    assert client.get(reverse("products:product_update", args=[product.pk])).status_code == 404
    assert client.get(reverse("products:product_create")).status_code == 403
    assert client.get(reverse("products:categories")).status_code == 403
    assert client.get(reverse("products:units")).status_code == 403
    assert client.get(reverse("products:price_levels")).status_code == 403
    posts = [
        (reverse("products:product_update", args=[product.pk]), {"name": "X", "base_unit": product.base_unit_id, "list_price": "1"}),
        (reverse("products:product_delete", args=[product.pk]), {}),
        (reverse("products:product_units", args=[product.pk]), {"action": "save", "unit": units("盒")["盒"].pk, "factor": "6"}),
        (reverse("products:product_units", args=[product.pk]), {"action": "delete", "id": product.conversions.get().pk}),
        (reverse("products:product_prices", args=[product.pk]), {"level": levels["批发价"].pk, "price": "0.01"}),
        (reverse("products:categories"), {"action": "delete", "id": category.pk}),
        (reverse("products:units"), {"action": "save", "name": "吨"}),
        (reverse("products:price_levels"), {"action": "grants", "role": make_role().pk, "levels": [levels["经销商价"].pk]}),
    ]
    for url, data in posts:
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code in (403, 404), url
    assert _state() == before
    menu = client.get(reverse("core:home")).content.decode()
    assert reverse("products:product_list") not in menu


def test_user_without_products_access_sees_nothing_in_the_api(world):
    product, levels, category = world
    api = APIClient()
    api.force_authenticate(outsider())
    before = _state()
    assert api.get("/api/v1/products/").json()["results"] == []
    assert api.get("/api/v1/products/?search=咖啡").json()["results"] == []
    for url in (f"/api/v1/products/{product.pk}/", f"/api/v1/products/{product.pk}/price-check/?price=1",
                f"/api/v1/products/{product.pk}/history/"):
        assert api.get(url).status_code == 404, url
    assert api.patch(f"/api/v1/products/{product.pk}/", {"list_price": "1"}, format="json").status_code == 404
    assert api.delete(f"/api/v1/products/{product.pk}/").status_code == 404
    assert api.post("/api/v1/products/", {"name": "X", "base_unit": product.base_unit_id}, format="json").status_code == 403
    for url in ("/api/v1/product-categories/", "/api/v1/units/", "/api/v1/price-levels/"):
        assert api.get(url).status_code == 403, url
        assert api.post(url, {"name": "X"}, format="json").status_code == 403, url
    assert api.delete(f"/api/v1/product-categories/{category.pk}/").status_code == 403
    assert _state() == before


def test_own_scope_sees_only_own_products():
    role = make_role(grants=full_grants(MODULE, Scope.OWN))
    me, other = make_user(roles=[role]), make_user()
    mine, theirs = coffee(owner=me, code="A1"), coffee(owner=other, code="A2")
    api = APIClient()
    api.force_authenticate(me)
    assert {row["id"] for row in api.get("/api/v1/products/").json()["results"]} == {mine.pk}
    assert api.get(f"/api/v1/products/{theirs.pk}/price-check/?price=1").status_code == 404
    assert api.patch(f"/api/v1/products/{theirs.pk}/", {"list_price": "1"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.list_price == Decimal("4.00")


def test_reader_may_not_change_units_or_prices(world, client):
    product, levels, _category = world
    reader = make_user(roles=[make_role(grants=full_grants(MODULE, Scope.ALL, actions=["read"]))])
    client.force_login(reader)
    before = _state()
    page = client.get(reverse("products:product_detail", args=[product.pk])).content.decode()
    assert "挂耳咖啡" in page and reverse("products:product_prices", args=[product.pk]) not in page
    assert client.post(reverse("products:product_prices", args=[product.pk]),
                       {"level": levels["批发价"].pk, "price": "0.01"}).status_code == 404
    assert _state() == before


def test_hidden_prices_field_hides_level_prices(world, client):
    from org.models import FieldRule

    product, levels, _category = world
    role = make_role(grants=full_grants(MODULE, Scope.ALL))
    FieldRule.objects.create(role=role, module="products.product", field="prices", mode="hidden")
    user = make_user(roles=[role])
    PriceLevelGrant.objects.create(role=role, level=levels["批发价"])
    api = APIClient()
    api.force_authenticate(user)
    assert "prices" not in api.get(f"/api/v1/products/{product.pk}/").json()
    client.force_login(user)
    assert 'data-testid="product-prices"' not in client.get(reverse("products:product_detail", args=[product.pk])).content.decode()


def test_global_search_finds_products_only_for_readers(world):
    from core.search import global_search

    from .world import seller

    assert global_search(outsider(), "gekf") == []
    groups = global_search(seller(), "gekf")
    assert [row.name for group in groups for row in group["rows"]] == ["挂耳咖啡"]


def test_hidden_list_price_is_not_shown_on_the_detail_page(world, client):
    from org.models import FieldRule

    product, _levels, _category = world
    product.list_price = Decimal("4.44")
    product.save()
    role = make_role(grants=full_grants(MODULE, Scope.ALL, actions=["read"]))
    FieldRule.objects.create(role=role, module="products.product", field="list_price", mode="hidden")
    client.force_login(make_user(roles=[role]))
    page = client.get(reverse("products:product_detail", args=[product.pk])).content.decode()
    assert "挂耳咖啡" in page and "4.44" not in page and "106.56" not in page
