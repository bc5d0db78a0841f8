"""JSON shapes of the pipeline reports (funnel, Top N, receivables tracking) for the API and its schema."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def _money(**extra):
    return serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=False, **extra)


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()


class SubjectSerializer(serializers.Serializer):
    department = serializers.IntegerField(allow_null=True)
    owner = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()


class FunnelRowSerializer(serializers.Serializer):
    key = serializers.JSONField(help_text=_("Stage id (null: no stage) or status code."))
    label = serializers.CharField()
    count = serializers.IntegerField()
    expected_amount = _money(allow_null=True, help_text=_("Null when your roles hide the expected amount."))
    amount = _money()
    count_share = _money(allow_null=True, help_text=_("Percent; null when the denominator is zero."))
    amount_share = _money(allow_null=True)
    reached = serializers.IntegerField(allow_null=True, help_text=_(
        "Opportunities in this stage or a later one; null for a drop-out stage (win rate 0), no stage and statuses."))
    conversion = _money(allow_null=True, help_text=_("Percent of the previous stage's reached count; null for the first."))
    filter = serializers.JSONField(help_text=_("Opportunity list filter selecting exactly these opportunities."))


class FunnelSerializer(serializers.Serializer):
    period = PeriodSerializer()
    subject = SubjectSerializer()
    stages = FunnelRowSerializer(many=True)
    statuses = FunnelRowSerializer(many=True)
    count = serializers.IntegerField()
    expected_amount = _money(allow_null=True)
    amount = _money()


class TopRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    key = serializers.IntegerField(allow_null=True, help_text=_("Id of the salesperson, customer or product."))
    label = serializers.CharField()
    value = _money()


class TopSerializer(serializers.Serializer):
    measure = serializers.CharField()
    by = serializers.CharField()
    limit = serializers.IntegerField()
    period = PeriodSerializer()
    subject = SubjectSerializer()
    rows = TopRowSerializer(many=True)
    total = _money()


class ReceivableRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer_id = serializers.IntegerField()
    customer = serializers.CharField()
    document_kind = serializers.ChoiceField(choices=["contract", "order"])
    document = serializers.CharField()
    period = serializers.IntegerField()
    due_date = serializers.DateField(allow_null=True)
    amount = _money()
    received = _money()
    balance = _money()
    status = serializers.CharField()
    status_label = serializers.CharField()
    overdue_days = serializers.IntegerField(allow_null=True)
    owner_id = serializers.IntegerField(allow_null=True)
    owner = serializers.CharField()


class StatusTotalSerializer(serializers.Serializer):
    status = serializers.CharField(help_text=_("Empty for the total of all statuses."))
    label = serializers.CharField()
    count = serializers.IntegerField()
    amount = _money()
    received = _money()
    balance = _money()
