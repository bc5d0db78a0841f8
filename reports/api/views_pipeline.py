"""GET /api/v1/reports/funnel/, /top/ and /receivables/: the pipeline reports as JSON.

Same parameters, same gate and same figures as the pages (reports.funnel, reports.top,
reports.receivables); bad parameters answer 400, a report the user may not read 403.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.models import Receivable
from core import access
from reports.funnel import Funnel, FunnelRow, build_funnel
from reports.params import Period, Subject
from reports.pipeline_common import read_request
from reports.receivables import read_receivable_query, row_dict, rows_queryset, totals
from reports.top import build_top, read_top_query
from sales.models import Opportunity

from . import serializers_pipeline as s

PERIOD_PARAMS = [
    OpenApiParameter("period", str, description="year | quarter | month | custom"),
    OpenApiParameter("year", int), OpenApiParameter("quarter", int), OpenApiParameter("month", int),
    OpenApiParameter("start", str, description="custom period: first day (YYYY-MM-DD)"),
    OpenApiParameter("end", str, description="custom period: last day (YYYY-MM-DD)"),
]
SUBJECT_PARAMS = [
    OpenApiParameter("department", int, description="A department with its sub-departments."),
    OpenApiParameter("owner", int, description="One salesperson. Neither: the whole company (within your scope)."),
]


def period_data(period: Period) -> dict:
    return {"kind": period.kind, "start": period.start, "end": period.end, "label": period.label()}


def subject_data(subject: Subject) -> dict:
    return {"department": subject.department.pk if subject.department else None,
            "owner": subject.owner.pk if subject.owner else None, "label": str(subject.label())}


def _funnel_row(funnel: Funnel, row: FunnelRow) -> dict:
    return {"key": row.key, "label": row.label, "count": row.count,
            "expected_amount": row.expected if funnel.show_expected else None, "amount": row.amount,
            "count_share": row.count_share, "amount_share": row.amount_share, "reached": row.reached,
            "conversion": row.conversion, "filter": row.filter}


class FunnelView(APIView):
    """Sales funnel: opportunities created in the period, by sales stage and by status."""

    @extend_schema(parameters=[*PERIOD_PARAMS, *SUBJECT_PARAMS], responses=s.FunnelSerializer)
    def get(self, request):
        access.require(request.user, "read", Opportunity)
        period, subject = read_request(request.query_params)
        funnel = build_funnel(request.user, period, subject)
        data = {"period": period_data(period), "subject": subject_data(subject),
                "stages": [_funnel_row(funnel, r) for r in funnel.stages],
                "statuses": [_funnel_row(funnel, r) for r in funnel.statuses], "count": funnel.count,
                "expected_amount": funnel.expected if funnel.show_expected else None, "amount": funnel.amount}
        return Response(s.FunnelSerializer(data).data)


class TopView(APIView):
    """Top N salespeople, customers or products by receipts, contract amount or count, and more."""

    @extend_schema(parameters=[
        OpenApiParameter("measure", str, description="receipts | contract_amount | contract_count | "
                                                     "opportunity_amount | new_customers"),
        OpenApiParameter("by", str, description="owner | customer | product"),
        OpenApiParameter("limit", int, description="Rows, 1–100 (default 10)."),
        *PERIOD_PARAMS, *SUBJECT_PARAMS], responses=s.TopSerializer)
    def get(self, request):
        query = read_top_query(request.user, request.query_params)
        result = build_top(request.user, query)
        data = {"measure": query.measure.key, "by": query.by, "limit": query.limit,
                "period": period_data(query.period), "subject": subject_data(query.subject),
                "rows": [{"rank": r.rank, "key": r.key, "label": r.label, "value": r.value} for r in result.rows],
                "total": result.total}
        return Response(s.TopSerializer(data).data)


class ReceivablesView(GenericAPIView):
    """Receivables tracking: each receivable with status and days overdue, paged; totals per status."""

    serializer_class = s.ReceivableRowSerializer

    @extend_schema(parameters=[
        OpenApiParameter("status", str, description="pending | partly_paid | paid | overdue (empty: all)"),
        *SUBJECT_PARAMS, *PERIOD_PARAMS,
        OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=inline_serializer("ReceivablesTrackingPage", {
            "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": s.ReceivableRowSerializer(many=True), "totals": s.StatusTotalSerializer(many=True)}))
    def get(self, request):
        user = request.user
        access.require(user, "read", Receivable)
        query = read_receivable_query(request.query_params)
        today = timezone.localdate()
        show_due = "due_date" not in access.hidden_fields(user, Receivable)
        page = self.paginate_queryset(rows_queryset(user, query, today=today))
        rows = []
        for obj in page:
            row = row_dict(obj, today)
            if not show_due:
                row["due_date"] = row["overdue_days"] = None
            rows.append(row)
        response = self.get_paginated_response(s.ReceivableRowSerializer(rows, many=True).data)
        response.data["totals"] = s.StatusTotalSerializer(totals(user, query, today=today), many=True).data
        return response
