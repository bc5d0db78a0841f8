"""Reads of products and prices. Quotes and contracts call these to price a line and to decide
whether it needs a manager's approval (a price below the user's allowed level).

Prices are stored per base unit; a price per another unit is the base price × the unit's factor
(1 箱 = 24 袋 → per 箱 = 24 × per 袋), which is exact in Decimal. Converting the other way divides,
and is rounded to ``UNIT_PLACES`` only when the division does not come out even.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import access

from .models import PriceLevel, Product, ProductPrice, Unit, UnitConversion

UNIT_PLACES = Decimal("0.0001")  # quantities and unit prices converted by division keep 4 places


def product_list(*, user, action: str = "read") -> QuerySet[Product]:
    return access.visible_to(user, action, Product).select_related("category", "base_unit")


def product_get(*, user, pk, action: str = "read") -> Product:
    return access.get_visible(user, action, Product.objects.select_related("category", "base_unit"), pk=pk)


def units_of(product: Product) -> list[tuple[Unit, Decimal]]:
    """(unit, factor) pairs the product can be counted in, the base unit first."""
    pairs = [(product.base_unit, Decimal("1"))]
    pairs += [(c.unit, c.factor) for c in product.conversions.select_related("unit").order_by("factor", "id")]
    return pairs


def factor(product: Product, unit: Unit | int | None) -> Decimal:
    """Base units in one ``unit`` of the product (1 for the base unit); ValidationError if it has no such unit."""
    unit_id = getattr(unit, "pk", unit)
    if unit_id is None or unit_id == product.base_unit_id:
        return Decimal("1")
    row = UnitConversion.objects.filter(product=product, unit_id=unit_id).only("factor").first()
    if row is None:
        raise ValidationError({"unit": [_("This product is not sold in this unit.")]})
    return row.factor


def _exact_or_rounded(value: Decimal) -> Decimal:
    rounded = value.quantize(UNIT_PLACES, rounding=ROUND_HALF_UP)
    return value if rounded == value else rounded


def convert_quantity(product: Product, quantity: Decimal, from_unit, to_unit) -> Decimal:
    """24 袋 → 1 箱: the same amount of goods counted in another unit."""
    return _exact_or_rounded(Decimal(quantity) * factor(product, from_unit) / factor(product, to_unit))


def convert_price(product: Product, price: Decimal, from_unit, to_unit) -> Decimal:
    """A price per ``from_unit`` as a price per ``to_unit``: ¥240 per 箱 → ¥10 per 袋."""
    return _exact_or_rounded(Decimal(price) * factor(product, to_unit) / factor(product, from_unit))


def allowed_levels(user) -> QuerySet[PriceLevel]:
    """Active price levels granted to any role of the user (all active levels for a superuser)."""
    levels = PriceLevel.objects.filter(active=True)
    if user is None or not user.is_authenticated or not user.is_active:
        return levels.none()
    if user.is_superuser:
        return levels
    return levels.filter(grants__role__users=user).distinct()


def price_for(product: Product, level: PriceLevel | int, unit=None) -> Decimal | None:
    """The product's price at a level per ``unit`` (base unit by default), or None when it has none."""
    row = ProductPrice.objects.filter(product=product, level_id=getattr(level, "pk", level)).only("price").first()
    if row is None:
        return None
    return row.price * factor(product, unit)


def min_allowed_price(user, product: Product, unit=None) -> Decimal:
    """The lowest price per ``unit`` the user may quote without approval: the lowest price among the
    levels their roles may use; the list price is always allowed, and is the limit without grants."""
    prices = list(ProductPrice.objects.filter(product=product, level__in=allowed_levels(user))
                  .values_list("price", flat=True))
    lowest = min([product.list_price, *prices])
    return lowest * factor(product, unit)


def needs_approval(user, product: Product, unit, price: Decimal) -> bool:
    """Whether quoting ``price`` per ``unit`` is below what the user may quote on their own."""
    return Decimal(price) < min_allowed_price(user, product, unit)
