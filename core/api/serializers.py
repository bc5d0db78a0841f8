"""The base serializer of every business record, shaped per user by the access gate.

Hidden fields (field permissions) are removed from the serializer for that user, so they are absent
from output and a payload naming them is refused. Read-only fields may be sent back unchanged (a GET
body can be PUT back) but a changed value is refused. Related choices are limited to records the user
may read. Custom field values travel in a ``custom`` object and are validated by the services.
"""

from __future__ import annotations

import copy
import datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connections, router
from django.db.models.query import ValuesIterable
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from core import access, customfields
from core.models import AuditLog, Version

SYSTEM_OUTPUT = ["id", "version", "owner", "department", "created_by", "created_at", "updated_at", "custom"]


def _is_registered(model) -> bool:
    try:
        access.spec_for(model)
    except ImproperlyConfigured:
        return False
    return True


def _stored_column(model, name: str):
    """The model field whose column ``name`` is, read as stored (concrete, no relation, no descriptor
    turning the value into an object as files do), or None."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if model_field.is_relation or not model_field.concrete or model_field.attname != name or \
            type(model.__dict__.get(name)) is not DeferredAttribute:
        return None
    return model_field


def _fast_source(model, field) -> tuple[str, str]:
    """("column", attname), ("fk", attname), ("m2m", prefetch name) or ("", "") for DRF's own path."""
    attrs = getattr(field, "source_attrs", None)
    if not attrs or len(attrs) != 1 or type(field).get_attribute is not _FIELD_GET_ATTRIBUTE.get(type(field)):
        return "", ""
    try:
        model_field = model._meta.get_field(attrs[0])
    except FieldDoesNotExist:
        return "", ""
    if type(field) is serializers.PrimaryKeyRelatedField and field.pk_field is None:
        if model_field.many_to_one and model_field.concrete and model_field.target_field.primary_key:
            return "fk", model_field.attname
        return "", ""
    if isinstance(field, serializers.ManyRelatedField):
        child = field.child_relation
        if type(child) is serializers.PrimaryKeyRelatedField and child.pk_field is None and \
                model_field.many_to_many and model_field.concrete:
            return "m2m", model_field.name
        return "", ""
    if isinstance(field, serializers.RelatedField) or _stored_column(model, attrs[0]) is None:
        return "", ""
    return "column", model_field.attname


# Value fields: they hold nothing a request changes, so a shallow copy of one is a field of its own.
_PLAIN_FIELDS = frozenset({
    serializers.CharField, serializers.IntegerField, serializers.BooleanField, serializers.DecimalField,
    serializers.DateTimeField, serializers.DateField, serializers.FloatField, serializers.EmailField,
    serializers.ChoiceField, serializers.JSONField, serializers.URLField, serializers.SlugField,
    serializers.TimeField, serializers.UUIDField, serializers.IPAddressField, serializers.ReadOnlyField,
    serializers.ModelField,
})

# Fields a shallow copy serves: the value fields, and a link by id. The gate's rows of a link are set on
# the copy (``relation.get_queryset``); its prototype's queryset is only ever cloned. A list of links
# is rebuilt instead: its child field is an object of its own, shared by shallow copies.
_SHALLOW_FIELDS = _PLAIN_FIELDS | {serializers.PrimaryKeyRelatedField}

# Fields whose value is read the standard way (a field class overriding get_attribute keeps it): the
# value fields, and the container and relations that to_representation reads directly.
_FIELD_GET_ATTRIBUTE = {
    cls: cls.get_attribute for cls in (
        *_PLAIN_FIELDS, serializers.DictField, serializers.PrimaryKeyRelatedField, serializers.ManyRelatedField,
    )
}


def _gated_rows(user, queryset):
    def get_queryset():
        return access.visible_to(user, "read", queryset.all())
    return get_queryset


class CustomValuesField(serializers.DictField):
    """``{"code": value}``; only active definitions the user may see are shown."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.JSONField())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", gettext_lazy("Custom field values by field code."))
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not value:
            return {}
        visible = self.parent.visible_custom_codes()
        return {code: val for code, val in value.items() if code in visible}


M2M_IDS = "_zg_m2m_ids"
_PROTOTYPES: dict[type, dict] = {}


def attach_m2m_ids(instances, model, names) -> None:
    """For each many-to-many field in ``names``, the ids of every instance's related rows, in the related
    model's order, read from the link tables in one statement (no related objects or managers are built).
    Kept in the instance's ``_zg_m2m_ids``; instances with those rows prefetched are left alone."""
    todo = [obj for obj in instances if obj.pk is not None]
    wanted = []  # (name, rows, {owner id: [target ids]})
    for name in names:
        rows = [obj for obj in todo if name not in getattr(obj, "_prefetched_objects_cache", {})]
        if rows:
            wanted.append((name, rows, {obj.pk: [] for obj in rows}))
    links = _links([(model._meta.get_field(name), list(ids)) for name, _rows, ids in wanted])
    for (name, rows, ids), pairs in zip(wanted, links, strict=True):
        for owner_id, target_id in pairs:
            ids[owner_id].append(target_id)
        for obj in rows:
            obj.__dict__.setdefault(M2M_IDS, {})[name] = ids[obj.pk]


