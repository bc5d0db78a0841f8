"""Unit conversions in exact Decimal, and the lowest price a user may quote without approval."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.testing import make_role, make_user
from products import selectors
from products.models import PriceLevelGrant

from .world import coffee, levels_with_prices, seller, units

pytestmark = pytest.mark.django_db
D = Decimal


def test_24_bags_make_one_box_and_back():
    product = coffee()
    u = units("袋", "箱")
    assert selectors.convert_quantity(product, D("24"), u["袋"], u["箱"]) == D("1")
    assert selectors.convert_quantity(product, D("3"), u["箱"], u["袋"]) == D("72")
    assert selectors.convert_quantity(product, D("12"), u["袋"], u["箱"]) == D("0.5")
    # Not even: rounded to 4 places, never a float.
    assert selectors.convert_quantity(product, D("1"), u["袋"], u["箱"]) == D("0.0417")


def test_price_per_box_and_per_bag_convert_exactly():
    product = coffee()
    u = units("袋", "箱")
    assert selectors.convert_price(product, D("4.00"), u["袋"], u["箱"]) == D("96.00")
    assert selectors.convert_price(product, D("240"), u["箱"], u["袋"]) == D("10")
    assert selectors.convert_price(product, D("100"), u["箱"], u["袋"]) == D("4.1667")
    assert selectors.factor(product, None) == 1 and selectors.factor(product, u["袋"]) == 1
    assert selectors.factor(product, u["箱"]) == 24


def test_unit_the_product_is_not_sold_in_is_refused():
    product = coffee()
    with pytest.raises(ValidationError):
        selectors.factor(product, units("盒")["盒"])


def test_price_for_a_level_in_any_unit():
    product = coffee()
    levels = levels_with_prices(product)
    box = units("箱")["箱"]
    assert selectors.price_for(product, levels["批发价"]) == D("3.60")
    assert selectors.price_for(product, levels["批发价"], box) == D("86.40")
    assert selectors.price_for(product, levels["批发价"].pk, box) == D("86.40")


@pytest.mark.parametrize(("granted", "lowest"), [
    ((), "4.00"),                       # no grant: the list price
    (("零售价",), "4.00"),
    (("零售价", "批发价"), "3.60"),
    (("经销商价",), "3.20"),
])
def test_min_allowed_price_follows_the_granted_levels(granted, lowest):
    product = coffee()
    levels = levels_with_prices(product)
    user = seller(*[levels[name] for name in granted])
    assert selectors.min_allowed_price(user, product) == D(lowest)
    assert selectors.min_allowed_price(user, product, units("箱")["箱"]) == D(lowest) * 24
    assert {lv.name for lv in selectors.allowed_levels(user)} == set(granted)


def test_needs_approval_below_the_users_level_only():
    product = coffee()
    levels = levels_with_prices(product)
    rep, manager, nobody = seller(levels["批发价"]), seller(levels["经销商价"]), seller()
    box = units("箱")["箱"]
    assert not selectors.needs_approval(rep, product, None, D("3.60"))
    assert selectors.needs_approval(rep, product, None, D("3.59"))
    assert not selectors.needs_approval(manager, product, None, D("3.20"))
    assert selectors.needs_approval(manager, product, box, D("76.79"))  # 3.20 × 24 = 76.80
    assert not selectors.needs_approval(manager, product, box, D("76.80"))
    assert selectors.needs_approval(nobody, product, None, D("3.99"))
    assert not selectors.needs_approval(nobody, product, None, D("4.00"))


def test_grants_of_any_role_count_and_inactive_levels_do_not():
    product = coffee()
    levels = levels_with_prices(product)
    first, second = make_role(), make_role()
    PriceLevelGrant.objects.create(role=first, level=levels["批发价"])
    PriceLevelGrant.objects.create(role=second, level=levels["经销商价"])
    user = make_user(roles=[first, second])
    assert selectors.min_allowed_price(user, product) == D("3.20")
    levels["经销商价"].active = False
    levels["经销商价"].save()
    assert selectors.min_allowed_price(user, product) == D("3.60")


def test_level_without_a_price_for_the_product_falls_back_to_list_price():
    product = coffee()
    levels = levels_with_prices(product)
    product.prices.filter(level=levels["经销商价"]).delete()
    assert selectors.min_allowed_price(seller(levels["经销商价"]), product) == D("4.00")


def test_a_level_priced_above_the_list_price_does_not_raise_the_limit():
    product = coffee()
    levels = levels_with_prices(product)
    product.prices.filter(level=levels["零售价"]).update(price=D("5.00"))
    assert selectors.min_allowed_price(seller(levels["零售价"]), product) == D("4.00")
