"""GET /api/v1/reports/{opportunity-analysis,project-analysis,quote-detail}/: the analyses as JSON.

Same parameters, gate and formulas as the pages (reports.formulas): ``by``, the period parameters of
reports.params, ``department`` or ``owner``, ``stage``, ``sort``, ``page`` (50 rows a page); quote
detail takes ``customer`` and ``product`` instead of ``by``/``stage``. Bad parameters answer 400,
a missing read grant 403. Figures are exact decimals as strings, null where "—".
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access
from reports import quote_detail
from reports.analysis_opportunity import OPPORTUNITY_ANALYSIS, AnalysisResult
from reports.analysis_project import PROJECT_ANALYSIS
from reports.formulas import QUOTE_COLUMNS, api_value
from sales.models import Quote

from .serializers_analysis import AnalysisResultSerializer

_COMMON = [
    OpenApiParameter("period", str, description="year | quarter | month | custom (default year)."),
    OpenApiParameter("year", int), OpenApiParameter("quarter", int), OpenApiParameter("month", int),
    OpenApiParameter("start", str, description="Custom period start (YYYY-MM-DD)."),
    OpenApiParameter("end", str, description="Custom period end (YYYY-MM-DD)."),
    OpenApiParameter("department", int, description="A department and its subtree."),
    OpenApiParameter("owner", int, description="One salesperson."),
    OpenApiParameter("sort", str, description="label or a column key; leading - for descending."),
    OpenApiParameter("page", int),
]
_GROUPED = [*_COMMON, OpenApiParameter("by", str, description="owner (default) or customer."),
            OpenApiParameter("stage", int, description="A sales stage.")]


def _row(row, columns) -> dict:
    return {"key": row.key, "label": str(row.label), "filter": row.filter,
            "figures": {c.key: api_value(row.figures.get(c.key), c.kind) for c in columns}}


def payload(name: str, result: AnalysisResult) -> dict:
    query = result.query
    return {
        "report": name, "by": query.by,
        "period": {**query.period.params, "start": query.period.start.isoformat(),
                   "end": query.period.end.isoformat()},
        "subject": {**query.subject.params, "label": str(query.subject.label())},
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in result.columns],
        "rows": [_row(r, result.columns) for r in result.rows],
        "totals": _row(result.totals, result.columns),
        "count": result.count, "page": query.page, "page_count": result.page_count,
    }


class _GroupedView(APIView):
    analysis = OPPORTUNITY_ANALYSIS
    name = "opportunity_analysis"

    def get(self, request):
        user = request.user
        access.require(user, "read", self.analysis.model)
        query = self.analysis.read_query(user, request.query_params)
        return Response(payload(self.name, self.analysis.run(user, query)))


class OpportunityAnalysisView(_GroupedView):
    """Customer opportunity analysis (客户商机分析) by salesperson or customer."""

    @extend_schema(parameters=_GROUPED, responses=AnalysisResultSerializer)
    def get(self, request):
        return super().get(request)


class ProjectAnalysisView(_GroupedView):
    """Customer project analysis (客户项目分析) by salesperson or customer."""

    analysis = PROJECT_ANALYSIS
    name = "project_analysis"

    @extend_schema(parameters=_GROUPED, responses=AnalysisResultSerializer)
    def get(self, request):
        return super().get(request)


class QuoteDetailView(APIView):
    """Product quote detail (产品报价明细): approved and sent quotes, per product."""

    @extend_schema(parameters=[*_COMMON, OpenApiParameter("customer", int),
                               OpenApiParameter("product", int, description="Also list this product's lines.")],
                   responses=AnalysisResultSerializer)
    def get(self, request):
        user = request.user
        access.require(user, "read", Quote)
        query = quote_detail.read_query(user, request.query_params)
        product = dict(query.extra).get("product")
        lines = None
        if product is not None:
            rows, _count, page_count = quote_detail.line_rows(user, query)
            columns = [c for c in QUOTE_COLUMNS if c.key != "count"]
            lines = [{"quote": r.line.quote_id, "quote_code": r.line.quote.code, "customer": str(r.line.quote.customer),
                      "date": timezone.localtime(r.line.quote.created_at).date().isoformat(), "unit": str(r.line.unit),
                      "figures": {c.key: api_value(r.figures[c.key], c.kind) for c in columns}} for r in rows]
        result = quote_detail.run(user, query, paged=product is None)
        data = payload("quote_detail", result)
        data["customer"] = getattr(dict(query.extra).get("customer"), "pk", None)
        if lines is not None:
            data.update(lines=lines, page_count=page_count)
        return Response(data)
