"""API shapes of quotes: the header with its computed totals and nested product lines."""

from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import SYSTEM_OUTPUT, RecordSerializer
from sales.models import Quote, QuoteLine

TOTALS = ["subtotal", "discount_total", "tax_total", "grand_total"]
STATE = ["status", "approved_by", "decided_at", "decision_note", "sent_at"]


class QuoteLineSerializer(serializers.ModelSerializer):
    """One line; amount, discount amount, tax and total are computed (prices exclude tax)."""

    unit = serializers.PrimaryKeyRelatedField(queryset=QuoteLine._meta.get_field("unit").related_model.objects.all(),
                                              required=False)

    class Meta:
        model = QuoteLine
        fields = ["id", "product", "unit", "quantity", "unit_price", "discount", "tax_rate", "amount",
                  "discount_amount", "tax", "total"]
        read_only_fields = ["id", "amount", "discount_amount", "tax", "total"]
        extra_kwargs = {"discount": {"required": False}, "tax_rate": {"required": False}}


class QuoteSerializer(RecordSerializer):
    """A quote of one contact record or one maintenance record (set when it is created)."""

    lines = QuoteLineSerializer(many=True, required=False)
    amount_in_words = serializers.SerializerMethodField()

    class Meta(RecordSerializer.Meta):
        model = Quote
        fields = [*SYSTEM_OUTPUT, "code", "customer", "contact_record", "maintenance_record", "valid_until", "notes",
                  *STATE, *TOTALS, "amount_in_words", "lines"]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, "customer", *STATE, *TOTALS]

    def get_amount_in_words(self, obj) -> str:
        from sales.amount_words import amount_in_words

        return amount_in_words(obj.grand_total)

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("contact_record", "maintenance_record"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: ["A quote cannot be moved to another record."]})
                attrs.pop(name, None)
        return attrs


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
