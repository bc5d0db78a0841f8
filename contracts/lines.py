"""Product lines, totals and the payment plan: one implementation for contracts and orders.

Unit prices include tax (as Chinese invoices quote them); a line amount is quantity × price less the
discount, rounded half up to the cent; the document amount is the sum of its line amounts.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import access
from products.models import Product
from products.selectors import factor

from .models import DocumentLine, PlanPeriod

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def to_decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number


def line_amount(quantity: Decimal, price: Decimal, discount: Decimal = Decimal("0")) -> Decimal:
    gross = Decimal(quantity) * Decimal(price) * (HUNDRED - Decimal(discount)) / HUNDRED
    return gross.quantize(CENT, rounding=ROUND_HALF_UP)


def parent_kwargs(document) -> dict:
    return {document._meta.model_name: document}


def clean_lines(actor, rows: list[dict]) -> list[dict]:
    """Check and price the lines; raises ValidationError naming the line, changes nothing."""
    products = access.visible_to(actor, "read", Product)
    cleaned = []
    for number, row in enumerate(rows, start=1):
        try:
            product = row.get("product")
            product_id = getattr(product, "pk", product)
            product = products.select_related("base_unit").filter(pk=product_id).first() if product_id else None
            if product is None:
                raise ValidationError({"product": _("Choose a product you may see.")})
            unit = row.get("unit") or product.base_unit
            units_factor = factor(product, unit)
            quantity = to_decimal(row.get("quantity"), "quantity")
            if quantity <= 0:
                raise ValidationError({"quantity": _("The quantity must be more than zero.")})
            price = row.get("price")
            price = product.list_price * units_factor if price in (None, "") else to_decimal(price, "price")
            if price < 0:
                raise ValidationError({"price": _("The price cannot be negative.")})
            discount = to_decimal(row.get("discount") or 0, "discount")
            if not 0 <= discount <= 100:
                raise ValidationError({"discount": _("The discount is a percentage from 0 to 100.")})
            tax = row.get("tax_rate")
            tax = product.tax_rate if tax in (None, "") else to_decimal(tax, "tax_rate")
            if not 0 <= tax <= 100:
                raise ValidationError({"tax_rate": _("The tax rate is a percentage from 0 to 100.")})
        except ValidationError as exc:
            raise ValidationError(_("Line %(n)s: %(errors)s") % {
                "n": number, "errors": "; ".join(m for msgs in exc.message_dict.values() for m in msgs)}) from None
        unit_id = getattr(unit, "pk", unit)
        cleaned.append({"product": product, "unit_id": unit_id, "quantity": quantity, "price": price,
                        "discount": discount, "tax_rate": tax, "amount": line_amount(quantity, price, discount)})
    return cleaned


def total(lines: list[dict]) -> Decimal:
    return sum((line["amount"] for line in lines), Decimal("0.00"))


def save_lines(document, lines: list[dict]) -> None:
    DocumentLine.objects.filter(**parent_kwargs(document)).delete()
    DocumentLine.objects.bulk_create([DocumentLine(**parent_kwargs(document), **line) for line in lines])


def clean_plan(rows: list[dict]) -> list[dict]:
    cleaned = []
    for number, row in enumerate(rows, start=1):
        due = row.get("due_date")
        if not due:
            raise ValidationError(_("Period %(n)s: give a due date.") % {"n": number})
        amount = to_decimal(row.get("amount"), "amount")
        if amount <= 0 or amount != amount.quantize(CENT):
            raise ValidationError(_("Period %(n)s: the amount must be more than zero, in cents.") % {"n": number})
        cleaned.append({"period": number, "due_date": due, "amount": amount})
    return cleaned


def save_plan(document, plan: list[dict]) -> None:
    PlanPeriod.objects.filter(**parent_kwargs(document)).delete()
    PlanPeriod.objects.bulk_create([PlanPeriod(**parent_kwargs(document), **row) for row in plan])


def describe(lines: list[dict]) -> list[str]:
    """Line summaries for the audit entry of the document."""
    return [f"{line['product'].name} × {line['quantity']} @ {line['price']} -{line['discount']}% = {line['amount']}"
            for line in lines]
