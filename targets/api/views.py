"""/api/v1/sales-targets/: targets through the gate and the same services as the pages, and
/api/v1/sales-targets/progress/: target, actual and completion rows, as on the progress page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import access
from core.api.viewsets import IF_MATCH, etag, if_match_versions

from .. import services
from ..models import Level, Measure, PeriodKind, SalesTarget
from ..query import read_query
from ..selectors import progress, visible_targets
from .serializers import SalesTargetChangeSerializer, SalesTargetProgressSerializer, SalesTargetSerializer

FILTERS = [
    OpenApiParameter("year", int), OpenApiParameter("measure", str, enum=Measure.values),
    OpenApiParameter("level", str, enum=Level.values), OpenApiParameter("period", str, enum=PeriodKind.values),
    OpenApiParameter("owner", int, description="A person's targets."),
    OpenApiParameter("department", int, description="A department's targets, and those of the people in it."),
]
PROGRESS = [
    OpenApiParameter("year", int, description="Defaults to this year."),
    OpenApiParameter("measure", str, enum=Measure.values, description="Defaults to contract_amount."),
    OpenApiParameter("level", str, enum=Level.values,
                     description="Whose targets; defaults from owner/department, else the widest you may read."),
    OpenApiParameter("granularity", str, enum=["month", "quarter"], description="Period rows; defaults to month."),
    OpenApiParameter("department", int, description="A department and its subtree."),
    OpenApiParameter("owner", int, description="One person (level person)."),
]


def _int_param(params, name: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError({name: _("Give a whole number.")})
    return int(raw)


class SalesTargetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Sales targets (销售目标) you may read; setting them needs the create/update/delete grants of the
    sales targets module, within your data scope."""

    serializer_class = SalesTargetSerializer
    lookup_value_regex = r"\d+"
    GATE = {"PUT": "update", "PATCH": "update", "DELETE": "delete"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SalesTarget.objects.none()
        qs = visible_targets(self.request.user, self.GATE.get(self.request.method, "read"))
        params = self.request.query_params
        for name in ("measure", "level", "period"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        for name, lookup in (("year", "year"), ("owner", "owner_id")):
            value = _int_param(params, name)
            if value is not None:
                qs = qs.filter(**{lookup: value})
        value = _int_param(params, "department")
        if value is not None:
            qs = qs.filter(department_id=value)
        return qs.order_by("year", "measure", "level", "department__path", "owner_id", "period", "number", "id")

    def get_object(self):
        obj = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            raise Http404
        return obj

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        target = self.get_object()
        return Response(SalesTargetSerializer(target).data, headers=etag(target))

    def create(self, request):
        access.require(request.user, "create", SalesTarget)
        serializer = SalesTargetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = services.target_create(
            actor=request.user, measure=data["measure"], year=data["year"], level=data["level"],
            period=data["period"], number=data.get("number", 0), amount=data["amount"],
            owner=data.get("owner"), department=data.get("department"))
        return Response(SalesTargetSerializer(target).data, status=status.HTTP_201_CREATED, headers=etag(target))

    def _expected(self, target, body_version):
        versions = if_match_versions(self.request)
        if versions is None:
            return body_version
        return target.version if target.version in versions else versions[0]

    @extend_schema(request=SalesTargetChangeSerializer, responses=SalesTargetSerializer, parameters=[IF_MATCH])
    def update(self, request, pk=None):
        target = self.get_object()
        payload = SalesTargetChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = services.target_update(actor=request.user, target=target, amount=payload.validated_data["amount"],
                                       expected_version=self._expected(target, payload.validated_data.get("version")))
        return Response(SalesTargetSerializer(saved).data, headers=etag(saved))

    @extend_schema(request=SalesTargetChangeSerializer, responses=SalesTargetSerializer, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk)

    @extend_schema(parameters=[IF_MATCH], responses={204: None})
    def destroy(self, request, pk=None):
        target = self.get_object()
        services.target_delete(actor=request.user, target=target, expected_version=self._expected(target, None))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=PROGRESS, responses=SalesTargetProgressSerializer)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def progress(self, request):
        """Target, actual and completion % per subject and period (and the full year, period "year")."""
        user = request.user
        access.require(user, "read", SalesTarget)
        query = read_query(user, request.query_params)
        result = progress(user=user, year=query.year, measure=query.measure, level=query.level,
                          granularity=query.granularity, department=query.department, owner=query.owner)
        rows = []
        for row in result.rows:
            periods = [(query.granularity, n, f) for n, f in enumerate(row.periods, start=1)]
            for period, number, figure in [*periods, (PeriodKind.YEAR.value, 0, row.year)]:
                rows.append({"level": row.level, "subject_id": getattr(row.subject, "pk", None), "subject": row.label,
                             "period": period, "number": number, "target": figure.target, "actual": figure.actual,
                             "rate": figure.rate, "target_id": figure.target_id, "complete": row.complete})
        return Response(SalesTargetProgressSerializer({"year": query.year, "measure": query.measure, "level": query.level,
                                            "granularity": query.granularity, "complete": result.complete,
                                            "rows": rows}).data)


def register_views(router) -> None:
    router.register("sales-targets", SalesTargetViewSet, basename="sales-targets")
