"""Organisation endpoints for administrators: departments (tree) and users (incl. leaving).

These are not business records, so a non-administrator gets 403 (not 404). Writes go through
org.services / org.services_users, which write the audit entries.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import filters, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.permissions import IsOrgAdmin
from org import services, services_users
from org.models import Department, User

from . import serializers as s


class DepartmentViewSet(viewsets.ModelViewSet):
    """The department tree: ordered by path, each with its parent, depth and number of sub-departments."""

    permission_classes = [IsOrgAdmin]
    serializer_class = s.DepartmentSerializer
    filterset_fields = ["parent", "active"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Department.objects.annotate(
            children_count=Count("children", distinct=True), member_count=Count("members", distinct=True),
        ).order_by("path", "pk")

    def _saved(self, dept, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=dept.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dept = services.department_create(actor=request.user, name=data["name"], parent=data.get("parent"),
                                          manager=data.get("manager"), sort=data.get("sort", 0))
        if data.get("active") is False:
            dept = services.department_update(actor=request.user, department=dept, active=False)
        return self._saved(dept, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        dept = self.get_object()
        serializer = self.get_serializer(dept, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # "..." leaves a relation as it is (a PATCH that does not name it).
        dept = services.department_update(actor=request.user, department=dept, name=data.get("name"),
                                          parent=data.get("parent", ...), manager=data.get("manager", ...),
                                          sort=data.get("sort"), active=data.get("active"))
        return self._saved(dept)

    def destroy(self, request, *args, **kwargs):
        services.department_delete(actor=request.user, department=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.MoveDepartmentSerializer, responses=s.DepartmentSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Put the department (with its whole subtree) under another parent."""
        dept = self.get_object()
        payload = s.MoveDepartmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dept = services.department_update(actor=request.user, department=dept, parent=payload.validated_data["parent"])
        return self._saved(dept)


class UserViewSet(viewsets.ModelViewSet):
    """Users. They are never deleted: disable them, or let them leave with their records handed over."""

    permission_classes = [IsOrgAdmin]
    serializer_class = s.AdminUserSerializer
    filter_backends = [filters.SearchFilter, *viewsets.ModelViewSet.filter_backends]
    filterset_fields = ["department", "status", "is_active"]
    search_fields = ["username", "first_name", "last_name", "phone", "email"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return User.objects.prefetch_related("roles").order_by("pk")

    def get_object(self):
        user = super().get_object()
        if self.request.method != "GET" and user.is_superuser and not self.request.user.is_superuser:
            # Otherwise a staff administrator could take over a superuser account (reset its password).
            raise PermissionDenied(_("Only a superuser may change a superuser account."))
        return user

    def _saved(self, user, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=user.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        password = data.pop("password")
        roles = data.pop("roles", [])
        # As on the admin page: a password an administrator chose is changed at the first login.
        data.setdefault("must_change_password", True)
        user = services_users.user_create(actor=request.user, data=data, roles=roles, password=password)
        return self._saved(user, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        user = self.get_object()
        serializer = self.get_serializer(user, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        roles = data.pop("roles", None)
        user = services_users.user_update(actor=request.user, user=user, data=data, roles=roles)
        return self._saved(user)

    @extend_schema(request=None, responses=s.AdminUserSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        """Disable the account and end its sessions and tokens."""
        user = services_users.user_set_active(actor=request.user, user=self.get_object(), active=False)
        return self._saved(user)

    @extend_schema(request=None, responses=s.AdminUserSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        user = services_users.user_set_active(actor=request.user, user=self.get_object(), active=True)
        return self._saved(user)

    @extend_schema(request=s.SetPasswordSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="set-password")
    def set_password(self, request, pk=None):
        """Give the user a new password (checked by the password rules)."""
        user = self.get_object()
        payload = s.SetPasswordSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services_users.user_set_password(actor=request.user, user=user, password=payload.validated_data["password"],
                                         must_change=payload.validated_data["must_change"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.LeaveSerializer, responses=s.LeaveResultSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """The user leaves (离职): records go to a colleague or the public pool, the account is disabled."""
        user = self.get_object()
        if user.pk == request.user.pk:
            raise PermissionDenied(_("You cannot make yourself leave."))
        if user.status == User.Status.LEFT:
            raise ValidationError(_("This user has already left."))
        payload = s.LeaveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        moved = services.user_leave(actor=request.user, user=user, transfer_to=payload.validated_data.get("transfer_to"),
                                    release_to_pool=payload.validated_data["release_to_pool"])
        return Response({"moved": moved})

