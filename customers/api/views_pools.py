"""The public pool over the API.

/api/v1/pools/ — the pools you belong to, with their limits, rules and your standing;
/api/v1/pools/{id}/customers/ — the customers in a pool, masked where the pool says so;
/api/v1/customers/{id}/claim/, /release/, /transfer/ — actions on the customer viewset (mixin below);
/api/v1/customer-assignments/ — the assignment history (客户分配记录), read-only.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import access
from customers.models import Customer, CustomerAssignment
from customers.pools import masking, selectors, services

from .serializers_pools import (
    AssignmentSerializer,
    ClaimResultSerializer,
    PoolCustomerSerializer,
    PoolSerializer,
    ReasonSerializer,
    ReleaseResultSerializer,
    ReleaseSerializer,
    TransferSerializer,
)

SEARCH = OpenApiParameter("search", str, required=False, description=gettext_lazy("Name, code or city."))


def pool_data(user, pool) -> dict:
    standing = services.standing(user, pool)
    return {
        "id": pool.pk, "name": pool.name, "description": pool.description,
        "departments": [d.name for d in pool.departments.all()], "hold_limit": pool.hold_limit,
        "daily_claim_limit": pool.daily_claim_limit, "cooldown_days": pool.cooldown_days, "warn_days": pool.warn_days,
        "mask_contacts": pool.mask_contacts, "customer_count": getattr(pool, "customer_count", 0),
        "rules": [{"level": str(r.level) if r.level_id else "", "no_followup_days": r.no_followup_days,
                   "no_deal_days": r.no_deal_days} for r in pool.rules.all() if r.active],
        "holding": standing.holding, "claimed_today": standing.claimed_today,
        "claims_left_today": standing.claims_left_today,
    }


class PoolViewSet(viewsets.GenericViewSet):
    """Public pools (公海) you belong to."""

    serializer_class = PoolSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Pool.objects.none()
        return selectors.pools_for(self.request.user)

    def _pool(self, pk):
        pool = selectors.pool_for(self.request.user, pk)
        if pool is None:
            raise Http404
        return pool

    def list(self, request):
        pools = selectors.pools_with_counts(request.user)
        return Response(PoolSerializer([pool_data(request.user, p) for p in pools], many=True).data)

    def retrieve(self, request, pk=None):
        pool = self._pool(pk)
        pool.customer_count = selectors.pool_customers(request.user, pool).count()
        return Response(PoolSerializer(pool_data(request.user, pool)).data)

    @extend_schema(parameters=[SEARCH], responses=PoolCustomerSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=viewsets.GenericViewSet.pagination_class)
    def customers(self, request, pk=None):
        """The customers in the pool, newest in the pool first; contact details masked where the pool says so."""
        pool = self._pool(pk)
        rows = selectors.search(selectors.pool_customers(request.user, pool), request.query_params.get("search", ""))
        rows = rows.select_related(*masking.POOL_SELECT_RELATED).order_by("-pool_entered_at", "-pk")
        page = self.paginate_queryset(rows)
        data = [r.as_dict() for r in masking.pool_rows(request.user, page, pool=pool)]
        return self.get_paginated_response(PoolCustomerSerializer(data, many=True).data)


class CustomerPoolActions:
    """claim / release / transfer on /api/v1/customers/{id}/ (mixed into CustomerViewSet)."""

    @extend_schema(request=ReasonSerializer, responses=ClaimResultSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Claim a customer from a public pool you belong to (404 outside your pools); limits refuse with a reason."""
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        customer = services.claim(actor=request.user, customer_id=pk, reason=payload.validated_data["reason"])
        return Response({"id": customer.pk, "owner": customer.owner_id, "department": customer.department_id})

    @extend_schema(request=ReleaseSerializer, responses=ReleaseResultSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Give the customer up to the public pool of its department (needs update on it; reason required)."""
        payload = ReleaseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        customer = access.get_visible(request.user, "update", Customer, pk=pk)
        customer = services.release(actor=request.user, customer=customer, reason=payload.validated_data["reason"])
        return Response({"id": customer.pk, "pool": customer.pool_id, "pool_name": customer.pool.name})

    @extend_schema(request=TransferSerializer, responses=ClaimResultSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Give the customer to another user (needs the assign operation on it); recorded in the history."""
        payload = TransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        customer = access.get_visible(request.user, "assign", Customer, pk=pk)
        services.transfer(actor=request.user, customer_ids=[customer.pk], owner=payload.validated_data["owner"],
                          reason=payload.validated_data["reason"])
        customer.refresh_from_db()
        return Response({"id": customer.pk, "owner": customer.owner_id, "department": customer.department_id})


ASSIGNMENT_FILTERS = [
    OpenApiParameter("customer", int, required=False),
    OpenApiParameter("user", int, required=False, description=gettext_lazy("From or to this user.")),
    OpenApiParameter("kind", str, required=False, enum=CustomerAssignment.Kind.values),
    OpenApiParameter("date_from", str, required=False, description="YYYY-MM-DD"),
    OpenApiParameter("date_to", str, required=False, description="YYYY-MM-DD"),
]


def filter_assignments(qs, params):
    """The history filters shared by the page and the API; bad values are ignored, not errors."""
    def number(name):
        try:
            return int(params.get(name) or 0) or None
        except ValueError:
            return None

    if customer := number("customer"):
        qs = qs.filter(customer_id=customer)
    if user := number("user"):
        qs = qs.filter(Q(from_owner_id=user) | Q(to_owner_id=user))
    if (kind := params.get("kind")) in CustomerAssignment.Kind.values:
        qs = qs.filter(kind=kind)
    if start := parse_date(params.get("date_from") or ""):
        qs = qs.filter(at__date__gte=start)
    if end := parse_date(params.get("date_to") or ""):
        qs = qs.filter(at__date__lte=end)
    return qs


class CustomerAssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """The assignment history (客户分配记录) of the customers you may read, and the moves to or from you."""

    serializer_class = AssignmentSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CustomerAssignment.objects.none()
        qs = selectors.assignments_for(self.request.user).select_related(
            "customer", "from_owner", "to_owner", "pool", "actor")
        return filter_assignments(qs, self.request.query_params).order_by("-at", "-id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        page_ids = getattr(self, "_page_customer_ids", None)
        context["readable"] = selectors.readable_customer_ids(self.request.user, page_ids or [])
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_customer_ids = [row.customer_id for row in (page if page is not None else queryset)]
        return page

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        self._page_customer_ids = [row.customer_id]
        return Response(self.get_serializer(row).data)

    @extend_schema(parameters=ASSIGNMENT_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


def register(router) -> None:
    router.register("pools", PoolViewSet, basename="pool")
    router.register("customer-assignments", CustomerAssignmentViewSet, basename="customer-assignment")
