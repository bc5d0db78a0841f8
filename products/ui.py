from django.urls import path

from core import access, ui

from . import search
from .models import Product


@ui.register
class ProductUI(ui.ModelUI):
    model = Product
    icon = "package"
    list_columns = ["code", "name", "spec", "model", "brand", "category", "base_unit", "list_price", "cost_price",
                    "tax_rate", "origin", "barcode", "status", "owner", "created_at"]
    default_columns = ["code", "name", "spec", "category", "base_unit", "list_price", "status"]
    frozen = 2
    # What the search box covers; the stored key adds pinyin and initials (products.search).
    search_fields = ["name", "code", "spec", "model", "brand", "barcode"]
    form_fields = ["name", "code", "spec", "model", "brand", "origin", "category", "base_unit", "list_price",
                   "cost_price", "tax_rate", "barcode", "status", "description", "image"]
    # The image is shown as a picture on the detail page, not as a row of text.
    detail_fields = [name for name in form_fields if name != "image"]
    default_ordering = ["code", "id"]
    select_related = ["category", "base_unit", "owner"]

    def search(self, qs, term: str, *, user=None):
        """The stored key (pinyin, initials) unless the user may not see what it holds."""
        term = (term or "").strip()
        if not term:
            return qs
        hidden = access.hidden_fields(user, Product) if user is not None else set()
        cond = search.search_condition(term, hidden=hidden)
        if cond is None:
            return super().search(qs, term, user=user)
        return qs.filter(cond)

    # ---- writes go through the product services -------------------------------------------------
    def create(self, *, actor, data: dict, custom: dict):
        from . import services

        return services.product_create(actor=actor, data=data, custom=custom)

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services

        return services.product_update(actor=actor, instance=instance, data=data, custom=custom,
                                       expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services

        return services.product_delete(actor=actor, instance=instance)

    def urls(self) -> list:
        from . import views_product

        patterns = []
        for pattern in super().urls():
            if pattern.name == f"{self.model_name}_detail":
                pattern = path(str(pattern.pattern), views_product.ProductDetailPage.as_view(ui=self), name=pattern.name)
            patterns.append(pattern)
        return patterns
