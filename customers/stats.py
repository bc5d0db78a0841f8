"""Customer statistics (客户统计): what the statistics page, its export and its API may group and add up.

Customer points (积分) are not part of the customer record yet; when they are, the module that adds
them registers a measure here with ``CUSTOMER_STATS.add_measure(Measure(...))`` and the page, the
export and the API offer it without further changes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.reports.dimensions import Dimension, Measure, days_since
from core.reports.report import Report, ReportQuery

from .ui import CustomerUI

CUSTOMER_STATS = Report(
    key="customers.stats",
    ui=CustomerUI,
    title=_("Customer statistics"),
    default_x="owner",
    dimensions=[
        Dimension("owner", _("Owner"), "owner"),
        Dimension("department", _("Department"), "department", label_field="name"),
        Dimension("created_month", _("Month created"), "created_at", trunc="month"),
        Dimension("created_quarter", _("Quarter created"), "created_at", trunc="quarter"),
        Dimension("created_year", _("Year created"), "created_at", trunc="year"),
        Dimension("source", _("Source"), "source", label_field="name"),
        Dimension("province", _("Province"), "province", label_field="name"),
        Dimension("city", _("City"), "city", label_field="name"),
        Dimension("size", _("Company size"), "size", label_field="name"),
        Dimension("industry", _("Industry"), "industry", label_field="name"),
        Dimension("type", _("Customer type"), "type", label_field="name"),
        Dimension("level", _("Level"), "level", label_field="name", order="label"),
        Dimension("status", _("Status"), "status"),
        Dimension("relationship", _("Relationship"), "relationship", label_field="name"),
        days_since("days_since_update", _("Days since last update"), "updated_at"),
        days_since("days_since_followup", _("Days since last follow-up"), "last_followup_at"),
    ],
    measures=[
        Measure("count", _("Number of customers"), "count"),
        Measure("amount", _("Annual purchase amount"), "sum", "amount"),
        Measure("amount_avg", _("Average annual purchase amount"), "avg", "amount"),
    ],
)

# Quick filters of the page and the API: parameter → (field, operator). Values travel as filter
# rules, so a drill-down carries them to the customer list like any other condition.
QUICK_FILTERS = {
    "owner": ("owner", "in"),
    "department": ("department", "in"),
    "status": ("status", "in"),
    "level": ("level", "in"),
    "created_from": ("created_at", "gte"),
    "created_to": ("created_at", "lte"),
}


def quick_rules(params) -> list[dict]:
    """Filter rules for the quick-filter parameters present in ``params`` (a QueryDict or dict)."""
    rules = []
    for param, (field, operator) in QUICK_FILTERS.items():
        if hasattr(params, "getlist"):
            values = [v for v in params.getlist(param) if str(v).strip()]
        else:
            raw = params.get(param)
            values = [v for v in (raw if isinstance(raw, list) else [raw]) if raw not in (None, "") and str(v).strip()]
        if not values:
            continue
        if operator == "in":
            rules.append({"field": field, "operator": "in", "value": values})
        else:
            rules.append({"field": field, "operator": operator, "value": values[0]})
    return rules


def read_query(user, params) -> ReportQuery:
    """The report query of a request: x, series, measure, chart, f (filter JSON), the quick filters and
    ``saved`` (a saved filter of the customer list the user may load). ValidationError / Http404."""
    rules = quick_rules(params)
    saved = str(params.get("saved") or "").strip()
    if saved:
        from core.lists.services import get_loadable_filter

        try:
            definition = get_loadable_filter(user=user, ui=CustomerUI, pk=saved).definition or {}
        except Http404:
            raise ValidationError(gettext("Saved filter not found."), code="invalid_report") from None
        if definition.get("rules"):
            rules.append(definition)
    return CUSTOMER_STATS.read_query(params, extra_rules=rules)


def total_label() -> str:
    return gettext("Total")
