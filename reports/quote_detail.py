"""Product quote detail (产品报价明细): per product, the quoted quantity, unit price = amount ÷ quantity,
amount and discounted amount (amount − line discount, before tax), over the quote lines the user may read.

Which quotes count: live quotes in status *approved* or *sent* — the prices the company offers or
has offered. Drafts and quotes awaiting approval are not final, rejected ones were never offered.
The date that puts a quote in a period is its ``created_at`` (half-open timestamp range, indexed);
``owner``/``department`` narrow to the quote's salesperson (a quote carries its record's owner), and
``customer`` to one customer you may see (seed: "可按客户和职员查询").

Quantities are added up in the product's base unit: a line in 箱 counts factor × quantity 袋 when the
product converts 1 箱 = factor 袋, so the unit price is per base unit. A line in a unit the product no
longer converts keeps a row of its own (product and unit), rather than adding apples to boxes.
``product=<id>`` shows that product's quote lines instead: the drill-down of a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access
from customers.models import Customer
from products.models import Product, UnitConversion
from products.models.unit import Unit
from sales.models import Quote, QuoteLine

from .analysis_opportunity import (
    PAGE_SIZE,
    AnalysisQuery,
    AnalysisResult,
    AnalysisRow,
    DrillRules,
    drill_url,
    page_of,
    read_page,
    read_sort,
    refuse_hidden_filters,
    sort_rows,
)
from .formulas import QUOTE_COLUMNS, quote_figures
from .params import read_period, read_subject

TITLE = gettext_lazy("Product quote detail")
COUNTED = (Quote.Status.APPROVED, Quote.Status.SENT)
DEFAULT_SORT = "-amount"


def read_query(user, params) -> AnalysisQuery:
    """The query of a request; ValidationError with a message for the user on bad input."""
    refuse_hidden_filters(params, access.hidden_fields(user, Quote))
    extra = []
    customer_raw = (params.get("customer") or "").strip()
    if customer_raw:
        customer = None
        if customer_raw.isdigit():
            customer = access.visible_to(user, "read", Customer).filter(pk=customer_raw).first()
        if customer is None:  # out of scope reads as not there
            raise ValidationError(_("This customer does not exist."))
        extra.append(("customer", customer))
    product_raw = (params.get("product") or "").strip()
    if product_raw:
        product = Product.all_objects.filter(pk=product_raw).first() if product_raw.isdigit() else None
        if product is None:
            raise ValidationError(_("This product does not exist."))
        extra.append(("product", product))
    return AnalysisQuery(by="product", period=read_period(params), subject=read_subject(params),
                         sort=read_sort(params, QUOTE_COLUMNS, DEFAULT_SORT), page=read_page(params),
                         extra=tuple(extra))


def _extra(query: AnalysisQuery, name: str):
    return dict(query.extra).get(name)


def quotes(user, query: AnalysisQuery, action: str = "read"):
    """The counted quotes of the query, through the gate; subject and customer only narrow them."""
    start, end = query.period.datetime_range()
    qs = access.visible_to(user, action, Quote).filter(status__in=COUNTED, created_at__gte=start,
                                                       created_at__lt=end).filter(query.subject.q())
    customer = _extra(query, "customer")
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs


def lines(user, query: AnalysisQuery, action: str = "read"):
    qs = QuoteLine.objects.filter(quote__in=quotes(user, query, action).values("pk"))
    product = _extra(query, "product")
    if product is not None:
        qs = qs.filter(product=product)
    return qs


def _quote_list_filter(user, query: AnalysisQuery) -> dict | None:
    """The quote list's filter for the counted quotes (the totals row links there)."""
    definition = DrillRules(query, "created_at", access.hidden_fields(user, Quote)).definition()
    if definition is None:
        return None
    definition["rules"].append({"field": "status", "operator": "in", "value": [str(s) for s in COUNTED]})
    customer = _extra(query, "customer")
    if customer is not None:
        if "customer" in access.hidden_fields(user, Quote):
            return None
        definition["rules"].append({"field": "customer", "operator": "eq", "value": customer.pk})
    return definition


