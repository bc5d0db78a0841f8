"""Customers over the API: the generic gated viewset with the customer ModelUI, plus duplicate check and merge."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core import access
from core.api.viewsets import GatedModelViewSet, etag
from customers import dedup, services
from customers.models import Customer
from customers.ui import CustomerUI

from .serializers import CustomerSerializer, DuplicateQuerySerializer, DuplicateResultSerializer, MergeSerializer
from .views_pools import CustomerPoolActions


class CustomerViewSet(CustomerPoolActions, GatedModelViewSet):
    """Customers (客户) you may see; writes are audited, versioned and scope-checked."""

    ui = CustomerUI
    serializer_class = CustomerSerializer
    GATE_ACTIONS = {**GatedModelViewSet.GATE_ACTIONS, "merge": "update", "duplicates": "read"}

    def get_queryset(self):
        # Tags and collaborators: a list page reads their ids from the link tables (RecordListSerializer),
        # one record prefetches them.
        qs = super().get_queryset()
        return qs if self.action == "list" else qs.prefetch_related("tags", "collaborators")

    @extend_schema(parameters=[DuplicateQuerySerializer], responses=DuplicateResultSerializer)
    @action(detail=False, methods=["get"])
    def duplicates(self, request):
        """Customers with the same credit code or phone, or a similar name. The check covers every
        customer; one you may not read is reported only by what matched and who owns it."""
        user = request.user
        if not (access.can(user, "create", Customer) or access.can(user, "read", Customer)):
            raise PermissionDenied
        query = DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        exclude = [params["exclude"]] if params.get("exclude") else []
        if exclude and not access.visible_to(user, "read", Customer).filter(pk__in=exclude).exists():
            raise Http404
        matches = dedup.find_duplicates(user=user, name=params["name"], phone=params["phone"],
                                        credit_code=params["credit_code"], exclude=exclude)
        return Response({"results": [m.as_dict() for m in matches]})

    @extend_schema(request=MergeSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge other customers into this one (客户合并): their records move here, they go to the recycle bin.
        Needs update on this customer and delete on the others."""
        survivor = self.get_object()
        payload = MergeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        others = payload.validated_data["others"]
        keep = payload.validated_data["keep"]
        hidden = access.hidden_fields(request.user, Customer)
        values = {}
        for field, source_pk in keep.items():
            if field not in services.MERGE_FIELDS or field in hidden:
                raise drf_serializers.ValidationError({f"keep.{field}": [_("This field cannot be chosen in a merge.")]})
            if source_pk not in others:
                raise drf_serializers.ValidationError({f"keep.{field}": [_("Choose one of the merged customers.")]})
        if keep:
            sources = {c.pk: c for c in access.visible_to(request.user, "read", Customer).filter(pk__in=set(keep.values()))}
            if len(sources) != len(set(keep.values())):
                raise Http404
            values = {field: getattr(sources[source_pk], field) for field, source_pk in keep.items()}
        merged = services.customer_merge(actor=request.user, survivor=survivor, others=others, values=values)
        return Response(self.get_serializer(merged).data, headers=etag(merged))


def register(router) -> None:
    router.register("customers", CustomerViewSet, basename="customer")