_LINK_SQL: dict = {}


def _links(fields: list[tuple]) -> list[list[tuple]]:
    """For each (many-to-many field, owner ids): its (owner id, target id) pairs, in the target model's
    order. The statements are written once per field from the models' metadata (the ORM would compile a
    join per page) and sent together as one UNION ALL, each part numbering its rows in its own order;
    an ordering on anything but the target's own columns takes the ORM."""
    out: list[list[tuple] | None] = [None] * len(fields)
    parts: dict[str, list[tuple]] = {}  # alias → [(position, part SQL, ids)]
    for position, (field, owner_ids) in enumerate(fields):
        through = field.remote_field.through
        alias = router.db_for_read(through)
        key = (field, alias)
        if key not in _LINK_SQL:
            _LINK_SQL[key] = _link_sql(field, connections[alias])
        if _LINK_SQL[key] is None:
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            ordering = [f"-{target}__{o[1:]}" if o.startswith("-") else f"{target}__{o}"
                        for o in field.related_model._meta.ordering] or [f"{target}_id"]
            links = through._base_manager.using(alias).filter(**{f"{source}_id__in": owner_ids}).order_by(*ordering)
            out[position] = list(links.values_list(f"{source}_id", f"{target}_id"))
        else:
            parts.setdefault(alias, []).append((position, _LINK_SQL[key], owner_ids))
    for alias, todo in parts.items():
        sql, params = [], []
        for position, (columns, tail, order), owner_ids in todo:
            out[position] = []
            sql.append(f"SELECT {position}, {columns}, ROW_NUMBER() OVER (ORDER BY {order}) {tail}".format(
                marks=", ".join(["%s"] * len(owner_ids))))
            params += owner_ids
        with connections[alias].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(sql) + " ORDER BY 1, 4", params)
            for position, owner_id, target_id, _n in cursor.fetchall():
                out[position].append((owner_id, target_id))
    return out


def _link_sql(field, connection) -> tuple[str, str, str] | None:
    """(columns, FROM and WHERE with ``{marks}`` for the owner ids, ORDER BY) of a link table's rows."""
    qn = connection.ops.quote_name
    through, related = field.remote_field.through._meta, field.related_model._meta
    source = through.get_field(field.m2m_field_name()).column
    target = through.get_field(field.m2m_reverse_field_name()).column
    order = []
    for entry in related.ordering or ["pk"]:
        if not isinstance(entry, str):
            return None
        name = entry.lstrip("-")
        try:
            column = related.pk if name == "pk" else related.get_field(name)
        except FieldDoesNotExist:
            return None
        if column.is_relation or not column.concrete:
            return None
        order.append(f"r.{qn(column.column)}{' DESC' if entry.startswith('-') else ''}")
    order.append(f"t.{qn(through.pk.column)}")
    return (f"t.{qn(source)}, t.{qn(target)}",
            f"FROM {qn(through.db_table)} t JOIN {qn(related.db_table)} r ON r.{qn(related.pk.column)} = t.{qn(target)} "
            f"WHERE t.{qn(source)} IN ({{marks}})", ", ".join(order))


def _converter(field):
    """How a stored value of the field becomes output: the field's to_representation, except for DRF's
    plain DateTimeField in ISO 8601, whose output (the time in the current time zone, UTC written as Z)
    is worked out here with the time zone looked up once per serializer instead of once per value."""
    if type(field) is not serializers.DateTimeField or not settings.USE_TZ or hasattr(field, "timezone") or \
            getattr(field, "format", api_settings.DATETIME_FORMAT) != ISO_8601:
        return field.to_representation
    zone = timezone.get_current_timezone()

    def iso(value):
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return iso


class ValuesRow:
    """A record of a list page read as plain values (``QuerySet.values``), with no model instance: all
    that :meth:`RecordSerializer.to_representation` reads of a record (its values by attname, its pk)."""

    __slots__ = ("__dict__", "pk")

    def __init__(self, values: dict, pk):
        self.__dict__ = values
        self.pk = pk