def run(user, query: AnalysisQuery, *, action: str = "read", paged: bool = True) -> AnalysisResult:
    """One row per product (and unit, when a unit no longer converts), sorted and paged."""
    access.require(user, action, Quote)
    grouped = list(lines(user, query, action).order_by().values("product_id", "unit_id")
                   .annotate(zg_count=Count("pk"), zg_qty=Sum("quantity"), zg_amount=Sum("amount"),
                             zg_discount=Sum("discount_amount")))
    product_ids = {r["product_id"] for r in grouped}
    products = {p.pk: p for p in Product.all_objects.filter(pk__in=product_ids).select_related("base_unit")}
    factors = {(c.product_id, c.unit_id): c.factor
               for c in UnitConversion.objects.filter(product_id__in=product_ids)}
    units = {u.pk: u.name for u in Unit.objects.filter(pk__in={r["unit_id"] for r in grouped})}
    merged: dict[object, dict] = {}
    for r in grouped:
        product = products[r["product_id"]]
        if r["unit_id"] == product.base_unit_id:
            factor, key, unit = Decimal(1), product.pk, product.base_unit.name
        elif (product.pk, r["unit_id"]) in factors:
            factor, key, unit = factors[(product.pk, r["unit_id"])], product.pk, product.base_unit.name
        else:
            factor, key, unit = Decimal(1), f"{product.pk}:{r['unit_id']}", units.get(r["unit_id"], "")
        acc = merged.setdefault(key, {"product": product, "unit": unit, "count": 0, "quantity": Decimal(0),
                                      "amount": Decimal(0), "discount": Decimal(0)})
        acc["count"] += r["zg_count"]
        acc["quantity"] += (r["zg_qty"] or 0) * factor
        acc["amount"] += r["zg_amount"] or 0
        acc["discount"] += r["zg_discount"] or 0
    rows, total = [], {"count": 0, "amount": Decimal(0), "discount": Decimal(0)}
    for key, acc in merged.items():
        product = acc["product"]
        name = " ".join(part for part in (product.code, product.name) if part)
        rows.append(AnalysisRow(key=key, label=f"{name} ({acc['unit']})" if acc["unit"] else name,
                                figures=quote_figures(quantity=acc["quantity"], amount=acc["amount"],
                                                      discount=acc["discount"], count=acc["count"])))
        for name in total:
            total[name] += acc[name]
    rows = sort_rows(rows, query.sort)
    page_count = 1
    if paged:
        rows, page_count = page_of(rows, query.page)
    base = query.params(page=None, sort=None)
    for row in rows:
        product_id = row.key if isinstance(row.key, int) else int(str(row.key).split(":")[0])
        row.url = reverse("reports:quote_detail") + "?" + urlencode({**base, "product": product_id})
    # Quantities of different products do not add up: the totals row has amounts only.
    totals = AnalysisRow(key=None, label=_("Total"), figures={
        **quote_figures(amount=total["amount"], discount=total["discount"], count=total["count"]),
        "quantity": None, "unit_price": None})
    totals.filter = _quote_list_filter(user, query)
    if totals.filter is not None:
        from sales.ui_quotes import QuoteUI

        totals.url = drill_url(QuoteUI.url("list"), totals.filter)
    return AnalysisResult(query=query, columns=list(QUOTE_COLUMNS), rows=rows, totals=totals, count=len(merged),
                          page_count=page_count)


@dataclass
class LineRow:
    line: QuoteLine
    figures: dict
    url: str


def line_rows(user, query: AnalysisQuery, *, action: str = "read", paged: bool = True):
    """The quote lines of one product (``product`` in the query), newest first: (rows, count, page count)."""
    access.require(user, action, Quote)
    qs = lines(user, query, action).select_related("quote", "quote__customer", "quote__owner", "unit", "product")
    qs = qs.order_by("-quote__created_at", "-quote_id", "position", "id")
    count = qs.count()
    page_count = 1
    if paged:
        _, page_count = page_of(range(count), query.page)
        start = (query.page - 1) * PAGE_SIZE
        qs = qs[start:start + PAGE_SIZE]
    rows = [LineRow(line=line, figures=quote_figures(quantity=line.quantity, amount=line.amount,
                                                     discount=line.discount_amount, count=1),
                    url=reverse("sales:quote_detail", args=[line.quote_id])) for line in qs]
    return rows, count, page_count
