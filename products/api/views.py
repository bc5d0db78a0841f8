"""Products over the API: the gated product viewset with units, prices and a price check, and the
catalogue's basic data (categories, units, price levels): readable by whoever may read products,
changed by administrators only, always through the services."""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from core import access
from core.api.viewsets import GatedModelViewSet
from core.basedata import may_manage
from products import selectors, services
from products.models import PriceLevel, Product, ProductCategory, ProductPrice, Unit, UnitConversion
from products.ui import ProductUI

from . import serializers as s


class ProductViewSet(GatedModelViewSet):
    """Products (产品) you may see, with their unit conversions and prices per level (read-only here;
    they are changed on the product page)."""

    ui = ProductUI
    serializer_class = s.ProductSerializer
    GATE_ACTIONS = {**GatedModelViewSet.GATE_ACTIONS, "price_check": "read"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related(
            Prefetch("conversions", queryset=UnitConversion.objects.select_related("unit").order_by("factor", "id")),
            Prefetch("prices", queryset=ProductPrice.objects.select_related("level").order_by("level__sort", "level_id")))

    @extend_schema(parameters=[s.PriceCheckQuerySerializer], responses=s.PriceCheckSerializer)
    @action(detail=True, methods=["get"], url_path="price-check")
    def price_check(self, request, pk=None):
        """The lowest price per unit you may quote for this product, and whether ``price`` needs approval."""
        product = self.get_object()
        query = s.PriceCheckQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        unit = query.validated_data.get("unit") or product.base_unit_id
        price = query.validated_data["price"]
        lowest = selectors.min_allowed_price(request.user, product, unit)
        return Response(s.PriceCheckSerializer({
            "unit": unit, "min_allowed_price": lowest,
            "needs_approval": selectors.needs_approval(request.user, product, unit, price)}).data)


class ReadProductsWriteAdmin(BasePermission):
    """Users who may read products may read the catalogue's basic data; administrators change it."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return access.can(request.user, "read", Product) or may_manage(request.user)
        return may_manage(request.user)


class _BasicDataViewSet(viewsets.ModelViewSet):
    permission_classes = [ReadProductsWriteAdmin]
    lookup_value_regex = r"\d+"
    filterset_fields = ["active"]

    # Subclasses define save(data, instance=None) -> the saved row, calling their services.

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = self.save(serializer.validated_data)
        return Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        saved = self.save(serializer.validated_data, instance)
        return Response(self.get_serializer(saved).data)


class CategoryViewSet(_BasicDataViewSet):
    """The product category tree, in tree order; moving a category moves its subtree."""

    serializer_class = s.CategorySerializer
    filterset_fields = ["parent", "active"]
    queryset = ProductCategory.objects.order_by("path")

    def save(self, data, instance=None):
        # A PATCH that leaves a value out keeps the stored one.
        def value(name, default):
            return data.get(name, getattr(instance, name) if instance is not None else default)

        return services.category_save(actor=self.request.user, instance=instance, name=value("name", ""),
                                      parent=value("parent", None), sort=value("sort", 0), active=value("active", True))

    def destroy(self, request, *args, **kwargs):
        services.category_delete(actor=request.user, instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class UnitViewSet(_BasicDataViewSet):
    """Units of measure (个, 箱, 袋 …)."""

    serializer_class = s.UnitSerializer
    queryset = Unit.objects.all()

    def save(self, data, instance=None):
        return services.unit_save(actor=self.request.user, instance=instance,
                                  name=data.get("name", getattr(instance, "name", "")),
                                  active=data.get("active", getattr(instance, "active", True)))

    def destroy(self, request, *args, **kwargs):
        services.unit_delete(actor=request.user, instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PriceLevelViewSet(_BasicDataViewSet):
    """Price levels (零售价, 批发价 …) with the roles whose users may quote at them."""

    serializer_class = s.PriceLevelSerializer
    queryset = PriceLevel.objects.prefetch_related("roles")

    def save(self, data, instance=None):
        level = services.level_save(actor=self.request.user, instance=instance,
                                    name=data.get("name", getattr(instance, "name", "")),
                                    sort=data.get("sort", getattr(instance, "sort", None)),
                                    active=data.get("active", getattr(instance, "active", True)))
        if "roles" in data:
            services.level_roles_set(actor=self.request.user, level=level, roles=data["roles"])
        return PriceLevel.objects.prefetch_related("roles").get(pk=level.pk)

    def destroy(self, request, *args, **kwargs):
        services.level_delete(actor=request.user, instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    router.register("products", ProductViewSet, basename="product")
    router.register("product-categories", CategoryViewSet, basename="product-category")
    router.register("units", UnitViewSet, basename="unit")
    router.register("price-levels", PriceLevelViewSet, basename="price-level")
