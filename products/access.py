from django.utils.translation import gettext_lazy as _

from core import access

from .models import Product

# Unit conversions and prices are part of their product: they are read and changed through it,
# so they follow the product's grants and need no registration of their own.
access.register(Product, module="products.product", label=_("Products"),
                fields=("code", "name", "spec", "model", "brand", "origin", "category", "base_unit", "list_price",
                        "cost_price", "tax_rate", "barcode", "status", "description", "image", "prices"))
