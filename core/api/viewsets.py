"""The base API viewset of every business model: rows only through the access gate, writes only
through the model's ModelUI hooks (and so the services: audit, versions, scope re-check).

A subclass names its ModelUI and serializer::

    class CustomerViewSet(GatedModelViewSet):
        ui = CustomerUI
        serializer_class = CustomerSerializer

The gate action follows the request: GET → read, PUT/PATCH → update, DELETE → delete, and each batch
action its own operation, so a record outside that scope is a 404 (or, in a batch, refused whole).
Optimistic concurrency: detail responses carry ``ETag: "<version>"``; PUT/PATCH/DELETE honour
``If-Match`` (or a ``version`` in the body) and answer 412 when the record changed meanwhile.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import access, audit, services
from core.models import Version
from core.ui import ModelUI
from org.models import User
from org.selectors import active_departments, working_users

from . import serializers as api_serializers
from .filters import RecordFilterBackend

IF_MATCH = OpenApiParameter(
    "If-Match", location=OpenApiParameter.HEADER, required=False, type=str,
    description=gettext_lazy('The version your change is based on, as returned in the ETag header, e.g. "3".'))

HISTORY_LIMIT = 200
VERSIONS_LIMIT = 100


def etag(instance) -> dict[str, str]:
    return {"ETag": f'"{instance.version}"'}


def if_match_versions(request) -> list[int] | None:
    """Versions named by If-Match, or None when there is no precondition (absent or "*")."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    versions = []
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        try:
            versions.append(int(tag))
        except ValueError:
            raise serializers.ValidationError({"If-Match": [_('Send the version from the ETag header, e.g. "3".')]})
    return versions


def _active_users(ids) -> list[User]:
    ids = set(ids)
    users = list(working_users().filter(pk__in=ids))
    if len(users) != len(ids):
        raise serializers.ValidationError({"users": [_("Unknown or disabled user.")]})
    return users


_LIST_PLANS: dict[tuple, tuple[tuple[str, ...] | None, tuple[str, ...] | None]] = {}


def _joins_of(model, fields) -> tuple[str, ...] | None:
    if any(isinstance(f, serializers.SerializerMethodField) for f in fields):
        return None  # a method may read any relation: keep the UI's joins
    opts, needed = model._meta, set()
    for field in fields:
        head = (field.source or "").split(".")[0]
        if "." in (field.source or "") and head:
            try:
                model_field = opts.get_field(head)
            except Exception:
                return None
            if not (model_field.many_to_one or model_field.one_to_one) or not model_field.concrete:
                return None
            needed.add(head)
    return tuple(sorted(needed))


_VALUES: dict[tuple, object] = {}


def _values_of(model, columns: tuple[str, ...]):
    """The model's rows as :class:`~core.api.serializers.ValuesRow` of ``columns``: a fresh copy of a
    queryset built once per model and columns (resolving 40 column names cost a tenth of a page)."""
    key = (model, columns)
    if key not in _VALUES:
        prototype = model._default_manager.values(*columns)
        prototype._iterable_class = api_serializers.ValuesRowIterable
        _VALUES[key] = prototype
    return _VALUES[key].all()


