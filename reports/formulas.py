"""The 卓越精财 report formulas (SPEC §10, seed 001 chapter 4), in one place.

The analysis pages, their Excel exports and the API all compute their figures here, so the three
can never disagree. Everything is Decimal; a percentage is rounded to 2 places half up, a unit
price to 4 places (the precision of a quote line's price). A division by zero gives None, which
the page and the export show as "—" and the API returns as null.

- expected profit = expected sales − expected cost; expected margin % = expected profit ÷ expected sales × 100
- opportunity profit = opportunity amount − expected cost; opportunity margin % = that ÷ opportunity amount × 100
- actual profit = actual sales − actual cost; actual margin % = actual profit ÷ actual sales × 100
- unit price = amount ÷ quantity; discounted amount = amount − discount
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PRICE_STEP = Decimal("0.0001")
HUNDRED = Decimal("100")
DASH = "—"


def money(value) -> Decimal:
    """A sum from the database: None (no rows, or only empty fields) counts as 0.00."""
    return ZERO if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole × 100, to 2 places half up; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def quotient(numerator: Decimal, denominator: Decimal, step: Decimal = PRICE_STEP) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(step, rounding=ROUND_HALF_UP)


def opportunity_figures(*, cost=None, expected=None, amount=None, count: int = 0) -> dict:
    """客户商机分析: one row's figures from its sums of cost estimate, expected amount and amount."""
    cost, expected, amount = money(cost), money(expected), money(amount)
    expected_profit = expected - cost
    opportunity_profit = amount - cost
    return {
        "count": int(count or 0),
        "cost": cost,
        "expected": expected,
        "amount": amount,
        "expected_profit": expected_profit,
        "expected_margin": percent(expected_profit, expected),
        "opportunity_profit": opportunity_profit,
        "opportunity_margin": percent(opportunity_profit, amount),
    }


def project_figures(*, cost=None, expected=None, amount=None, actual_cost=None, actual_sales=None,
                    count: int = 0) -> dict:
    """客户项目分析: the opportunity figures of the projects plus their actual cost, sales, profit and margin."""
    out = opportunity_figures(cost=cost, expected=expected, amount=amount, count=count)
    actual_cost, actual_sales = money(actual_cost), money(actual_sales)
    actual_profit = actual_sales - actual_cost
    out.update(actual_cost=actual_cost, actual_sales=actual_sales, actual_profit=actual_profit,
               actual_margin=percent(actual_profit, actual_sales))
    return out


def quote_figures(*, quantity=None, amount=None, discount=None, count: int = 0) -> dict:
    """产品报价明细: quantity, unit price = amount ÷ quantity, amount, discounted amount."""
    quantity = Decimal(quantity or 0)
    amount, discount = money(amount), money(discount)
    return {
        "count": int(count or 0),
        "quantity": quantity,
        "unit_price": quotient(amount, quantity),
        "amount": amount,
        "discounted": amount - discount,
    }


@dataclass(frozen=True)
class Column:
    """A figure column. ``needs``: the model fields it is computed from; when the user may not see one
    of them (a hidden field), the column is left out of the page, the export and the API."""

    key: str
    label: object
    kind: str  # count | money | percent | quantity | price
    needs: tuple[str, ...] = ()


OPPORTUNITY_COLUMNS = [
    Column("count", pgettext_lazy("how many records", "Count"), "count"),
    Column("cost", _("Expected cost"), "money", ("cost_estimate",)),
    Column("expected", _("Expected sales"), "money", ("expected_amount",)),
    Column("amount", _("Opportunity amount"), "money", ("amount",)),
    Column("expected_profit", _("Expected profit"), "money", ("cost_estimate", "expected_amount")),
    Column("expected_margin", _("Expected margin %"), "percent", ("cost_estimate", "expected_amount")),
    Column("opportunity_profit", _("Opportunity profit"), "money", ("cost_estimate", "amount")),
    Column("opportunity_margin", _("Opportunity margin %"), "percent", ("cost_estimate", "amount")),
]

PROJECT_COLUMNS = [
    *OPPORTUNITY_COLUMNS,
    Column("actual_cost", _("Actual cost"), "money", ("actual_cost",)),
    Column("actual_sales", _("Actual sales"), "money", ("actual_sales",)),
    Column("actual_profit", _("Actual profit"), "money", ("actual_cost", "actual_sales")),
    Column("actual_margin", _("Actual margin %"), "percent", ("actual_cost", "actual_sales")),
]

QUOTE_COLUMNS = [
    Column("count", _("Quote lines"), "count"),
    Column("quantity", _("Quantity"), "quantity"),
    Column("unit_price", _("Unit price"), "price"),
    Column("amount", _("Amount"), "money"),
    Column("discounted", _("Discounted amount"), "money"),
]


def visible_columns(columns: list[Column], hidden: set[str]) -> list[Column]:
    return [c for c in columns if not hidden.intersection(c.needs)]


def plain(value: Decimal) -> str:
    """10.0000 → "10", 2.5000 → "2.5" (never "1E+1")."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def display(value, kind: str) -> str:
    """A figure as the page shows it: "—" for a division by zero, money with thousands separators."""
    if value is None:
        return DASH
    if kind == "count":
        return f"{value:,}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "percent":
        return f"{value:.2f}"
    if kind == "price":  # cents when that is exact, else the 4 places of a quote line's price
        return f"{value:,.2f}" if Decimal(value).normalize().as_tuple().exponent >= -2 else f"{value:,.4f}"
    return format(Decimal(value).normalize(), ",f")  # a quantity: 12,480 and 2.5, never 1E+1


def api_value(value, kind: str):
    """A figure for JSON: numbers as strings of their exact Decimal (null for "—"), counts as ints."""
    if value is None:
        return None
    if kind == "count":
        return int(value)
    if kind == "quantity":
        return plain(value)
    return str(value)
