"""Builders shared by the products tests: units, a product with conversions, price levels and roles."""

from __future__ import annotations

from decimal import Decimal

from core.testing import full_grants, make_role, make_user
from products.models import PriceLevel, PriceLevelGrant, Product, ProductPrice, Unit, UnitConversion

MODULE = "products.product"


def units(*names: str) -> dict[str, Unit]:
    return {name: Unit.objects.get_or_create(name=name)[0] for name in names}


def coffee(owner=None, **extra) -> Product:
    """挂耳咖啡, counted in 袋 (base), sold also by the 箱 of 24 袋; list price ¥4 per 袋."""
    u = units("袋", "箱", "盒")
    product = Product.objects.create(name="挂耳咖啡", spec="10g/袋", code=extra.pop("code", "CP-T1"), base_unit=u["袋"],
                                     list_price=extra.pop("list_price", Decimal("4.00")), owner=owner,
                                     department=getattr(owner, "department", None), created_by=owner, **extra)
    UnitConversion.objects.create(product=product, unit=u["箱"], factor=Decimal("24"))
    return product


def levels_with_prices(product: Product) -> dict[str, PriceLevel]:
    """零售价 4.00, 批发价 3.60, 经销商价 3.20 per 袋."""
    levels = {}
    for sort, (name, price) in enumerate((("零售价", "4.00"), ("批发价", "3.60"), ("经销商价", "3.20"))):
        levels[name] = PriceLevel.objects.create(name=name, sort=sort)
        ProductPrice.objects.create(product=product, level=levels[name], price=Decimal(price))
    return levels


def seller(*level_objs: PriceLevel, scope=None, **grants):
    """A user whose role reads products company-wide and may quote at the given levels."""
    from org.models import Scope

    role = make_role(grants=grants or full_grants(MODULE, scope or Scope.ALL, actions=["read"]))
    for level in level_objs:
        PriceLevelGrant.objects.create(role=role, level=level)
    return make_user(roles=[role])


def editor(scope=None):
    from org.models import Scope

    return make_user(roles=[make_role(grants=full_grants(MODULE, scope or Scope.ALL))])


def outsider():
    """A user with a role that grants nothing on products."""
    return make_user(roles=[make_role(grants=full_grants("customers.customer"))])
