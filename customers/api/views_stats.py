"""GET /api/v1/customer-stats/: the customer statistics pivot as JSON, same rows as the page.

Parameters as on the page: ``x``, ``series``, ``measure``, ``f`` (filter definition JSON, as the
customer list's ``?filter=``), the quick filters and ``saved``. Each row carries the filter that
selects exactly its customers (usable as ``/api/v1/customers/?filter=…``).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core import access
from customers.models import Customer
from customers.stats import CUSTOMER_STATS, QUICK_FILTERS, read_query


class StatsRowSerializer(serializers.Serializer):
    x = serializers.JSONField(help_text=_("Key of the X member (id, code, date or bucket); null for “not set”."))
    x_label = serializers.CharField()
    series = serializers.JSONField(allow_null=True, help_text=_("Key of the series member; null without a series."))
    series_label = serializers.CharField(allow_null=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, coerce_to_string=False)
    filter = serializers.JSONField(allow_null=True, help_text=_("Filter definition selecting exactly these customers."))


class StatsMemberSerializer(serializers.Serializer):
    key = serializers.JSONField()
    label = serializers.CharField()


class StatsResultSerializer(serializers.Serializer):
    x = serializers.CharField()
    series = serializers.CharField(allow_null=True)
    measure = serializers.CharField()
    x_members = StatsMemberSerializer(many=True)
    series_members = StatsMemberSerializer(many=True)
    rows = StatsRowSerializer(many=True)
    total = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, coerce_to_string=False)


def _key(key):
    return key.isoformat() if hasattr(key, "isoformat") else key


_PARAMETERS = [
    OpenApiParameter("x", str, description="Dimension on the X axis (owner, created_month, source, …)."),
    OpenApiParameter("series", str, description="Optional second dimension."),
    OpenApiParameter("measure", str, description="count, amount (sum) or amount_avg."),
    OpenApiParameter("f", str, description="Filter definition (JSON) of the customer list."),
    OpenApiParameter("saved", int, description="Id of a saved filter of the customer list."),
    *[OpenApiParameter(name, str, description=f"Quick filter on {field} ({op}).")
      for name, (field, op) in QUICK_FILTERS.items()],
]


class CustomerStatsViewSet(viewsets.ViewSet):
    """Customer statistics (客户统计) over the customers you may read."""

    @extend_schema(parameters=_PARAMETERS, responses=StatsResultSerializer)
    def list(self, request):
        user = request.user
        access.require(user, "read", Customer)
        query = read_query(user, request.query_params)
        result = CUSTOMER_STATS.run(user, query)
        data = {
            "x": query.x, "series": query.series or None, "measure": query.measure,
            "x_members": [{"key": _key(m.key), "label": m.label} for m in result.x_members],
            "series_members": ([{"key": _key(m.key), "label": m.label} for m in result.series_members]
                               if result.series else []),
            "rows": result.as_rows(), "total": result.total,
        }
        return Response(StatsResultSerializer(data).data)


def register(router) -> None:
    router.register("customer-stats", CustomerStatsViewSet, basename="customer-stats")
