"""Writes of products: products themselves (through the generic core services), their unit conversions
and per-level prices (changes of the product, so they need update on it), and the catalogue's basic
data kept by administrators: the category tree, units, price levels and which roles may use them.

Every function is atomic and writes its audit entry; bad input raises ValidationError before anything
is written, so it changes nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from core import access, audit, numbering
from core import services as core_services
from core.audit import Action
from core.basedata import may_manage
from org.models import Role

from .models import PriceLevel, PriceLevelGrant, Product, ProductCategory, ProductPrice, Unit, UnitConversion

MAX_FACTOR = Decimal("9999999999")


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not number.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    return number


# ---- products ------------------------------------------------------------------------------------

def _clean(data: dict, *, current: Product | None) -> None:
    """Check the values being set; raise ValidationError with every problem at once."""
    errors: dict[str, list] = {}

    def changed(name: str) -> bool:
        return name in data and (current is None or data[name] != getattr(current, name))

    for name in ("code", "name", "spec", "model", "brand", "origin", "barcode"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    for name in ("list_price", "cost_price"):
        if data.get(name) is not None and data[name] < 0:
            errors[name] = [_("A price cannot be negative.")]
    if changed("code") and data["code"] and Product.all_objects.filter(code=data["code"]).exclude(
            pk=getattr(current, "pk", None)).exists():
        errors["code"] = [_("This product code is already used.")]
    if changed("category") and data["category"] is not None and not data["category"].active:
        errors["category"] = [_("This category is inactive.")]
    if changed("base_unit") and data["base_unit"] is not None:
        if not data["base_unit"].active:
            errors["base_unit"] = [_("This unit is inactive.")]
        elif current is not None and current.conversions.filter(unit=data["base_unit"]).exists():
            errors["base_unit"] = [_("Remove the conversion of this unit first: the base unit is always 1.")]
    if errors:
        raise ValidationError(errors)


def _number() -> str:
    return numbering.next_code("product", taken=lambda code: Product.all_objects.filter(code=code).exists())


@transaction.atomic
def product_create(*, actor, data: dict, custom: dict | None = None) -> Product:
    access.require(actor, "create", Product)
    data = dict(data)
    _clean(data, current=None)
    if not data.get("code"):
        data["code"] = _number()
    return core_services.create_record(actor=actor, model=Product, data=data, custom=custom)


@transaction.atomic
def product_update(*, actor, instance: Product, data: dict, custom: dict | None = None,
                   expected_version: int | None = None, comment: str = "") -> Product:
    data = dict(data)
    # Read under the lock through the gate: the rules compare against the stored row.
    current = access.get_visible(actor, "update", Product.objects.select_for_update(of=("self",)), pk=instance.pk)
    if expected_version is not None and int(expected_version) != current.version:
        raise core_services.StaleVersion(current.version)
    if "code" in data and not data["code"]:
        data.pop("code")  # a code is never cleared; leaving the box empty keeps it
    _clean(data, current=current)
    return core_services.update_record(actor=actor, instance=current, data=data, custom=custom,
                                       expected_version=expected_version, comment=comment)


def product_delete(*, actor, instance: Product, reason: str = "") -> Product:
    """To the recycle bin, unless a registered delete blocker refuses (quotes, contracts …)."""
    return core_services.delete_record(actor=actor, instance=instance, reason=reason)


def _product_for_change(actor, product: Product | int) -> Product:
    """The product locked for a change of its units or prices: needs update on it (404 outside scope)."""
    return access.get_visible(actor, "update", Product.objects.select_for_update(of=("self",)),
                              pk=getattr(product, "pk", product))


def _require_field(actor, name: str) -> None:
    if name in access.readonly_fields(actor, Product):
        raise PermissionDenied(_("You may not change the field %(field)s.") % {"field": name})


# ---- unit conversions --------------------------------------------------------------------------

@transaction.atomic
def conversion_save(*, actor, product: Product | int, unit: Unit, factor) -> UnitConversion:
    """Set how many base units one ``unit`` of the product holds (adds or changes the conversion)."""
    locked = _product_for_change(actor, product)
    _require_field(actor, "base_unit")
    number = _decimal(factor, "factor")
    errors = {}
    if number <= 0:
        errors["factor"] = [_("The factor must be greater than zero.")]
    elif number > MAX_FACTOR or number != number.quantize(Decimal("0.0001")):
        errors["factor"] = [_("Use at most 10 digits before and 4 after the decimal point.")]
    if unit.pk == locked.base_unit_id:
        errors["unit"] = [_("The base unit needs no conversion: its factor is always 1.")]
    elif not unit.active and not locked.conversions.filter(unit=unit).exists():
        errors["unit"] = [_("This unit is inactive.")]
    if errors:
        raise ValidationError(errors)
    row = UnitConversion.objects.filter(product=locked, unit=unit).first()
    old = str(row.factor) if row else None
    if row is None:
        row = UnitConversion.objects.create(product=locked, unit=unit, factor=number)
    elif row.factor != number:
        row.factor = number
        row.save(update_fields=["factor"])
    if old != str(row.factor):
        audit.log(actor=actor, action=Action.UPDATE, instance=locked,
                  changes={f"conversion.{unit.name}": [old, str(row.factor)]})
    return row


@transaction.atomic
def conversion_delete(*, actor, product: Product | int, conversion_id: int) -> None:
    locked = _product_for_change(actor, product)
    _require_field(actor, "base_unit")
    row = UnitConversion.objects.filter(product=locked, pk=conversion_id).select_related("unit").first()
    if row is None:
        raise ValidationError(_("This product has no such conversion."))
    audit.log(actor=actor, action=Action.UPDATE, instance=locked,
              changes={f"conversion.{row.unit.name}": [str(row.factor), None]})
    row.delete()


# ---- prices per level ----------------------------------------------------------------------------

@transaction.atomic
def price_set(*, actor, product: Product | int, level: PriceLevel, price) -> ProductPrice | None:
    """Set the product's price (per base unit) at a level; an empty price removes it."""
    locked = _product_for_change(actor, product)
    _require_field(actor, "prices")
    row = ProductPrice.objects.filter(product=locked, level=level).first()
    old = str(row.price) if row else None
    if price is None or (isinstance(price, str) and not price.strip()):
        if row is not None:
            row.delete()
            audit.log(actor=actor, action=Action.UPDATE, instance=locked, changes={f"price.{level.name}": [old, None]})
        return None
    number = _decimal(price, "price")
    if number < 0:
        raise ValidationError({"price": [_("A price cannot be negative.")]})
    if number != number.quantize(Decimal("0.01")) or number >= Decimal("1e14"):
        raise ValidationError({"price": [_("Use at most 14 digits before and 2 after the decimal point.")]})
    if row is None:
        if not level.active:
            raise ValidationError({"level": [_("This price level is inactive.")]})
        row = ProductPrice.objects.create(product=locked, level=level, price=number)
    elif row.price != number:
        row.price = number
        row.save(update_fields=["price"])
    if old != str(row.price):
        audit.log(actor=actor, action=Action.UPDATE, instance=locked, changes={f"price.{level.name}": [old, str(row.price)]})
    return row


