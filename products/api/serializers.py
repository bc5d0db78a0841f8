"""API shapes of products and the catalogue's basic data."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import SYSTEM_OUTPUT, RecordSerializer
from org.models import Role
from products.models import PriceLevel, Product, ProductCategory, ProductPrice, Unit, UnitConversion
from products.ui import ProductUI


class ConversionSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = UnitConversion
        fields = ["id", "unit", "unit_name", "factor"]
        read_only_fields = fields


class PriceSerializer(serializers.ModelSerializer):
    level_name = serializers.CharField(source="level.name", read_only=True)

    class Meta:
        model = ProductPrice
        fields = ["id", "level", "level_name", "price"]
        read_only_fields = fields


class ProductSerializer(RecordSerializer):
    conversions = ConversionSerializer(many=True, read_only=True,
                                       help_text=_("Units besides the base unit: base units per one of them."))
    prices = PriceSerializer(many=True, read_only=True, help_text=_("Prices per level, per base unit."))

    class Meta(RecordSerializer.Meta):
        model = Product
        fields = [*SYSTEM_OUTPUT, *ProductUI.form_fields, "conversions", "prices"]
        # Images are uploaded on the product's page; the API shows where they are.
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, "image"]


class PriceCheckQuerySerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=16, decimal_places=4, min_value=0,
                                     help_text=_("The price per unit you mean to quote."))
    unit = serializers.IntegerField(required=False, min_value=1, help_text=_("The unit of the price; the base unit if left out."))


class PriceCheckSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    min_allowed_price = serializers.DecimalField(max_digits=20, decimal_places=4)
    needs_approval = serializers.BooleanField()


class CategorySerializer(serializers.ModelSerializer):
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = ProductCategory
        fields = ["id", "name", "parent", "path", "depth", "sort", "active"]
        read_only_fields = ["path"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "sort", "active"]
        read_only_fields = ["sort"]


class PriceLevelSerializer(serializers.ModelSerializer):
    roles = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Role.objects.all(),
                                               help_text=_("Roles whose users may quote at this level."))

    class Meta:
        model = PriceLevel
        fields = ["id", "name", "sort", "active", "roles"]
