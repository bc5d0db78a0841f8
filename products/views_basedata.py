"""The catalogue's basic data pages: the category tree (everyone who reads products sees it,
administrators change it), units, and price levels with the roles that may quote at them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import access
from core.basedata import may_manage
from org.models import Role

from . import services
from .models import PriceLevel, PriceLevelGrant, Product, ProductCategory, Unit


def _int(raw, default=0) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default


def _done(request, url_name: str):
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(reverse(url_name))


@login_required
def categories(request):
    user = request.user
    if not (access.can(user, "read", Product) or may_manage(user)):
        raise PermissionDenied

    def page(errors=(), status=200):
        rows = ProductCategory.objects.select_related("parent").annotate(n=Count("products"))
        return render(request, "products/categories.html", {
            "categories": rows, "may_manage": may_manage(user), "errors": list(errors)}, status=status)

    if request.method != "POST":
        return page()
    if not may_manage(user):
        raise PermissionDenied
    data = request.POST
    try:
        if data.get("action") == "save":
            instance = get_object_or_404(ProductCategory, pk=data["id"]) if data.get("id") else None
            parent = get_object_or_404(ProductCategory, pk=data["parent"]) if data.get("parent") else None
            services.category_save(actor=user, instance=instance, name=data.get("name", ""), parent=parent,
                                   sort=_int(data.get("sort")), active=data.get("active", "1") == "1")
        elif data.get("action") == "delete":
            services.category_delete(actor=user, instance=get_object_or_404(ProductCategory, pk=data.get("id") or 0))
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except ValidationError as exc:
        return page(exc.messages, status=400)
    return _done(request, "products:categories")


@login_required
def units(request):
    user = request.user
    if not may_manage(user):
        raise PermissionDenied

    def page(errors=(), status=200):
        return render(request, "products/units.html", {"units": Unit.objects.all(), "errors": list(errors)}, status=status)

    if request.method != "POST":
        return page()
    data = request.POST
    try:
        if data.get("action") == "save":
            instance = get_object_or_404(Unit, pk=data["id"]) if data.get("id") else None
            services.unit_save(actor=user, instance=instance, name=data.get("name", ""),
                               active=data.get("active", "1") == "1")
        elif data.get("action") == "delete":
            services.unit_delete(actor=user, instance=get_object_or_404(Unit, pk=data.get("id") or 0))
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except ValidationError as exc:
        return page(exc.messages, status=400)
    return _done(request, "products:units")


@login_required
def price_levels(request):
    user = request.user
    if not may_manage(user):
        raise PermissionDenied

    def page(errors=(), status=200):
        levels = list(PriceLevel.objects.all())
        granted = set(PriceLevelGrant.objects.values_list("role_id", "level_id"))
        roles = [(role, [(level, (role.pk, level.pk) in granted) for level in levels]) for role in Role.objects.all()]
        return render(request, "products/price_levels.html", {"levels": levels, "roles": roles, "errors": list(errors)},
                      status=status)

    if request.method != "POST":
        return page()
    data = request.POST
    try:
        if data.get("action") == "save":
            instance = get_object_or_404(PriceLevel, pk=data["id"]) if data.get("id") else None
            services.level_save(actor=user, instance=instance, name=data.get("name", ""),
                                sort=_int(data["sort"]) if data.get("sort") else None,
                                active=data.get("active", "1") == "1")
        elif data.get("action") == "delete":
            services.level_delete(actor=user, instance=get_object_or_404(PriceLevel, pk=data.get("id") or 0))
        elif data.get("action") == "grants":
            role = get_object_or_404(Role, pk=data.get("role") or 0)
            services.level_grants_set(actor=user, role=role, levels=[_int(v) for v in data.getlist("levels")])
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except ValidationError as exc:
        return page(exc.messages, status=400)
    return _done(request, "products:price_levels")
