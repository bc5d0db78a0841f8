"""Product pages: list, create, detail with inline unit and price editing, the basic data pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.testing import make_user
from products.models import PriceLevel, PriceLevelGrant, Product, ProductCategory, ProductPrice, Unit, UnitConversion

from .world import coffee, editor, levels_with_prices, seller, units

pytestmark = pytest.mark.django_db


def test_list_shows_category_spec_unit_and_price_and_searches_pinyin(client):
    actor = editor()
    category = ProductCategory.objects.create(name="办公耗材", path="/1/")
    coffee(owner=actor, category=category)
    client.force_login(actor)
    page = client.get(reverse("products:product_list")).content.decode()
    for text in ("挂耳咖啡", "10g/袋", "办公耗材", "袋", "4.00"):
        assert text in page
    assert "挂耳咖啡" in client.get(reverse("products:product_list") + "?q=gekf").content.decode()
    assert "挂耳咖啡" not in client.get(reverse("products:product_list") + "?q=dayinji").content.decode()


def test_create_page_numbers_and_refuses_negative_price(client):
    actor = editor()
    bag = units("袋")["袋"]
    client.force_login(actor)
    bad = client.post(reverse("products:product_create"), {"name": "X", "base_unit": bag.pk, "list_price": "-1",
                                                           "tax_rate": "13", "status": "active"})
    assert bad.status_code == 400 and not Product.objects.exists()
    response = client.post(reverse("products:product_create"), {"name": "挂耳咖啡", "base_unit": bag.pk,
                                                                "list_price": "4", "tax_rate": "13", "status": "active"})
    product = Product.objects.get()
    assert response.status_code == 302 and product.code == "CP00001"


def test_detail_inline_units_and_prices(client):
    actor = editor()
    product = coffee(owner=actor)
    levels = levels_with_prices(product)
    PriceLevelGrant.objects.create(role=actor.roles.get(), level=levels["批发价"])
    client.force_login(actor)
    page = client.get(reverse("products:product_detail", args=[product.pk])).content.decode()
    assert "1 箱 =" in page and "3.60" in page and "You may quote down to 3.60 per 袋" in page

    units_url = reverse("products:product_units", args=[product.pk])
    fragment = client.post(units_url, {"action": "save", "unit": units("盒")["盒"].pk, "factor": "6"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "1 盒 =" in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert UnitConversion.objects.get(product=product, unit__name="盒").factor == Decimal("6")
    zero = client.post(units_url, {"action": "save", "unit": units("箱")["箱"].pk, "factor": "0"}, HTTP_HX_REQUEST="true")
    assert "greater than zero" in zero.content.decode()
    assert UnitConversion.objects.get(product=product, unit__name="箱").factor == Decimal("24")

    prices_url = reverse("products:product_prices", args=[product.pk])
    fragment = client.post(prices_url, {"level": levels["经销商价"].pk, "price": "3.10"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "3.10" in fragment.content.decode()
    negative = client.post(prices_url, {"level": levels["经销商价"].pk, "price": "-3"}, HTTP_HX_REQUEST="true")
    assert "cannot be negative" in negative.content.decode()
    assert ProductPrice.objects.get(product=product, level=levels["经销商价"]).price == Decimal("3.10")
    # Without HTMX the page is reloaded.
    assert client.post(prices_url, {"level": levels["零售价"].pk, "price": "4.20"}).status_code == 302


def test_basic_data_pages_for_admins(admin_user, client):
    client.force_login(admin_user)
    assert client.post(reverse("products:units"), {"action": "save", "name": "箱"}).status_code == 302
    dup = client.post(reverse("products:units"), {"action": "save", "name": "箱"})
    assert dup.status_code == 400 and "exists" in dup.content.decode() and Unit.objects.count() == 1
    client.post(reverse("products:categories"), {"action": "save", "name": "办公设备"})
    top = ProductCategory.objects.get()
    client.post(reverse("products:categories"), {"action": "save", "name": "打印复印", "parent": top.pk})
    refused = client.post(reverse("products:categories"), {"action": "delete", "id": top.pk})
    assert refused.status_code == 400 and ProductCategory.objects.count() == 2
    client.post(reverse("products:price_levels"), {"action": "save", "name": "批发价"})
    level = PriceLevel.objects.get()
    role = seller().roles.get()
    client.post(reverse("products:price_levels"), {"action": "grants", "role": role.pk, "levels": [level.pk]})
    assert PriceLevelGrant.objects.filter(role=role, level=level).exists()
    page = client.get(reverse("products:price_levels")).content.decode()
    assert role.name in page and "批发价" in page
    for name in ("products:categories", "products:units", "products:product_list"):
        assert client.get(reverse(name)).status_code == 200


def test_reader_sees_category_tree_but_not_admin_pages(client):
    reader = seller()
    ProductCategory.objects.create(name="办公设备", path="/1/")
    client.force_login(reader)
    page = client.get(reverse("products:categories"))
    assert page.status_code == 200 and "办公设备" in page.content.decode() and 'name="action"' not in page.content.decode()
    assert client.post(reverse("products:categories"), {"action": "save", "name": "X"}).status_code == 403
    assert client.get(reverse("products:units")).status_code == 403
    assert ProductCategory.objects.count() == 1
    nobody = make_user()
    client.force_login(nobody)
    assert client.get(reverse("products:categories")).status_code == 403


def test_image_upload_checked_and_shown(client, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    actor = editor()
    product = coffee(owner=actor)
    client.force_login(actor)
    url = reverse("products:product_update", args=[product.pk])
    data = {"name": product.name, "code": product.code, "base_unit": product.base_unit_id, "list_price": "4",
            "tax_rate": "13", "status": "active", "version": product.version}
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    assert client.post(url, {**data, "image": fake}).status_code == 400
    product.refresh_from_db()
    assert not product.image and product.version == 1
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    upload = SimpleUploadedFile("咖啡.png", buffer.getvalue(), content_type="image/png")
    assert client.post(url, {**data, "image": upload}).status_code == 302
    product.refresh_from_db()
    assert product.image.name.startswith("products/") and product.image.name.endswith(".png")
    assert 'data-testid="product-image"' in client.get(reverse("products:product_detail", args=[product.pk])).content.decode()


def test_list_and_api_query_counts_do_not_grow(client, django_assert_max_num_queries):
    from rest_framework.test import APIClient

    actor = editor()
    category = ProductCategory.objects.create(name="办公耗材", path="/1/")
    levels = levels_with_prices(coffee(owner=actor, category=category, code="Q0"))
    api = APIClient()
    api.force_authenticate(actor)
    client.force_login(actor)
    client.get(reverse("products:product_list"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("products:product_list"))
        api.get("/api/v1/products/")
    for i in range(15):
        product = coffee(owner=actor, category=category, code=f"Q{i + 1}")
        ProductPrice.objects.create(product=product, level=levels["批发价"], price=Decimal("3"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("products:product_list"))
        rows = api.get("/api/v1/products/").json()["results"]
    assert page.content.decode().count("挂耳咖啡") >= 16 and len(rows) == 16 and rows[-1]["conversions"]
