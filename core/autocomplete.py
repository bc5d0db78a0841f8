"""Choosing a related record from a large table: the form renders only the chosen option(s) and the
browser asks ``/autocomplete/<app.model>/?q=`` for more as the user types (tom-select, from Tabler).

The suggestions come from the model's ModelUI: its queryset (the gate, "read") and its search (stored
pinyin keys for customers), so a select can never offer a record the user may not see, and a million
customers cost one indexed query per keystroke instead of a million ``<option>`` tags.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, JsonResponse
from django.urls import reverse

from . import access
from .ui import ui_for

LIMIT = 20


class _Autocomplete:
    """Mixin for Select widgets: render only the options whose value is selected."""

    def __init__(self, *args, url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.attrs.update({"data-autocomplete": url, "class": "form-select"})

    def optgroups(self, name, value, attrs=None):
        chosen = {str(v) for v in value if v not in (None, "")}
        queryset = getattr(self.choices, "queryset", None)
        if queryset is not None:
            empty = self.choices.field.empty_label
            choices = [("", empty)] if empty is not None and not self.allow_multiple_selected else []
            choices += [self.choices.choice(obj) for obj in queryset.filter(pk__in=chosen)] if chosen else []
            original, self.choices = self.choices, choices
            try:
                return super().optgroups(name, value, attrs)
            finally:
                self.choices = original
        return super().optgroups(name, value, attrs)


class AutocompleteSelect(_Autocomplete, forms.Select):
    pass


class AutocompleteSelectMultiple(_Autocomplete, forms.SelectMultiple):
    pass


def has_autocomplete(model) -> bool:
    try:
        ui_for(model)
        access.spec_for(model)
    except (KeyError, ImproperlyConfigured):  # not a gated model with pages of its own
        return False
    return True


def widget_for(model, *, multiple: bool) -> forms.Widget:
    url = reverse("core:autocomplete", args=[model._meta.label_lower])
    return AutocompleteSelectMultiple(url=url) if multiple else AutocompleteSelect(url=url)


@login_required
def autocomplete(request, key: str):
    """Up to 20 records of the model the user may read that match ``q`` (all of them when empty)."""
    try:
        ui = ui_for(key)
    except KeyError:
        raise Http404 from None
    if not access.can(request.user, "read", ui.model):
        raise Http404
    term = request.GET.get("q", "").strip()[:100]
    rows = ui.queryset(request.user)
    if term:
        rows = ui.search(rows, term, user=request.user)
    exclude = request.GET.get("exclude", "")
    if exclude.isdigit():
        rows = rows.exclude(pk=int(exclude))
    results = [{"value": row.pk, "text": str(row)} for row in rows.order_by("-pk")[:LIMIT]]
    return JsonResponse({"results": results})
