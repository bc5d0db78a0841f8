"""API shapes of customers: the ModelUI's form fields are writable, the rest read-only."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import SYSTEM_OUTPUT, RecordSerializer
from customers.models import Customer
from customers.ui import CustomerUI


class CustomerSerializer(RecordSerializer):
    confirm_duplicates = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text=_("Create the customer although customers with a similar name exist (exact duplicates are always refused)."))

    class Meta(RecordSerializer.Meta):
        model = Customer
        # last_followup_at is kept by the follow-up services, never set directly.
        fields = [*SYSTEM_OUTPUT, *CustomerUI.form_fields, "last_followup_at", "confirm_duplicates"]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, "last_followup_at"]


class DuplicateQuerySerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    exclude = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("A customer to leave out (the one being edited)."))


class DuplicateSerializer(serializers.Serializer):
    """A customer that looks like the one described. Only matches you may read carry id, name and code."""

    kind = serializers.ChoiceField(choices=["credit_code", "phone", "name"])
    exact = serializers.BooleanField()
    visible = serializers.BooleanField()
    owner = serializers.CharField()
    message = serializers.CharField()
    id = serializers.IntegerField(required=False)
    name = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    url = serializers.CharField(required=False)
    score = serializers.IntegerField(required=False)


class DuplicateResultSerializer(serializers.Serializer):
    results = DuplicateSerializer(many=True)


class MergeSerializer(serializers.Serializer):
    others = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=20,
                                   help_text=_("The customers merged into this one; they go to the recycle bin."))
    keep = serializers.DictField(
        child=serializers.IntegerField(min_value=1), required=False, default=dict,
        help_text=_('Fields whose value to take from one of the merged customers, e.g. {"phone": 12}.'))