# ---- basic data of the catalogue (administrators) -----------------------------------------------

def _require_manager(actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("Only administrators may change basic data."))


def _name(name: str, max_length: int) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})
    if len(name) > max_length:
        raise ValidationError({"name": [_("The name is too long (at most %(n)s characters).") % {"n": max_length}]})
    return name


def _saved(actor, instance, before: dict, creating: bool) -> None:
    changes = audit.diff(before, audit.snapshot(instance))
    if creating or changes:
        audit.log(actor=actor, action=Action.CREATE if creating else Action.UPDATE, instance=instance, changes=changes)


@transaction.atomic
def category_save(*, actor, name: str, parent: ProductCategory | None = None, sort: int = 0, active: bool = True,
                  instance: ProductCategory | None = None) -> ProductCategory:
    """Create or change a category; moving it moves its whole subtree (paths rewritten)."""
    _require_manager(actor)
    name = _name(name, 60)
    if instance is not None:
        instance = ProductCategory.objects.select_for_update().get(pk=instance.pk)
        if parent is not None and parent.path.startswith(instance.path):
            raise ValidationError({"parent": [_("A category cannot be moved under itself.")]})
    if ProductCategory.objects.filter(name=name, parent=parent).exclude(pk=getattr(instance, "pk", None)).exists():
        raise ValidationError({"name": [_("This category already has a sub-category with this name.")]})
    category = instance or ProductCategory()
    before = audit.snapshot(category) if instance else {}
    old_path = category.path
    category.name, category.parent, category.sort, category.active = name, parent, max(int(sort), 0), active
    category.save()
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.save(update_fields=["path"])
    if old_path and old_path != category.path:
        ProductCategory.objects.filter(path__startswith=old_path).exclude(pk=category.pk).update(
            path=Concat(Value(category.path), Substr(F("path"), len(old_path) + 1)))
    _saved(actor, category, before, instance is None)
    return category


def category_move(*, actor, instance: ProductCategory, parent: ProductCategory | None) -> ProductCategory:
    """Put a category (with its whole subtree) under another parent, or at the top with None."""
    return category_save(actor=actor, instance=instance, name=instance.name, parent=parent, sort=instance.sort,
                         active=instance.active)


