"""Serializers of the public pool API: pools with the caller's standing, masked pool rows, moves."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.models import CustomerAssignment


class PoolRuleSerializer(serializers.Serializer):
    level = serializers.CharField(allow_blank=True, help_text=_("Customer level; empty for the default rule."))
    no_followup_days = serializers.IntegerField(allow_null=True)
    no_deal_days = serializers.IntegerField(allow_null=True)


class PoolSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    departments = serializers.ListField(child=serializers.CharField(), help_text=_("Empty: open to everyone."))
    hold_limit = serializers.IntegerField(help_text=_("0 means no limit."))
    daily_claim_limit = serializers.IntegerField(help_text=_("0 means no limit."))
    cooldown_days = serializers.IntegerField()
    warn_days = serializers.IntegerField()
    mask_contacts = serializers.BooleanField()
    customer_count = serializers.IntegerField()
    rules = PoolRuleSerializer(many=True)
    holding = serializers.IntegerField(help_text=_("Customers you hold now."))
    claimed_today = serializers.IntegerField(help_text=_("Customers you claimed today."))
    claims_left_today = serializers.IntegerField(allow_null=True, help_text=_("Null when there is no daily limit."))


class PoolCustomerSerializer(serializers.Serializer):
    """A pool customer as members see it before claiming: masked when the pool says so."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    status = serializers.CharField()
    level = serializers.CharField()
    industry = serializers.CharField()
    province = serializers.CharField()
    city = serializers.CharField()
    phone = serializers.CharField(help_text=_("Masked (138****5678) in pools that mask contacts."))
    address = serializers.CharField()
    website = serializers.CharField()
    masked = serializers.BooleanField()
    previous_owner = serializers.CharField()
    pool_entered_at = serializers.DateTimeField(allow_null=True)
    last_followup_at = serializers.DateTimeField(allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("Why the customer is given up (required)."))


class TransferSerializer(serializers.Serializer):
    owner = serializers.IntegerField(min_value=1, help_text=_("The user who takes the customer over."))
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClaimResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    owner = serializers.IntegerField()
    department = serializers.IntegerField(allow_null=True)


class ReleaseResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pool = serializers.IntegerField()
    pool_name = serializers.CharField()


KIND_HELP = format_lazy(_("One of: {kinds}."), kinds=", ".join(CustomerAssignment.Kind.values))


class AssignmentSerializer(serializers.ModelSerializer):
    # A plain string (values listed in the help): an enum named "kind" collides with other modules' enums.
    kind = serializers.CharField(help_text=KIND_HELP)
    customer = serializers.IntegerField(source="customer_id", allow_null=True,
                                        help_text=_("Null when the customer is outside your scope."))
    customer_name = serializers.SerializerMethodField(help_text=_("Empty when the customer is outside your scope."))
    from_owner_name = serializers.SerializerMethodField()
    to_owner_name = serializers.SerializerMethodField()
    pool_name = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = CustomerAssignment
        fields = ["id", "customer", "customer_name", "kind", "from_owner", "from_owner_name", "to_owner",
                  "to_owner_name", "from_department", "to_department", "pool", "pool_name", "reason", "actor",
                  "actor_name", "at"]

    def _readable(self, obj) -> bool:
        return obj.customer_id in self.context.get("readable", set())

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not self._readable(obj):
            data["customer"] = None  # the move is yours, the customer is not: no id to follow
        return data

    def get_customer_name(self, obj) -> str:
        return obj.customer.name if self._readable(obj) else ""

    def get_from_owner_name(self, obj) -> str:
        return str(obj.from_owner) if obj.from_owner_id else ""

    def get_to_owner_name(self, obj) -> str:
        return str(obj.to_owner) if obj.to_owner_id else ""

    def get_pool_name(self, obj) -> str:
        return obj.pool.name if obj.pool_id else ""

    def get_actor_name(self, obj) -> str:
        return str(obj.actor) if obj.actor_id else ""
