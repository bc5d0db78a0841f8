"""API shapes of the organisation: departments, users, roles with their permission matrix, field rules."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import access
from core.models import LookupItem
from org.models import Department, FieldRule, Role, User


class DepartmentSerializer(serializers.ModelSerializer):
    depth = serializers.IntegerField(read_only=True)
    children_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Number of direct sub-departments."))
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "parent", "path", "depth", "manager", "sort", "active", "children_count", "member_count"]
        read_only_fields = ["path"]


class MoveDepartmentSerializer(serializers.Serializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), allow_null=True,
                                                help_text=gettext_lazy("The new parent; null makes it a top-level department."))


class AdminUserSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    password = serializers.CharField(write_only=True, required=False, trim_whitespace=False, style={"input_type": "password"},
                                     help_text=gettext_lazy("Required when creating a user; checked by the password rules."))
    # Plain string in the schema: the user status is not a business "status" enum.
    status = serializers.CharField(read_only=True, help_text=gettext_lazy('"active" or "left".'))

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "full_name", "email", "phone", "title", "department",
                  "superior", "roles", "status", "is_active", "is_staff", "is_superuser", "must_change_password",
                  "left_at", "last_login", "date_joined", "password"]
        read_only_fields = ["status", "is_active", "is_superuser", "left_at", "last_login", "date_joined"]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("Enter a password for the new user.")]})
        if self.instance is not None and "password" in attrs:
            raise serializers.ValidationError({"password": [_("Use set-password to change a password.")]})
        return attrs


class SetPasswordSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    must_change = serializers.BooleanField(default=True, help_text=gettext_lazy("Ask the user to change it at the next login."))


class LeaveSerializer(serializers.Serializer):
    transfer_to = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                     allow_null=True, help_text=gettext_lazy("The colleague who takes over the records."))
    release_to_pool = serializers.BooleanField(default=False, help_text=gettext_lazy("Release the customers to the public pool."))


class LeaveResultSerializer(serializers.Serializer):
    moved = serializers.DictField(child=serializers.IntegerField(), help_text=gettext_lazy("Records moved, per model."))


@extend_schema_field({"type": "object", "additionalProperties": {
    "type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 4}}})
class GrantsField(serializers.Field):
    """{module: {operation: scope}}; checked against the known modules by org.services_admin."""

    def to_representation(self, grants):
        matrix: dict[str, dict[str, int]] = {}
        for grant in grants.all():
            matrix.setdefault(grant.module, {})[grant.action] = grant.scope
        return matrix

    def to_internal_value(self, data):
        return data


class RoleSerializer(serializers.ModelSerializer):
    grants = GrantsField(required=False, help_text=gettext_lazy(
        "Permission matrix {module: {operation: scope}}, scope 0 none, 1 own, 2 own department, "
        "3 department and sub-departments, 4 all. Sending it replaces the whole matrix."))
    user_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Role
        fields = ["id", "name", "code", "description", "can_backup", "ip_allowlist", "grants", "user_count"]


class FieldRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = FieldRule
        fields = ["id", "role", "module", "field", "mode"]
        validators: list = []  # uniqueness is checked by the service with a clearer message


class LookupItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = LookupItem
        fields = ["id", "kind", "code", "name", "sort", "active", "extra"]
        read_only_fields = ["sort"]
        # Without a code the service makes one from the name's pinyin.
        extra_kwargs = {"code": {"required": False, "allow_blank": True}}
        validators: list = []  # the basic data services check codes and names per list


class LookupUpdateSerializer(LookupItemSerializer):
    class Meta(LookupItemSerializer.Meta):
        read_only_fields = ["kind", "sort"]


class LookupReorderSerializer(serializers.Serializer):
    kind = serializers.CharField()
    ids = serializers.ListField(child=serializers.IntegerField(), min_length=1)


class LookupRemoveSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=["deleted", "deactivated"],
                                     help_text=gettext_lazy("An entry still in use is deactivated instead of deleted."))


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RoleBriefSerializer(NamedSerializer):
    code = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField()
    department = NamedSerializer(allow_null=True)
    roles = RoleBriefSerializer(many=True)
    is_superuser = serializers.BooleanField()
    is_staff = serializers.BooleanField()
    grants = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()),
                                   help_text=gettext_lazy("Effective data scope per module and operation (widest of your roles)."))
    hidden_fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    readonly_fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def me_payload(user) -> dict:
    """The current user, their roles and their effective permissions (what the gate will allow)."""
    grants = {module: {action: int(access.scope_level(user, module, action)) for action in access.ACTIONS}
              for module in access.MODULES}
    return {
        "id": user.pk, "username": user.username, "full_name": user.get_full_name() or user.username, "email": user.email,
        "department": {"id": user.department_id, "name": user.department.name} if user.department_id else None,
        "roles": [{"id": r.pk, "name": r.name, "code": r.code} for r in user.roles.all()],
        "is_superuser": user.is_superuser, "is_staff": user.is_staff, "grants": grants,
        "hidden_fields": {m: sorted(access.hidden_fields(user, m)) for m in access.MODULES},
        "readonly_fields": {m: sorted(access.readonly_fields(user, m)) for m in access.MODULES},
    }