class ValuesRowIterable(ValuesIterable):
    """Rows of a ``values()`` queryset as :class:`ValuesRow`."""

    def __iter__(self):
        pk = self.queryset.model._meta.pk.attname
        for values in super().__iter__():
            yield ValuesRow(values, values[pk])


def value_columns(serializer) -> tuple[str, ...] | None:
    """The columns a list page of ``serializer`` reads, when every readable field is a stored column
    of the record (a plain value, a foreign key's id, a link list from its link table, or a column DRF
    reads as it is stored, as ``custom``): then a page is read with ``values()`` and no model instances.
    None when a field needs more of the record (a method, a relation's field, a file), or the serializer
    writes its output its own way."""
    if type(serializer).to_representation is not RecordSerializer.to_representation:
        return None
    model = serializer.Meta.model
    columns = [model._meta.pk.attname]
    for field, kind, key, _convert in serializer.output_plan():
        if kind in ("column", "fk"):
            columns.append(key)
        elif kind != "m2m":
            attrs = getattr(field, "source_attrs", None)
            if not attrs or len(attrs) != 1 or _stored_column(model, attrs[0]) is None:
                return None
            columns.append(attrs[0])
    return tuple(dict.fromkeys(columns))


class RecordListSerializer(serializers.ListSerializer):
    """A list of records: the many-to-many id lists of the whole page come in one statement."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        child = self.child
        names = [key for _field, kind, key, _convert in child.output_plan() if kind == "m2m"]
        if names and rows:
            attach_m2m_ids(rows, child.Meta.model, names)
        return [child.to_representation(row) for row in rows]


class RecordSerializer(serializers.ModelSerializer):
    """Subclasses set ``Meta.model`` and ``Meta.fields`` (``SYSTEM_OUTPUT`` plus the model's own)."""

    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text=gettext_lazy("The version your change is based on; a stale version is refused with 412 (or send If-Match)."))
    custom = CustomValuesField()

    class Meta:
        model = None
        fields = SYSTEM_OUTPUT
        read_only_fields = ["owner", "department", "created_by", "created_at", "updated_at"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        meta = getattr(cls, "Meta", None)
        if meta is not None and not hasattr(meta, "list_serializer_class"):
            meta.list_serializer_class = RecordListSerializer  # lists of records read link tables once

    def get_fields(self):
        """The fields DRF builds from the model, worked out once per serializer class: each serializer
        gets its own copies, then trimmed for its user. A plain value field is copied as it is (binding
        sets only the copy's own attributes); any other (relations, whose choices are gated per user;
        containers, which bind a child) is rebuilt the way DRF copies declared fields."""
        cls = type(self)
        prototype = _PROTOTYPES.get(cls)
        if prototype is None:
            prototype = _PROTOTYPES[cls] = super().get_fields()
        return {name: copy.copy(field) if type(field) in _SHALLOW_FIELDS else copy.deepcopy(field)
                for name, field in prototype.items()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        model = self.Meta.model
        self._hidden = access.hidden_fields(user, model) if user is not None else set()
        self._readonly = access.readonly_fields(user, model) if user is not None else set()
        self._custom_visible = None
        for name in list(self.fields):
            if name in self._hidden:
                del self.fields[name]
        for field in self.fields.values():
            relation = getattr(field, "child_relation", field)
            queryset = getattr(relation, "queryset", None)
            if queryset is not None and not field.read_only and _is_registered(queryset.model):
                # You can only link records you may read (the same rule as the forms). Every use of
                # the field's rows (validating input, a form's choices) goes through get_queryset();
                # building the gate's condition there keeps a read-only GET from paying for it.
                relation.get_queryset = _gated_rows(user, queryset)

    @property
    def user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def visible_custom_codes(self) -> set[str]:
        if self._custom_visible is None:
            self._custom_visible = {cf.code for cf in customfields.definitions(access.entity_of(self.Meta.model))
                                    if f"custom.{cf.code}" not in self._hidden}
        return self._custom_visible

    # ---- output -------------------------------------------------------------------------------
    def output_plan(self) -> list[tuple]:
        plan = self.__dict__.get("_output_plan")
        if plan is None:
            plan = self._output_plan = [(field, *_fast_source(self.Meta.model, field), _converter(field))
                                        for field in self._readable_fields]
        return plan

    def to_representation(self, instance):
        """DRF's own loop, with each field's way to its value worked out once per serializer instead of
        once per row (a 50-row page reads 2,000 values): plain columns straight from the row, foreign
        keys as their *_id column, many-to-many ids from the prefetched rows or the list's link-table read. Anything else (a source
        through a relation, a method, a deferred column, a list not prefetched) takes DRF's path."""
        plan = self.output_plan()
        values = instance.__dict__
        ret = {}
        for field, kind, key, convert in plan:
            if kind == "column" and key in values:
                value = values[key]
                ret[field.field_name] = None if value is None else convert(value)
                continue
            if kind == "fk" and key in values:
                ret[field.field_name] = values[key]
                continue
            if kind == "m2m" and instance.pk is not None:
                rows = getattr(instance, "_prefetched_objects_cache", {}).get(key)
                if rows is not None:
                    ret[field.field_name] = [row.pk for row in rows]
                    continue
                ids = values.get(M2M_IDS, {}).get(key)
                if ids is not None:
                    ret[field.field_name] = ids
                    continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[field.field_name] = None if check_for_none is None else field.to_representation(attribute)
        return ret

    # ---- input --------------------------------------------------------------------------------
    def to_internal_value(self, data):
        if not isinstance(data, dict):
            return super().to_internal_value(data)
        errors = {}
        for name in data:
            if name in self._hidden:
                errors[name] = [_("You may not set this field.")]
            elif name not in self.fields:
                errors[name] = [_("Unknown field.")]
        custom = data.get("custom")
        if isinstance(custom, dict):
            for code in custom:
                if f"custom.{code}" in self._hidden:
                    errors[f"custom.{code}"] = [_("You may not set this field.")]
        if errors:
            raise serializers.ValidationError(errors)
        values = super().to_internal_value(data)
        if self.instance is not None:
            self._refuse_readonly_changes(values)
        return values

    def _refuse_readonly_changes(self, values: dict) -> None:
        """A read-only value sent back unchanged is dropped; a changed one is an error."""
        errors = {}
        for name in list(values):
            if name in self._readonly:
                if values[name] != getattr(self.instance, name):
                    errors[name] = [_("This field is read-only for you.")]
                values.pop(name)
        custom = values.get("custom") or {}
        stored = self.instance.custom or {}
        for code in list(custom):
            if f"custom.{code}" in self._readonly:
                if custom[code] != stored.get(code):
                    errors[f"custom.{code}"] = [_("This field is read-only for you.")]
                custom.pop(code)
        if errors:
            raise serializers.ValidationError(errors)

    def split(self) -> tuple[dict, dict | None, int | None]:
        """(model field values, custom values or None, expected version) for the write services."""
        data = dict(self.validated_data)
        version = data.pop("version", None)
        custom = data.pop("custom", None)
        return data, custom, version

    # Writes go through ModelUI hooks (and so the services); the viewset calls them, never save().
    def create(self, validated_data):
        raise ImproperlyConfigured("RecordSerializer writes go through the ModelUI / services")

    def update(self, instance, validated_data):
        raise ImproperlyConfigured("RecordSerializer writes go through the ModelUI / services")


# ---- batch actions and history ------------------------------------------------------------------

class AssignSerializer(serializers.Serializer):
    owner = serializers.IntegerField(help_text=gettext_lazy("The user who becomes the owner."))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ShareSerializer(serializers.Serializer):
    users = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    departments = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    can_edit = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs["users"] and not attrs["departments"]:
            raise serializers.ValidationError(_("Choose at least one user or department."))
        return attrs


class BatchIdsMixin(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=1000)


class BatchAssignSerializer(BatchIdsMixin, AssignSerializer):
    pass


class BatchShareSerializer(BatchIdsMixin, ShareSerializer):
    pass


class BatchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class RestoreVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=gettext_lazy("The current version your restore is based on (or send If-Match)."))


def redact(data: dict, hidden: set[str]) -> dict:
    """A change set or snapshot without the fields the user may not see (keys are attnames)."""
    out = {}
    for key, value in (data or {}).items():
        if key in hidden or (key.endswith("_id") and key[:-3] in hidden):
            continue
        if key == "custom" and isinstance(value, dict):
            value = {code: v for code, v in value.items() if f"custom.{code}" not in hidden}
        out[key] = value
    return out


class AuditEntrySerializer(serializers.ModelSerializer):
    """Context: ``hidden`` — the field names to leave out of the change set."""

    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = AuditLog
        fields = ["id", "action", "actor", "actor_name", "changes", "message", "ip", "created_at"]

    def get_actor_name(self, obj) -> str:
        return str(obj.actor) if obj.actor_id else ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["changes"] = redact(data["changes"], self.context.get("hidden", set()))
        return data


class VersionSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = Version
        fields = ["number", "data", "actor", "actor_name", "comment", "created_at"]

    def get_actor_name(self, obj) -> str:
        return str(obj.actor) if obj.actor_id else ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["data"] = redact(data["data"], self.context.get("hidden", set()))
        return data


class HistorySerializer(serializers.Serializer):
    entries = AuditEntrySerializer(many=True)
    versions = VersionSerializer(many=True)
