"""Roles with their permission matrix, field permission rules, basic data (lookups) and /me.

Roles and field rules are for administrators (403 otherwise); lookups are readable by every
logged-in user and writable by administrators; /me tells any user what the gate allows them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import basedata
from core.api.permissions import IsOrgAdmin, ReadAnyWriteAdmin
from core.models import LookupItem
from org import services_admin, services_users
from org.models import FieldRule, Role

from . import serializers as s


class RoleViewSet(viewsets.ModelViewSet):
    """Roles (positions) and their permission matrix: data scope per module and operation."""

    permission_classes = [IsOrgAdmin]
    serializer_class = s.RoleSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Role.objects.annotate(user_count=Count("users", distinct=True)).prefetch_related("grants").order_by("pk")

    def _save(self, request, role, *, partial=False, code=status.HTTP_200_OK):
        serializer = self.get_serializer(role, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        grants = data.pop("grants", None)
        with transaction.atomic():
            role = services_users.role_save(actor=request.user, role=role, data=data)
            if grants is not None:
                services_admin.role_replace_grants(actor=request.user, role=role, grants=grants)
        return Response(self.get_serializer(self.get_queryset().get(pk=role.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        return self._save(request, None, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        return self._save(request, self.get_object(), partial=kwargs.pop("partial", False))

    def destroy(self, request, *args, **kwargs):
        services_users.role_delete(actor=request.user, role=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class FieldRuleViewSet(viewsets.ModelViewSet):
    """Field permissions: a field hidden or read-only for a role (fields without a rule are editable)."""

    permission_classes = [IsOrgAdmin]
    serializer_class = s.FieldRuleSerializer
    filterset_fields = ["role", "module"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return FieldRule.objects.order_by("role_id", "module", "field")

    def _save(self, request, rule, *, partial=False, code=status.HTTP_200_OK):
        serializer = self.get_serializer(rule, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rule = services_admin.field_rule_save(
            actor=request.user, rule=rule, role=data.get("role", getattr(rule, "role", None)),
            module=data.get("module", getattr(rule, "module", "")), field=data.get("field", getattr(rule, "field", "")),
            mode=data.get("mode", getattr(rule, "mode", "")))
        return Response(self.get_serializer(rule).data, status=code)

    def create(self, request, *args, **kwargs):
        return self._save(request, None, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        return self._save(request, self.get_object(), partial=kwargs.pop("partial", False))

    def destroy(self, request, *args, **kwargs):
        services_admin.field_rule_delete(actor=request.user, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class LookupViewSet(viewsets.ModelViewSet):
    """Basic data (基础资料) entries, e.g. ?kind=industry. Deleting an entry in use deactivates it."""

    permission_classes = [ReadAnyWriteAdmin]
    filterset_fields = ["kind", "active"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return LookupItem.objects.order_by("kind", "sort", "pk")

    def get_serializer_class(self):
        return s.LookupUpdateSerializer if self.action in ("update", "partial_update") else s.LookupItemSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            item = basedata.lookup_create(actor=request.user, kind=data["kind"], name=data["name"],
                                          code=data.get("code", ""), extra=data.get("extra"))
            if data.get("active") is False:
                item = basedata.lookup_set_active(actor=request.user, item=item, active=False)
        return Response(s.LookupItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            item = basedata.lookup_update(actor=request.user, item=item, name=data.get("name", item.name),
                                          code=data.get("code"), extra=data.get("extra"))
            if "active" in data:
                item = basedata.lookup_set_active(actor=request.user, item=item, active=data["active"])
        return Response(s.LookupItemSerializer(item).data)

    @extend_schema(responses=s.LookupRemoveSerializer)
    def destroy(self, request, *args, **kwargs):
        result = basedata.lookup_remove(actor=request.user, item=self.get_object())
        return Response({"result": result})

    @extend_schema(request=s.LookupReorderSerializer, responses={204: None})
    @action(detail=False, methods=["post"])
    def reorder(self, request):
        """Put the entries of one list in the given order."""
        payload = s.LookupReorderSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        basedata.lookup_reorder(actor=request.user, kind=payload.validated_data["kind"], ids=payload.validated_data["ids"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The current user, roles and effective permissions: what the access gate lets you do."""

    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        return Response(s.me_payload(request.user))
