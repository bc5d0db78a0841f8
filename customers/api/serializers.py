"""API shapes of customers and contacts: the ModelUI's form fields are writable, the rest read-only."""

from core.api.serializers import SYSTEM_OUTPUT, RecordSerializer
from customers.models import Customer
from customers.ui import CustomerUI


class CustomerSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Customer
        # last_followup_at is kept by the follow-up services, never set directly.
        fields = [*SYSTEM_OUTPUT, *CustomerUI.form_fields, "last_followup_at"]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, "last_followup_at"]
