"""API shapes of leads: the ModelUI's form fields are writable, the service-set ones read-only."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import SYSTEM_OUTPUT, RecordSerializer
from marketing.models import Lead
from marketing.ui import LeadUI

READ_ONLY = ["origin", "lost_reason", "lost_note", "lost_at", "assigned_at", "converted_at", "customer", "contact",
             "opportunity", "customer_hint"]


class LeadSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Lead
        fields = [*SYSTEM_OUTPUT, *LeadUI.form_fields, *READ_ONLY]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, *READ_ONLY]


class LeadRoundRobinSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000)
    team = serializers.IntegerField(min_value=1, help_text=_("The lead team whose members take turns."))


class LeadRoundRobinResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    owners = serializers.DictField(child=serializers.IntegerField(),
                                   help_text=_("Leads given to each user, by user id."))


class LeadLoseSerializer(serializers.Serializer):
    reason = serializers.IntegerField(min_value=1, help_text=_("A lead lost reason (basic data)."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    version = serializers.IntegerField(required=False, min_value=1)


class LeadMergeSerializer(serializers.Serializer):
    other = serializers.IntegerField(min_value=1, help_text=_("The lead merged into this one."))


class LeadConvertCustomerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    province = serializers.CharField(required=False, allow_blank=True, max_length=12, default="")
    city = serializers.CharField(required=False, allow_blank=True, max_length=12, default="")
    address = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    industry = serializers.IntegerField(required=False, allow_null=True, default=None)
    source = serializers.IntegerField(required=False, allow_null=True, default=None)


class LeadConvertContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    title = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    wechat = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")


class LeadConvertOpportunitySerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    expected_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                               allow_null=True, default=None)
    stage = serializers.IntegerField(required=False, allow_null=True, default=None,
                                     help_text=_("A sales stage (basic data)."))
    planned_close = serializers.DateField(required=False, allow_null=True, default=None)


class LeadConvertSerializer(serializers.Serializer):
    customer = LeadConvertCustomerSerializer(required=False, allow_null=True, default=None,
                                         help_text=_("The new customer; leave out when existing_customer is given."))
    existing_customer = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                                 help_text=_("A customer you may change, instead of a new one."))
    contact = LeadConvertContactSerializer()
    opportunity = LeadConvertOpportunitySerializer(required=False, allow_null=True, default=None,
                                               help_text=_("Leave out to create no opportunity."))
    confirm_duplicates = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(required=False, min_value=1)


class LeadConvertResultSerializer(serializers.Serializer):
    lead = serializers.IntegerField()
    customer = serializers.IntegerField()
    contact = serializers.IntegerField()
    opportunity = serializers.IntegerField(allow_null=True)
    new_customer = serializers.BooleanField()


class LeadDuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class LeadCustomerMatchSerializer(serializers.Serializer):
    """A customer that looks like the lead. Only matches you may read carry id, name and code."""

    kind = serializers.CharField(help_text=_('What matched: "credit_code", "phone" or "name".'))
    exact = serializers.BooleanField()
    visible = serializers.BooleanField()
    owner = serializers.CharField()
    message = serializers.CharField()
    id = serializers.IntegerField(required=False)
    name = serializers.CharField(required=False)
    code = serializers.CharField(required=False)


class LeadDuplicatesResultSerializer(serializers.Serializer):
    customers = LeadCustomerMatchSerializer(many=True)
    leads = LeadDuplicateSerializer(many=True)
