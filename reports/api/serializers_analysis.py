"""Response shapes of the analysis API (for the OpenAPI schema; the views build plain dicts)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class AnalysisColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text=_("count, money, percent, quantity or price."))


class AnalysisRowSerializer(serializers.Serializer):
    key = serializers.JSONField(help_text=_("Id of the salesperson, customer or product; null for “not set”."))
    label = serializers.CharField()
    figures = serializers.JSONField(help_text=_("Column key → exact decimal as a string; null where a division "
                                                "by zero makes the figure undefined (“—”)."))
    filter = serializers.JSONField(allow_null=True, help_text=_("Filter definition of the record list "
                                                                "selecting exactly this row's records."))


class QuoteDetailLineSerializer(serializers.Serializer):
    quote = serializers.IntegerField()
    quote_code = serializers.CharField()
    customer = serializers.CharField()
    date = serializers.DateField()
    unit = serializers.CharField()
    figures = serializers.JSONField()


class AnalysisResultSerializer(serializers.Serializer):
    report = serializers.CharField()
    by = serializers.CharField()
    period = serializers.JSONField()
    subject = serializers.JSONField()
    columns = AnalysisColumnSerializer(many=True)
    rows = AnalysisRowSerializer(many=True)
    totals = AnalysisRowSerializer()
    count = serializers.IntegerField(help_text=_("Rows over all pages."))
    page = serializers.IntegerField()
    page_count = serializers.IntegerField()
    lines = QuoteDetailLineSerializer(many=True, required=False, help_text=_("Quote detail with product=: its quote lines."))
