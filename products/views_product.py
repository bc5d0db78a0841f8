"""The product detail page with its units and prices, and the HTMX endpoints that change them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import access, crud

from . import selectors, services
from .models import PriceLevel, Product, Unit

TEMPLATE = "products/product_detail.html"


def product_extra(user, product: Product, *, errors=()) -> dict:
    """Units, prices and the user's own lowest price for the detail page (and its fragments)."""
    hidden = access.hidden_fields(user, Product)
    readonly = access.readonly_fields(user, Product)
    may_update = access.visible_to(user, "update", Product).filter(pk=product.pk).exists()
    prices = {row.level_id: row.price for row in product.prices.all()}
    levels = [(level, prices.get(level.pk)) for level in PriceLevel.objects.all() if level.active or level.pk in prices]
    conversions = list(product.conversions.select_related("unit").order_by("factor", "id"))
    for row in conversions:
        # What one of this unit costs at list price, so a quote in 箱 can be checked at a glance.
        row.list_price_per_unit = None if "list_price" in hidden else product.list_price * row.factor
    used = {c.unit_id for c in conversions} | {product.base_unit_id}
    return {
        "object": product,
        "unit_rows": selectors.units_of(product),
        "conversions": conversions,
        "free_units": Unit.objects.filter(active=True).exclude(pk__in=used),
        "show_prices": "prices" not in hidden,
        "show_image": bool(product.image) and "image" not in hidden,
        "show_list_price": "list_price" not in hidden,
        "levels": levels,
        # Without levels the limit is the list price, so it is not shown to whom the list price is hidden.
        "my_min_price": None if "list_price" in hidden else selectors.min_allowed_price(user, product),
        "my_levels": list(selectors.allowed_levels(user)),
        "may_edit_units": may_update and "base_unit" not in readonly,
        "may_edit_prices": may_update and "prices" not in readonly,
        "errors": list(errors),
    }


class ProductDetailPage(crud.DetailPage):
    template_name = TEMPLATE

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        if extra.get("object") is not None:
            ctx.update(product_extra(self.request.user, extra["object"]))
        return ctx


def _respond(request, product_id: int, partial: str, errors=()):
    product = selectors.product_get(user=request.user, pk=product_id)
    if not request.headers.get("HX-Request"):
        for error in errors:
            messages.error(request, error)
        return HttpResponseRedirect(reverse("products:product_detail", args=[product_id]))
    # 200 with the errors in the fragment: HTMX 2 does not swap 4xx answers in.
    return render(request, f"{TEMPLATE}#{partial}", product_extra(request.user, product, errors=errors))


@login_required
@require_POST
def product_units(request, pk: int):
    """Add, change or remove a unit conversion of the product (needs update on it)."""
    data = request.POST
    errors = []
    try:
        if data.get("action") == "delete":
            services.conversion_delete(actor=request.user, product=pk, conversion_id=int(data.get("id") or 0))
        elif data.get("action") == "save":
            unit = get_object_or_404(Unit, pk=data.get("unit") or 0)
            services.conversion_save(actor=request.user, product=pk, unit=unit, factor=data.get("factor", ""))
        else:
            return HttpResponseBadRequest()
    except ValidationError as exc:
        errors = exc.messages
    except PermissionDenied as exc:
        errors = [str(exc)]
    return _respond(request, pk, "units", errors)


@login_required
@require_POST
def product_prices(request, pk: int):
    """Set the product's price at one level; an empty price removes it (needs update on the product)."""
    level = get_object_or_404(PriceLevel, pk=request.POST.get("level") or 0)
    errors = []
    try:
        services.price_set(actor=request.user, product=pk, level=level, price=request.POST.get("price", ""))
    except ValidationError as exc:
        errors = exc.messages
    except PermissionDenied as exc:
        errors = [str(exc)]
    return _respond(request, pk, "prices", errors)
