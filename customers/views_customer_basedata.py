"""The page where administrators keep the customer category tree and the customer tags."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.basedata import may_manage

from . import services
from .models import CustomerCategory, Tag


def _int(raw, default=0) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default


def _page(request, errors=(), status=200):
    return render(request, "customers/customer_basedata.html", {
        "categories": CustomerCategory.objects.select_related("parent"),
        "tags": Tag.objects.all(), "colors": Tag.COLORS, "errors": list(errors),
    }, status=status)


@login_required
def categories_and_tags(request):
    if not may_manage(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return _page(request)
    data, actor = request.POST, request.user
    action = data.get("action")
    try:
        if action == "category_save":
            instance = get_object_or_404(CustomerCategory, pk=data["id"]) if data.get("id") else None
            parent = get_object_or_404(CustomerCategory, pk=data["parent"]) if data.get("parent") else None
            services.category_save(actor=actor, instance=instance, name=data.get("name", ""), parent=parent,
                                   sort=_int(data.get("sort")), active=data.get("active", "1") == "1")
        elif action == "category_delete":
            services.category_delete(actor=actor, instance=get_object_or_404(CustomerCategory, pk=data.get("id")))
        elif action == "tag_save":
            instance = get_object_or_404(Tag, pk=data["id"]) if data.get("id") else None
            services.tag_save(actor=actor, instance=instance, name=data.get("name", ""), color=data.get("color", "blue"))
        elif action == "tag_delete":
            services.tag_delete(actor=actor, instance=get_object_or_404(Tag, pk=data.get("id")))
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except ValidationError as exc:
        return _page(request, exc.messages, status=400)
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(reverse("customers:customer_basedata"))