@transaction.atomic
def category_delete(*, actor, instance: ProductCategory) -> None:
    _require_manager(actor)
    if instance.children.exists():
        raise ValidationError(_("Delete or move its sub-categories first."))
    if Product.all_objects.filter(category=instance).exists():
        raise ValidationError(_("Products use this category; deactivate it instead."))
    audit.log(actor=actor, action=Action.DELETE, instance=instance, changes={"snapshot": audit.snapshot(instance)})
    instance.delete()


@transaction.atomic
def unit_save(*, actor, name: str, active: bool = True, instance: Unit | None = None) -> Unit:
    _require_manager(actor)
    name = _name(name, 20)
    if Unit.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        raise ValidationError({"name": [_("A unit with this name exists.")]})
    unit = instance or Unit(sort=(Unit.objects.aggregate(m=Max("sort"))["m"] or 0) + 10)
    before = audit.snapshot(unit) if instance else {}
    unit.name, unit.active = name, active
    unit.save()
    _saved(actor, unit, before, instance is None)
    return unit


def unit_in_use(unit: Unit) -> bool:
    return (Product.all_objects.filter(base_unit=unit).exists()
            or UnitConversion.objects.filter(unit=unit).exists())


@transaction.atomic
def unit_delete(*, actor, instance: Unit) -> None:
    _require_manager(actor)
    if unit_in_use(instance):
        raise ValidationError(_("Products use this unit; deactivate it instead."))
    audit.log(actor=actor, action=Action.DELETE, instance=instance, changes={"snapshot": audit.snapshot(instance)})
    instance.delete()


@transaction.atomic
def level_save(*, actor, name: str, sort: int | None = None, active: bool = True,
               instance: PriceLevel | None = None) -> PriceLevel:
    _require_manager(actor)
    name = _name(name, 40)
    if PriceLevel.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        raise ValidationError({"name": [_("A price level with this name exists.")]})
    level = instance or PriceLevel()
    before = audit.snapshot(level) if instance else {}
    if sort is None and instance is None:
        sort = (PriceLevel.objects.aggregate(m=Max("sort"))["m"] or 0) + 10
    level.name, level.active = name, active
    if sort is not None:
        level.sort = max(int(sort), 0)
    level.save()
    _saved(actor, level, before, instance is None)
    return level


@transaction.atomic
def level_delete(*, actor, instance: PriceLevel) -> None:
    _require_manager(actor)
    if ProductPrice.objects.filter(level=instance).exists():
        raise ValidationError(_("Products have prices at this level; deactivate it instead."))
    audit.log(actor=actor, action=Action.DELETE, instance=instance, changes={"snapshot": audit.snapshot(instance)})
    instance.delete()


@transaction.atomic
def level_grants_set(*, actor, role: Role, levels) -> list[int]:
    """Which price levels the role's users may quote at; replaces the role's previous set. Returns level ids."""
    _require_manager(actor)
    wanted = sorted({getattr(level, "pk", level) for level in levels})
    if PriceLevel.objects.filter(pk__in=wanted).count() != len(wanted):
        raise ValidationError({"levels": [_("Unknown price level.")]})
    old = sorted(PriceLevelGrant.objects.filter(role=role).values_list("level_id", flat=True))
    if old != wanted:
        PriceLevelGrant.objects.filter(role=role).exclude(level_id__in=wanted).delete()
        PriceLevelGrant.objects.bulk_create([PriceLevelGrant(role=role, level_id=pk) for pk in wanted if pk not in old])
        audit.log(actor=actor, action=Action.UPDATE, instance=role, changes={"price_levels": [old, wanted]})
    return wanted


@transaction.atomic
def level_roles_set(*, actor, level: PriceLevel, roles) -> list[int]:
    """The roles whose users may quote at ``level``; replaces the level's previous set. Returns role ids."""
    _require_manager(actor)
    wanted = sorted({getattr(role, "pk", role) for role in roles})
    if Role.objects.filter(pk__in=wanted).count() != len(wanted):
        raise ValidationError({"roles": [_("Unknown role.")]})
    old = sorted(PriceLevelGrant.objects.filter(level=level).values_list("role_id", flat=True))
    if old != wanted:
        PriceLevelGrant.objects.filter(level=level).exclude(role_id__in=wanted).delete()
        PriceLevelGrant.objects.bulk_create([PriceLevelGrant(role_id=pk, level=level) for pk in wanted if pk not in old])
        audit.log(actor=actor, action=Action.UPDATE, instance=level, changes={"roles": [old, wanted]})
    return wanted
