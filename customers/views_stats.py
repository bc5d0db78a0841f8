"""Customer statistics page (客户统计): pick dimensions, a measure and filters; chart, table, drill-down, Excel.

The form state lives in the URL, so a view of the statistics can be bookmarked or sent to a
colleague (who sees it within their own data scope). An HTMX request gets only the result partial.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from core import access, audit, basedata
from core.audit import Action
from core.lists import services as list_services
from core.lists.export import CONTENT_TYPES
from core.reports.export import write_xlsx
from core.reports.pivot import PivotResult
from core.reports.report import CHART_TYPES

from .models import Customer
from .stats import CUSTOMER_STATS, QUICK_FILTERS, read_query, total_label
from .ui import CustomerUI

CHART_LABELS = {"bar": _("Bar"), "stack": _("Stacked bar"), "line": _("Line"), "pie": _("Pie")}


def _drill_url(list_url: str, definition: dict | None) -> str:
    if definition is None:
        return ""
    if not definition.get("rules"):
        return list_url
    return list_url + "?" + urlencode({"f": json.dumps(definition, ensure_ascii=False, separators=(",", ":"))})


def _number(value):
    """A chart value: ECharts wants numbers, not the Decimal strings of Django's JSON encoder."""
    return None if value is None else float(value)


def table_and_chart(result: PivotResult, chart: str) -> tuple[dict, dict]:
    list_url = CustomerUI.url("list")
    series = result.series_members
    has_series = result.series is not None
    rows = []
    for xm in result.x_members:
        cells = [{"value": result.value(xm.key, sm.key),
                  "url": _drill_url(list_url, result.drill(xm, sm if has_series else None))} for sm in series]
        rows.append({"label": xm.label, "url": _drill_url(list_url, result.drill(xm)), "cells": cells,
                     "total": {"value": result.row_total(xm.key), "url": _drill_url(list_url, result.drill(xm))}})
    totals = [{"value": result.column_total(sm.key),
               "url": _drill_url(list_url, result.drill(None, sm if has_series else None))} for sm in series]
    table = {"x_label": result.x.label, "columns": [sm.label for sm in series], "rows": rows, "totals": totals,
             "total": {"value": result.total, "url": _drill_url(list_url, result.drill())}, "has_series": has_series,
             "money": result.measure.func != "count"}
    chart_data = {
        "type": chart, "measure": str(result.measure.label), "categories": [r["label"] for r in rows],
        "series": [{"name": (sm.label if has_series else str(result.measure.label)),
                    "data": [_number(r["cells"][i]["value"]) for r in rows],
                    "urls": [r["cells"][i]["url"] for r in rows]} for i, sm in enumerate(series)],
        "empty": not rows,
        "drillable": any(c["url"] for r in rows for c in r["cells"]),
    }
    return table, chart_data


class _StatsBase(LoginRequiredMixin, View):
    permission = "read"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            access.require(request.user, self.permission, Customer)
        return super().dispatch(request, *args, **kwargs)


class StatsPage(_StatsBase):
    def get(self, request):
        user = request.user
        error, status, result, query = None, 200, None, None
        try:
            query = read_query(user, request.GET)
            result = CUSTOMER_STATS.run(user, query)
        except ValidationError as exc:
            error, status = exc.messages, 400
        context = {"error": error, "query": query, "chart_labels": CHART_LABELS, "params": request.GET}
        if result is not None:
            context["table"], context["chart"] = table_and_chart(result, query.chart)
            context["export_query"] = request.GET.urlencode()
            context["may_export"] = access.can(user, "export", Customer)
        if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
            return render(request, "customers/stats.html#result", context, status=status)
        context.update(self.form_context(user, request.GET))
        return render(request, "customers/stats.html", context, status=status)

    def form_context(self, user, params) -> dict:
        from org.selectors import active_departments, working_users

        hidden = access.hidden_fields(user, Customer)
        return {
            "dimensions": CUSTOMER_STATS.dimensions_for(user),
            "measures": CUSTOMER_STATS.measures_for(user),
            "chart_types": [(key, CHART_LABELS[key]) for key in CHART_TYPES],
            "selected": {"x": params.get("x") or CUSTOMER_STATS.default_x, "series": params.get("series", ""),
                         "measure": params.get("measure") or "count", "chart": params.get("chart") or "bar",
                         "owner": params.get("owner", ""), "department": params.get("department", ""),
                         "status": params.get("status", ""), "level": params.get("level", ""),
                         "created_from": params.get("created_from", ""), "created_to": params.get("created_to", ""),
                         "saved": params.get("saved", ""), "f": params.get("f", "")},
            "owners": [] if "owner" in hidden else working_users().order_by("id"),
            "departments": [] if "department" in hidden else active_departments().order_by("path"),
            "statuses": [] if "status" in hidden else Customer.Status.choices,
            "levels": [] if "level" in hidden else basedata.items("customer_level"),
            "show_created": "created_at" not in hidden,
            "saved_filters": list_services.saved_filters(user=user, ui=CustomerUI),
            "list_url": CustomerUI.url("list"),
            # On a phone the quick filters fold away unless one is in use.
            "filtered": any(params.get(k) for k in (*QUICK_FILTERS, "saved")),
        }


class StatsExport(_StatsBase):
    """The table as .xlsx, counted over the rows the user may export (the export data scope)."""

    permission = "export"

    def get(self, request):
        user = request.user
        try:
            query = read_query(user, request.GET)
            result = CUSTOMER_STATS.run(user, query, action="export")
        except ValidationError as exc:
            return HttpResponseBadRequest("; ".join(exc.messages))
        title = str(CUSTOMER_STATS.title)
        out = write_xlsx(result, title=title, total_label=total_label())
        audit.log(actor=user, action=Action.EXPORT, model=Customer, object_repr=title,
                  changes={"report": CUSTOMER_STATS.key, "x": query.x, "series": query.series,
                           "measure": query.measure, "filter": query.definition, "rows": len(result.x_members)})
        filename = f"{title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
        return FileResponse(out, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"])