class GatedModelViewSet(viewsets.ModelViewSet):
    ui = None  # the model's registered ModelUI instance
    filter_backends = [RecordFilterBackend]
    lookup_value_regex = r"\d+"

    GATE_ACTIONS = {
        "assign": "assign", "batch_assign": "assign", "share": "share", "batch_share": "share",
        "history": "read", "restore_version": "update", "batch_delete": "delete",
    }
    METHOD_ACTIONS = {"PUT": "update", "PATCH": "update", "DELETE": "delete"}

    # ---- rows ---------------------------------------------------------------------------------
    def gate_action(self) -> str:
        return self.GATE_ACTIONS.get(self.action) or self.METHOD_ACTIONS.get(self.request.method, "read")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.ui.model.objects.none()
        user, action = self.request.user, self.gate_action()
        if self.action != "list":
            return self.ui.queryset(user, action)
        needed, columns = self._list_plan()
        if columns is not None and type(self.ui).queryset is ModelUI.queryset:
            # Every field is a column of the record: the page is read as values, with no model
            # instances (building 50 of them cost more than their statement), through the gate as
            # ModelUI.queryset applies it (its joins are not needed here).
            return access.visible_to(user, action, _values_of(self.ui.model, columns))
        qs = self.ui.queryset(user, action)
        if needed is None:
            return qs
        # Only the relations the serializer reads through (``source="unit.name"``): related records
        # otherwise travel as ids, which DRF reads from the *_id column, so the UI's joins would only
        # make every page slower (and on PostgreSQL slower to plan than to run).
        return qs.select_related(None).select_related(*needed) if needed else qs.select_related(None)

    def _list_plan(self) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        """(relations to join, or None for the UI's; columns of a page read as values, or None).
        Worked out once per serializer and set of hidden fields: building a serializer's fields costs
        more than the page's rows, and neither answer depends on anything else."""
        model = self.ui.model
        key = (self.get_serializer_class(), frozenset(access.hidden_fields(self.request.user, model)))
        if key not in _LIST_PLANS:
            serializer = self.get_serializer()
            _LIST_PLANS[key] = (_joins_of(model, serializer.fields.values()), api_serializers.value_columns(serializer))
        return _LIST_PLANS[key]

    def get_object(self):
        # The list's filters do not apply to one record; the gate alone decides (404 outside it).
        obj = self.get_queryset().filter(pk=self.kwargs[self.lookup_field]).first()
        if obj is None:
            raise Http404
        self.check_object_permissions(self.request, obj)
        return obj

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "ui": self.ui}

    def expected_version(self, instance, body_version: int | None) -> int | None:
        """The version the caller's change is based on; refused early when it is already stale
        (the services check it again under the row lock)."""
        versions = if_match_versions(self.request)
        if versions is None:
            expected = body_version
        else:
            expected = instance.version if instance.version in versions else versions[0]
        if expected is not None and expected != instance.version:
            raise services.StaleVersion(instance.version)
        return expected

    # ---- CRUD ---------------------------------------------------------------------------------
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.get_serializer(instance).data, headers=etag(instance))

    def create(self, request, *args, **kwargs):
        access.require(request.user, "create", self.ui.model)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, custom, _version = serializer.split()
        instance = self.ui.create(actor=request.user, data=data, custom=custom or {})
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED, headers=etag(instance))

    @extend_schema(parameters=[IF_MATCH])
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data, custom, body_version = serializer.split()
        expected = self.expected_version(instance, body_version)
        saved = self.ui.update(actor=request.user, instance=instance, data=data, custom=custom or {}, expected_version=expected)
        return Response(self.get_serializer(saved).data, headers=etag(saved))

    @extend_schema(parameters=[IF_MATCH])
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            # Locked so the version compared is the version deleted.
            instance = self.get_queryset().select_related(None).select_for_update(of=("self",)).filter(pk=kwargs[self.lookup_field]).first()
            if instance is None:
                raise Http404
            self.expected_version(instance, None)
            self.ui.delete(actor=request.user, instance=instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # ---- assign / share -----------------------------------------------------------------------
    def _assign(self, pks, payload) -> int:
        owner = working_users().filter(pk=payload["owner"]).first()
        if owner is None:
            raise serializers.ValidationError({"owner": [_("Unknown or disabled user.")]})
        return services.assign_records(actor=self.request.user, model=self.ui.model, pks=pks, owner=owner,
                                       reason=payload.get("reason", ""))

    def _share(self, pks, payload) -> int:
        users = _active_users(payload["users"])
        dept_ids = set(payload["departments"])
        departments = list(active_departments().filter(pk__in=dept_ids))
        if len(departments) != len(dept_ids):
            raise serializers.ValidationError({"departments": [_("Unknown department.")]})
        return services.share_records(actor=self.request.user, model=self.ui.model, pks=pks, users=users,
                                      departments=departments, can_edit=payload["can_edit"])

    @extend_schema(request=api_serializers.AssignSerializer, responses=api_serializers.BatchResultSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the record to another owner (分配/转移); its department follows the new owner."""
        instance = self.get_object()
        payload = api_serializers.AssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response({"count": self._assign([instance.pk], payload.validated_data)})

    @extend_schema(request=api_serializers.BatchAssignSerializer, responses=api_serializers.BatchResultSerializer)
    @action(detail=False, methods=["post"], url_path="batch-assign")
    def batch_assign(self, request):
        """Assign several records at once; refused whole if any is outside your assign scope."""
        payload = api_serializers.BatchAssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response({"count": self._assign(payload.validated_data["ids"], payload.validated_data)})

    @extend_schema(request=api_serializers.ShareSerializer, responses=api_serializers.BatchResultSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """Share the record with users and/or departments (共享), read-only or editable."""
        instance = self.get_object()
        payload = api_serializers.ShareSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response({"count": self._share([instance.pk], payload.validated_data)})

    @extend_schema(request=api_serializers.BatchShareSerializer, responses=api_serializers.BatchResultSerializer)
    @action(detail=False, methods=["post"], url_path="batch-share")
    def batch_share(self, request):
        """Share several records at once; refused whole if any is outside your share scope."""
        payload = api_serializers.BatchShareSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response({"count": self._share(payload.validated_data["ids"], payload.validated_data)})

    @extend_schema(request=api_serializers.BatchIdsMixin, responses=api_serializers.BatchResultSerializer)
    @action(detail=False, methods=["post"], url_path="batch-delete")
    def batch_delete(self, request):
        """Move several records to the recycle bin; refused whole if any is outside your delete scope."""
        payload = api_serializers.BatchIdsMixin(data=request.data)
        payload.is_valid(raise_exception=True)
        ids = set(payload.validated_data["ids"])
        with transaction.atomic():
            rows = list(self.get_queryset().filter(pk__in=ids))
            if len(rows) != len(ids):
                raise PermissionDenied(_("Some of the selected records are outside your data scope."))
            for row in rows:
                self.ui.delete(actor=request.user, instance=row)
        return Response({"count": len(rows)})

    # ---- history and versions -----------------------------------------------------------------
    @extend_schema(responses=api_serializers.HistorySerializer)
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Audit entries and saved versions of the record, without the fields you may not see."""
        instance = self.get_object()
        context = {**self.get_serializer_context(), "hidden": access.hidden_fields(request.user, self.ui.model)}
        return Response({
            "entries": api_serializers.AuditEntrySerializer(audit.history_for(instance)[:HISTORY_LIMIT], many=True,
                                                            context=context).data,
            "versions": api_serializers.VersionSerializer(audit.versions_for(instance)[:VERSIONS_LIMIT], many=True,
                                                          context=context).data,
        })

    @extend_schema(request=api_serializers.RestoreVersionSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="restore-version")
    def restore_version(self, request, pk=None):
        """Bring the record back to an earlier version (镜像恢复), saved as a new version."""
        instance = self.get_object()
        payload = api_serializers.RestoreVersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        expected = self.expected_version(instance, payload.validated_data.get("version"))
        try:
            restored = self.ui.restore_version(actor=request.user, instance=instance,
                                               number=payload.validated_data["number"], expected_version=expected)
        except Version.DoesNotExist:
            raise serializers.ValidationError({"number": [_("This record has no such version.")]})
        return Response(self.get_serializer(restored).data, headers=etag(restored))
