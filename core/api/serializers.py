"""The base serializer of every business record, shaped per user by the access gate.

Hidden fields (field permissions) are removed from the serializer for that user, so they are absent
from output and a payload naming them is refused. Read-only fields may be sent back unchanged (a GET
body can be PUT back) but a changed value is refused. Related choices are limited to records the user
may read. Custom field values travel in a ``custom`` object and are validated by the services.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core import access, customfields
from core.models import AuditLog, Version

SYSTEM_OUTPUT = ["id", "version", "owner", "department", "created_by", "created_at", "updated_at", "custom"]


def _is_registered(model) -> bool:
    try:
        access.spec_for(model)
    except ImproperlyConfigured:
        return False
    return True


class CustomValuesField(serializers.DictField):
    """``{"code": value}``; only active definitions the user may see are shown."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.JSONField())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", gettext_lazy("Custom field values by field code."))
        super().__init__(**kwargs)

    def to_representation(self, value):
        visible = self.parent.visible_custom_codes()
        return {code: val for code, val in (value or {}).items() if code in visible}


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
                # You can only link records you may read (the same rule as the forms).
                relation.queryset = access.visible_to(user, "read", queryset.all())

    @property
    def user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def visible_custom_codes(self) -> set[str]:
        if self._custom_visible is None:
            self._custom_visible = {cf.code for cf in customfields.definitions(access.entity_of(self.Meta.model))
                                    if f"custom.{cf.code}" not in self._hidden}
        return self._custom_visible

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
