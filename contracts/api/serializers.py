"""Serializers of contracts, orders (lines and plan nested), receivables and receipts."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from contracts.models import Contract, DocumentLine, Order, PlanPeriod, Receipt, Receivable, ReceivableStatus
from contracts.ui import ContractUI, OrderUI
from core.api.serializers import SYSTEM_OUTPUT, RecordSerializer
from core.models import LookupItem
from products.models import Product, Unit

COMPUTED = ("amount", "status", "approved_by", "approved_at")


class LineSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(active=True), required=False,
                                              allow_null=True, help_text=gettext_lazy("Empty: the base unit."))
    price = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True,
                                     help_text=gettext_lazy("Tax included; empty: the list price."))
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    discount = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=Decimal("0"))

    class Meta:
        model = DocumentLine
        fields = ["id", "product", "unit", "quantity", "price", "discount", "tax_rate", "amount"]
        read_only_fields = ["amount"]


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanPeriod
        fields = ["period", "due_date", "amount"]
        read_only_fields = ["period"]


class DocumentSerializer(RecordSerializer):
    """Lines and plan given replace the current ones (drafts only); amount and status are computed."""

    lines = LineSerializer(many=True, required=False)
    plan = PlanSerializer(many=True, required=False)
    # Plain text, not an enum: contracts and orders share the choice set, which would collide in the schema.
    status = serializers.CharField(read_only=True, help_text=gettext_lazy(
        "draft, approved, executing, completed or cancelled"))

    def to_internal_value(self, data):
        if isinstance(data, dict):
            named = [name for name in COMPUTED if name in data and (
                self.instance is None or data[name] != self.fields[name].to_representation(getattr(self.instance, name))
                if getattr(self.instance, name, None) is not None else True)]
            if named:
                raise serializers.ValidationError({name: [_("This field is computed and cannot be set.")]
                                                   for name in named})
        return super().to_internal_value(data)

    def split(self):
        data, custom, version = super().split()
        for key in ("lines", "plan"):
            if key in data:
                data[key] = [dict(row) for row in data[key]]
        return data, custom, version


class ContractSerializer(DocumentSerializer):
    class Meta(RecordSerializer.Meta):
        model = Contract
        fields = [*SYSTEM_OUTPUT, *ContractUI.form_fields, *COMPUTED, "lines", "plan"]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, *COMPUTED]


class OrderSerializer(DocumentSerializer):
    class Meta(RecordSerializer.Meta):
        model = Order
        fields = [*SYSTEM_OUTPUT, *OrderUI.form_fields, *COMPUTED, "lines", "plan"]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, *COMPUTED]


class ReceivableSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ReceivableStatus.choices, read_only=True)

    class Meta:
        model = Receivable
        fields = ["id", "version", "contract", "order", "customer", "period", "due_date", "amount", "received",
                  "balance", "status", "owner", "department", "created_at"]
        read_only_fields = fields


class ReceiptSerializer(serializers.ModelSerializer):
    receivable = serializers.PrimaryKeyRelatedField(queryset=Receivable.objects.all())
    method = serializers.PrimaryKeyRelatedField(queryset=LookupItem.objects.filter(kind="payment_method", active=True),
                                                required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    idempotency_key = serializers.CharField(max_length=64, required=False, help_text=gettext_lazy(
        "Any unique text per receipt; a repeat returns the receipt first recorded. Or send the Idempotency-Key header."))

    class Meta:
        model = Receipt
        fields = ["id", "receivable", "amount", "date", "method", "idempotency_key", "notes", "created_by",
                  "created_at"]
        read_only_fields = ["created_by", "created_at"]
