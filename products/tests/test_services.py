"""Product services: numbering, bad input changes nothing, units and prices on a product, categories,
units and price levels as basic data kept by administrators."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.models import AuditLog, NumberingRule
from core.testing import make_role, make_user
from products import services
from products.models import PriceLevel, PriceLevelGrant, Product, ProductCategory, ProductPrice, Unit, UnitConversion

from .world import coffee, editor, levels_with_prices, units

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def boss():
    return make_user("boss", superuser=True)


def _data(**extra):
    return {"name": "A4复印纸", "spec": "70g 500张", "base_unit": units("包")["包"], "list_price": D("24.00"), **extra}


def test_codes_come_from_the_numbering_rule_and_never_repeat():
    actor = editor()
    first = services.product_create(actor=actor, data=_data())
    second = services.product_create(actor=actor, data=_data(name="A3复印纸"))
    assert (first.code, second.code) == ("CP00001", "CP00002")
    # A hand-typed code that the rule would hand out next is skipped, not repeated.
    services.product_create(actor=actor, data=_data(code="CP00003"))
    assert services.product_create(actor=actor, data=_data()).code == "CP00004"
    NumberingRule.objects.filter(doc_type="product").update(pattern="SP-{seq:3}")
    assert services.product_create(actor=actor, data=_data()).code.startswith("SP-")


def test_create_is_audited_and_versioned_and_searchable_by_pinyin():
    actor = editor()
    product = services.product_create(actor=actor, data=_data(name="打印机"))
    assert product.version == 1 and product.owner == actor and product.tax_rate == D("13")
    assert AuditLog.objects.filter(object_id=product.pk, action="create").exists()
    assert Product.objects.filter(search_text__contains="dyj").get() == product


@pytest.mark.parametrize(("bad", "field"), [
    ({"list_price": D("-1")}, "list_price"),
    ({"cost_price": D("-0.01")}, "cost_price"),
    ({"tax_rate": D("101")}, "tax_rate"),
    ({"name": ""}, "name"),
    ({"code": "CP-DUP"}, "code"),
])
def test_bad_product_input_is_refused_and_changes_nothing(bad, field):
    actor = editor()
    coffee(code="CP-DUP")
    before = Product.all_objects.count()
    with pytest.raises(ValidationError) as exc:
        services.product_create(actor=actor, data=_data(**bad))
    assert field in exc.value.message_dict
    assert Product.all_objects.count() == before


def test_update_refuses_negative_price_and_keeps_the_row():
    actor = editor()
    product = services.product_create(actor=actor, data=_data())
    with pytest.raises(ValidationError):
        services.product_update(actor=actor, instance=product, data={"list_price": D("-5")})
    product.refresh_from_db()
    assert product.list_price == D("24.00") and product.version == 1


def test_base_unit_cannot_become_a_unit_that_has_a_conversion():
    actor = editor()
    product = coffee(owner=actor)
    with pytest.raises(ValidationError) as exc:
        services.product_update(actor=actor, instance=product, data={"base_unit": units("箱")["箱"]})
    assert "base_unit" in exc.value.message_dict


# ---- conversions and prices on a product ------------------------------------------------------

def test_conversion_add_change_remove():
    actor = editor()
    product = coffee(owner=actor)
    box = units("盒")["盒"]
    row = services.conversion_save(actor=actor, product=product, unit=box, factor="6")
    assert row.factor == D("6")
    services.conversion_save(actor=actor, product=product.pk, unit=box, factor=D("12"))
    assert UnitConversion.objects.get(product=product, unit=box).factor == D("12")
    services.conversion_delete(actor=actor, product=product, conversion_id=row.pk)
    assert not UnitConversion.objects.filter(product=product, unit=box).exists()
    assert AuditLog.objects.filter(object_id=product.pk, changes__has_key="conversion.盒").count() == 3


@pytest.mark.parametrize(("factor", "unit_name", "field"), [
    ("0", "盒", "factor"), ("-3", "盒", "factor"), ("abc", "盒", "factor"), ("1.00001", "盒", "factor"),
    ("12", "袋", "unit"),  # the base unit needs no conversion
])
def test_bad_conversion_is_refused_and_changes_nothing(factor, unit_name, field):
    actor = editor()
    product = coffee(owner=actor)
    before = list(UnitConversion.objects.values_list("unit_id", "factor"))
    with pytest.raises(ValidationError) as exc:
        services.conversion_save(actor=actor, product=product, unit=units(unit_name)[unit_name], factor=factor)
    assert field in exc.value.message_dict
    assert list(UnitConversion.objects.values_list("unit_id", "factor")) == before


def test_price_set_change_and_remove_and_negative_refused():
    actor = editor()
    product = coffee(owner=actor)
    level = PriceLevel.objects.create(name="批发价")
    services.price_set(actor=actor, product=product, level=level, price="3.60")
    services.price_set(actor=actor, product=product, level=level, price="3.50")
    assert ProductPrice.objects.get(product=product, level=level).price == D("3.50")
    for bad in ("-1", "x", "1.234"):
        with pytest.raises(ValidationError):
            services.price_set(actor=actor, product=product, level=level, price=bad)
    assert ProductPrice.objects.get(product=product, level=level).price == D("3.50")
    services.price_set(actor=actor, product=product, level=level, price="")
    assert not ProductPrice.objects.filter(product=product).exists()


def test_units_and_prices_need_update_on_the_product():
    product = coffee()
    level = PriceLevel.objects.create(name="批发价")
    reader = make_user(roles=[make_role(grants={"products.product": {"read": 4}})])
    with pytest.raises(Http404):
        services.price_set(actor=reader, product=product, level=level, price="1")
    with pytest.raises(Http404):
        services.conversion_save(actor=reader, product=product, unit=units("盒")["盒"], factor="6")
    assert not ProductPrice.objects.exists() and UnitConversion.objects.count() == 1


# ---- categories ---------------------------------------------------------------------------------

def test_moving_a_category_reroots_its_subtree(boss):
    office = services.category_save(actor=boss, name="办公设备")
    printers = services.category_save(actor=boss, name="打印复印", parent=office)
    laser = services.category_save(actor=boss, name="激光打印机", parent=printers)
    other = services.category_save(actor=boss, name="耗材")
    assert laser.path == f"/{office.pk}/{printers.pk}/{laser.pk}/" and laser.depth == 2
    services.category_move(actor=boss, instance=printers, parent=other)
    laser.refresh_from_db()
    assert laser.path == f"/{other.pk}/{printers.pk}/{laser.pk}/"
    with pytest.raises(ValidationError):
        services.category_save(actor=boss, instance=printers, name="打印复印", parent=laser)
    printers.refresh_from_db()
    assert printers.parent == other
    services.category_move(actor=boss, instance=printers, parent=None)
    laser.refresh_from_db()
    assert laser.path == f"/{printers.pk}/{laser.pk}/"


def test_category_delete_rules(boss):
    top = services.category_save(actor=boss, name="办公设备")
    child = services.category_save(actor=boss, name="打印复印", parent=top)
    with pytest.raises(ValidationError, match="sub-categories"):
        services.category_delete(actor=boss, instance=top)
    product = coffee(category=child)
    with pytest.raises(ValidationError, match="Products use"):
        services.category_delete(actor=boss, instance=child)
    product.delete()
    services.category_delete(actor=boss, instance=child)
    services.category_delete(actor=boss, instance=top)
    assert not ProductCategory.objects.exists()


def test_basic_data_is_for_administrators_only():
    actor = editor()
    unit = Unit.objects.create(name="台")
    level = PriceLevel.objects.create(name="批发价")
    for call in (lambda: services.category_save(actor=actor, name="X"), lambda: services.unit_save(actor=actor, name="X"),
                 lambda: services.unit_delete(actor=actor, instance=unit), lambda: services.level_save(actor=actor, name="X"),
                 lambda: services.level_grants_set(actor=actor, role=make_role(), levels=[level])):
        with pytest.raises(PermissionDenied):
            call()
    assert not ProductCategory.objects.exists() and Unit.objects.count() == 1 and PriceLevel.objects.count() == 1
    assert not PriceLevelGrant.objects.exists()


def test_units_unique_and_in_use_cannot_be_deleted(boss):
    bag = services.unit_save(actor=boss, name="袋")
    with pytest.raises(ValidationError, match="exists"):
        services.unit_save(actor=boss, name=" 袋 ")
    coffee()
    with pytest.raises(ValidationError, match="deactivate"):
        services.unit_delete(actor=boss, instance=bag)
    assert Unit.objects.filter(name="袋").count() == 1


def test_level_grants_replace_the_roles_set(boss):
    product = coffee()
    levels = levels_with_prices(product)
    role = make_role()
    services.level_grants_set(actor=boss, role=role, levels=[levels["批发价"], levels["经销商价"]])
    services.level_grants_set(actor=boss, role=role, levels=[levels["批发价"].pk])
    assert list(PriceLevelGrant.objects.filter(role=role).values_list("level__name", flat=True)) == ["批发价"]
    with pytest.raises(ValidationError):
        services.level_grants_set(actor=boss, role=role, levels=[999999])
    assert PriceLevelGrant.objects.filter(role=role).count() == 1
    with pytest.raises(ValidationError, match="deactivate"):
        services.level_delete(actor=boss, instance=levels["批发价"])
