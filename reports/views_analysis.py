"""Pages of the 卓越精财 analyses: filters, chart, table with totals, drill-down links and Excel export
(``export=xlsx``). The form state lives in the URL, so a view can be bookmarked or sent on; an HTMX
request gets only the result partial. All figures come from reports.formulas via the report modules.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core import access, audit, basedata
from core.audit import Action
from sales.models import Quote

from . import quote_detail
from .analysis_opportunity import BY_CHOICES, OPPORTUNITY_ANALYSIS, AnalysisResult, GroupedAnalysis
from .analysis_project import PROJECT_ANALYSIS
from .excel import xlsx_response
from .formulas import display
from .params import PERIODS

PERIOD_LABELS = {"year": gettext_lazy("Year"), "quarter": gettext_lazy("Quarter"), "month": gettext_lazy("Month"),
                 "custom": gettext_lazy("Custom")}
CHART_COLUMNS = ("expected", "amount", "expected_profit", "actual_sales", "actual_profit", "discounted")


def _wants_partial(request) -> bool:
    return bool(request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request)


def _export_format(request) -> str | None:
    fmt = (request.GET.get("export") or "").strip()
    if fmt and fmt != "xlsx":
        raise ValidationError(_("Unknown export format."))
    return fmt or None


def table_context(result: AnalysisResult, url_name: str) -> dict:
    """Display cells, sort links and the chart data (static/js/stats.js draws it) of one result."""
    query = result.query
    sort_name, desc = query.sort.lstrip("-"), query.sort.startswith("-")
    base = reverse(url_name)

    def link(**override) -> str:
        return base + "?" + urlencode(query.params(**override))

    def header(key: str, label, numeric: bool) -> dict:
        # The first click on a figure sorts it largest first; a second click flips it.
        active = key == sort_name
        new = (key if desc else f"-{key}") if active else (f"-{key}" if numeric else key)
        return {"label": label, "url": link(sort=new, page=None), "active": active, "desc": desc, "numeric": numeric}

    headers = [header(c.key, c.label, True) for c in result.columns]
    rows = [{"label": r.label, "url": r.url,
             "cells": [display(r.figures.get(c.key), c.kind) for c in result.columns]} for r in result.rows]
    totals = {"label": result.totals.label, "url": result.totals.url,
              "cells": [display(result.totals.figures.get(c.key), c.kind) for c in result.columns]}
    charted = [c for c in result.columns if c.key in CHART_COLUMNS]
    chart = {
        "type": "bar", "measure": "", "categories": [r.label for r in result.rows],
        "series": [{"name": str(c.label),
                    "data": [None if r.figures.get(c.key) is None else float(r.figures[c.key]) for r in result.rows],
                    "urls": [r.url for r in result.rows]} for c in charted],
        "empty": not result.rows, "drillable": any(r.url for r in result.rows),
    }
    pages = {"page": query.page, "count": result.page_count,
             "previous": link(page=query.page - 1) if query.page > 1 else "",
             "next": link(page=query.page + 1) if query.page < result.page_count else ""}
    return {"label_header": header("label", BY_CHOICES.get(query.by, _("Product")), False), "headers": headers,
            "rows": rows, "totals": totals, "chart": chart, "pages": pages,
            "export_url": link(export="xlsx", page=None)}


def form_context(user, params, model, *, by: bool, stage: bool) -> dict:
    from org.selectors import active_departments, working_users

    hidden = access.hidden_fields(user, model)
    selected = {name: (params.get(name) or "").strip() for name in
                ("period", "year", "quarter", "month", "start", "end", "owner", "department", "by", "stage",
                 "customer", "product")}
    selected["period"] = selected["period"] or "year"
    selected["year"] = selected["year"] or str(timezone.localdate().year)
    return {
        "periods": [(p, PERIOD_LABELS[p]) for p in PERIODS],
        "quarters": [1, 2, 3, 4], "months": list(range(1, 13)),
        "selected": selected,
        "owners": [] if "owner" in hidden else working_users().order_by("id"),
        "departments": [] if "department" in hidden else active_departments().order_by("path"),
        "by_choices": [(k, v) for k, v in BY_CHOICES.items() if k not in hidden] if by else [],
        "stages": basedata.items("sales_stage") if stage and "stage" not in hidden else [],
    }


def _audit_export(user, model, title: str, key: str, result: AnalysisResult) -> None:
    audit.log(actor=user, action=Action.EXPORT, model=model, object_repr=title,
              changes={"report": key, "params": result.query.params(page=None), "rows": len(result.rows)})


def _export(user, *, model, key: str, title: str, first_header, result: AnalysisResult):
    headers = [first_header, *[c.label for c in result.columns]]
    rows = [[r.label, *[r.figures.get(c.key) for c in result.columns]] for r in result.rows]
    totals = [result.totals.label, *[result.totals.figures.get(c.key) for c in result.columns]]
    response = xlsx_response(filename=f"{title}-{timezone.localtime():%Y%m%d-%H%M}", title=title,
                             headers=headers, rows=rows, totals=totals)
    _audit_export(user, model, title, key, result)
    return response


class AnalysisPage(LoginRequiredMixin, View):
    """客户商机分析 / 客户项目分析: one page class, the report given in the URL conf."""

    analysis: GroupedAnalysis = OPPORTUNITY_ANALYSIS
    url_name = "reports:opportunity_analysis"

    def get(self, request):
        user, analysis = request.user, self.analysis
        try:
            fmt = _export_format(request)
        except ValidationError as exc:
            return HttpResponseBadRequest("; ".join(exc.messages))
        access.require(user, "export" if fmt else "read", analysis.model)
        error, result = None, None
        try:
            query = analysis.read_query(user, request.GET)
            result = analysis.run(user, query, action="export" if fmt else "read", paged=not fmt)
        except ValidationError as exc:
            if fmt:
                return HttpResponseBadRequest("; ".join(exc.messages))
            error = exc.messages
        title = str(analysis.title)
        if fmt:
            return _export(user, model=analysis.model, key=analysis.key, title=title,
                           first_header=BY_CHOICES[result.query.by], result=result)
        context = {"error": error, "title": title, "url_name": self.url_name, "result": result,
                   "may_export": access.can(user, "export", analysis.model)}
        if result is not None:
            context.update(table_context(result, self.url_name))
            context["subject_label"] = result.query.subject.label()
            context["period_label"] = result.query.period.label()
        status = 400 if error else 200
        if _wants_partial(request):
            return render(request, "reports/analysis_page.html#result", context, status=status)
        context.update(form_context(user, request.GET, analysis.model, by=True, stage=True))
        return render(request, "reports/analysis_page.html", context, status=status)


class ProjectAnalysisPage(AnalysisPage):
    analysis = PROJECT_ANALYSIS
    url_name = "reports:project_analysis"


class QuoteDetailPage(LoginRequiredMixin, View):
    """产品报价明细: one row per product; ``product=<id>`` lists that product's quote lines."""

    url_name = "reports:quote_detail"

    def get(self, request):
        user = request.user
        try:
            fmt = _export_format(request)
        except ValidationError as exc:
            return HttpResponseBadRequest("; ".join(exc.messages))
        action = "export" if fmt else "read"
        access.require(user, action, Quote)
        error, result, context = None, None, {}
        try:
            query = quote_detail.read_query(user, request.GET)
            product = dict(query.extra).get("product")
            if product is not None:
                rows, count, page_count = quote_detail.line_rows(user, query, action=action, paged=not fmt)
                context.update(product=product, lines=rows, line_count=count, line_pages=page_count)
                if fmt:
                    return self._export_lines(user, query, product, rows)
            # With a product, the summary is that product's row(s): never more than one page.
            result = quote_detail.run(user, query, action=action, paged=not fmt and product is None)
        except ValidationError as exc:
            if fmt:
                return HttpResponseBadRequest("; ".join(exc.messages))
            error = exc.messages
        title = str(quote_detail.TITLE)
        if fmt:
            return _export(user, model=Quote, key="reports.quote_detail", title=title, first_header=_("Product"),
                           result=result)
        context.update({"error": error, "title": title, "url_name": self.url_name, "result": result,
                        "may_export": access.can(user, "export", Quote), "customer": None})
        if result is not None:
            context.update(table_context(result, self.url_name))
            context["customer"] = dict(result.query.extra).get("customer")
            context["subject_label"] = result.query.subject.label()
            context["period_label"] = result.query.period.label()
            if "lines" in context:
                query = result.query
                link = reverse(self.url_name) + "?"
                context["pages"] = {
                    "page": query.page, "count": context["line_pages"],
                    "previous": link + urlencode(query.params(page=query.page - 1)) if query.page > 1 else "",
                    "next": (link + urlencode(query.params(page=query.page + 1))
                             if query.page < context["line_pages"] else "")}
                context["back_query"] = urlencode({k: v for k, v in query.params(page=None).items()
                                                   if k != "product"})
                context["line_cells"] = [
                    {"line": r.line, "url": r.url,
                     "cells": [display(r.figures[c.key], c.kind) for c in result.columns if c.key != "count"]}
                    for r in context["lines"]]
        status = 400 if error else 200
        if _wants_partial(request):
            return render(request, "reports/quote_detail.html#result", context, status=status)
        context.update(form_context(user, request.GET, Quote, by=False, stage=False))
        return render(request, "reports/quote_detail.html", context, status=status)

    def _export_lines(self, user, query, product, rows):
        from .formulas import QUOTE_COLUMNS

        title = f"{quote_detail.TITLE} {product.name}"
        columns = [c for c in QUOTE_COLUMNS if c.key != "count"]
        headers = [_("Quote"), _("Customer"), _("Date"), _("Unit"), *[c.label for c in columns]]
        data = [[r.line.quote.code, str(r.line.quote.customer), timezone.localtime(r.line.quote.created_at).date()
                 .isoformat(), str(r.line.unit), *[r.figures[c.key] for c in columns]] for r in rows]
        response = xlsx_response(filename=f"{title}-{timezone.localtime():%Y%m%d-%H%M}", title=str(quote_detail.TITLE),
                                 headers=headers, rows=data)
        audit.log(actor=user, action=Action.EXPORT, model=Quote, object_repr=title,
                  changes={"report": "reports.quote_detail", "params": query.params(page=None), "rows": len(data)})
        return response
