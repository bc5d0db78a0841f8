"""The recycle bin (回收站) over the API: list deleted records, restore them, purge them (admins).

The bin is scoped like everything else (core.services.recycle_bin: records you may delete), so a
record outside your scope is a 404 here too.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response

from core import services
from core import ui as ui_registry


class RecycleEntrySerializer(serializers.Serializer):
    model = serializers.CharField(help_text=gettext_lazy('Model key, e.g. "customers.customer".'))
    id = serializers.IntegerField()
    display = serializers.CharField()
    deleted_at = serializers.DateTimeField(allow_null=True)
    deleted_by = serializers.IntegerField(allow_null=True)
    deleted_by_name = serializers.CharField()


def entry(key: str, instance) -> dict:
    return {"model": key, "id": instance.pk, "display": str(instance), "deleted_at": instance.deleted_at,
            "deleted_by": instance.deleted_by_id, "deleted_by_name": str(instance.deleted_by) if instance.deleted_by_id else ""}


def model_for(key: str, *, param: str = "model"):
    """The model of a registered ModelUI whose records can sit in the bin, or a 400."""
    try:
        model = ui_registry.ui_for(key).model
    except KeyError:
        model = None
    if model is None or not hasattr(model, "all_objects"):
        raise serializers.ValidationError({param: [_("Unknown model.")]})
    return model


class RecycleBinList(ListAPIView):
    serializer_class = RecycleEntrySerializer
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("model", required=True, type=str,
                                                description=gettext_lazy('Model key, e.g. "customers.customer".'))])
    def get(self, request, *args, **kwargs):
        """Deleted records of one model that you may delete, most recent first."""
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        key = request.query_params.get("model", "")
        model = model_for(key)
        rows = services.recycle_bin(request.user, model).select_related("deleted_by").order_by("-deleted_at", "-pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RecycleEntrySerializer([entry(key, row) for row in page], many=True).data)


class RecycleBinRestore(GenericAPIView):
    serializer_class = RecycleEntrySerializer

    @extend_schema(request=None, responses=RecycleEntrySerializer)
    def post(self, request, model: str, pk: int):
        """Put a deleted record back where it was."""
        restored = services.restore_deleted(actor=request.user, model=model_for(model), pk=pk)
        return Response(RecycleEntrySerializer(entry(model, restored)).data)


class RecycleBinPurge(GenericAPIView):
    serializer_class = RecycleEntrySerializer

    @extend_schema(responses={204: None})
    def delete(self, request, model: str, pk: int):
        """Remove a deleted record for good (administrators only); its audit entries stay."""
        services.purge_deleted(actor=request.user, model=model_for(model), pk=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
