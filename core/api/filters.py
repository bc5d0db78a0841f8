"""List filtering for API viewsets with the same definitions as the UI lists.

``?filter=<json>`` and ``?ordering=`` use core.lists.filters (the filter builder's own code),
``?search=`` uses the ModelUI's search, and ``?<field>=value`` exact filters are generated with
django-filter from the ModelUI's filter fields. A field the user may not see cannot be filtered or
sorted on: the request is refused with 400 rather than silently ignored, which would let a caller
probe hidden values through result counts.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend

from core import access

RESERVED_PARAMS = {"page", "page_size", "format", "filter", "ordering", "search"}


def exact_field_names(ui) -> list[str]:
    """Concrete, non-JSON fields of the UI's filter fields (custom fields go through ``?filter=``)."""
    names = []
    for name in ui.filter_fields if ui.filter_fields is not None else ui.list_columns:
        try:
            field = ui.model._meta.get_field(name)
        except Exception:
            continue
        if field.concrete and not field.many_to_many and not isinstance(field, models.JSONField):
            names.append(name)
    return names


def _filter_for(field) -> django_filters.Filter:
    name = field.name
    label = str(field.verbose_name)
    if field.is_relation:
        # By id and without checking the row exists: "invalid choice" vs "no rows" would tell the
        # caller whether a record they may not see exists.
        return django_filters.NumberFilter(field_name=name, label=label)
    if field.choices:
        return django_filters.ChoiceFilter(field_name=name, choices=field.choices, label=label)
    if isinstance(field, models.BooleanField):
        return django_filters.BooleanFilter(field_name=name, label=label)
    if isinstance(field, models.DateTimeField):
        return django_filters.DateFilter(field_name=name, lookup_expr="date", label=label)
    if isinstance(field, models.DateField):
        return django_filters.DateFilter(field_name=name, label=label)
    if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
        return django_filters.NumberFilter(field_name=name, label=label)
    return django_filters.CharFilter(field_name=name, label=label)


_FILTERSETS: dict[tuple, type[django_filters.FilterSet]] = {}


def exact_filterset_class(ui, hidden: set[str]) -> type[django_filters.FilterSet]:
    """The exact filters of the UI's fields the user may see; the class is made once per UI, set of
    hidden fields and language (its labels), as making it costs more than a page of rows."""
    key = (ui.key, frozenset(hidden), translation.get_language())
    cls = _FILTERSETS.get(key)
    if cls is None:
        declared = {name: _filter_for(ui.model._meta.get_field(name)) for name in exact_field_names(ui) if name not in hidden}
        cls = _FILTERSETS[key] = type(f"{ui.model.__name__}ExactFilterSet", (django_filters.FilterSet,), declared)
    return cls


def _refuse(param: str, message: str):
    raise serializers.ValidationError({param: [message]})


class RecordFilterBackend(BaseFilterBackend):
    """Applies exact filters, the filter definition, search and ordering of a ModelUI list."""

    def filter_queryset(self, request, queryset, view):
        ui, user, params = view.ui, request.user, request.query_params
        hidden = access.hidden_fields(user, ui.model)
        for key in params:
            if key in hidden or key.split("__")[0] in hidden:
                _refuse(key, _("You may not filter by this field."))
        if set(params) - RESERVED_PARAMS:  # an exact filter is asked for (unknown names are ignored)
            filterset = exact_filterset_class(ui, hidden)(params, queryset=queryset, request=request)
            if not filterset.is_valid():
                raise serializers.ValidationError(filterset.errors)
            queryset = filterset.qs

        raw = params.get("filter", "").strip()
        ordering = params.get("ordering", "").strip()
        term = params.get("search", "").strip()
        if term:
            queryset = ui.search(queryset, term, user=request.user)
        if raw or ordering:
            # Parsing, limits and field checks are the filter builder's own, so the API and the UI
            # accept and refuse exactly the same definitions.
            from core.lists import filters as list_filters

            fields = list_filters.allowed_fields(ui, user)
            try:
                definition = list_filters.parse_definition(raw)
                queryset = list_filters.apply_definition(queryset, ui, user, definition, fields=fields)
            except DjangoValidationError as exc:
                _refuse("filter", "; ".join(exc.messages))
            if ordering:
                try:
                    return list_filters.apply_ordering(queryset, ui, user, ordering, fields=fields)
                except DjangoValidationError as exc:
                    _refuse("ordering", "; ".join(exc.messages))
        # apply_ordering ends with the id already; the default order needs it too, so page
        # boundaries stay stable when the sort key has ties.
        keys = list(ui.default_ordering)
        if not any(key.lstrip("-") in ("pk", "id") for key in keys):
            keys.append("-pk")
        return queryset.order_by(*keys)

    def get_schema_operation_parameters(self, view):
        ui = getattr(view, "ui", None)
        if ui is None:
            return []

        def param(name, description, schema=None):
            return {"name": name, "required": False, "in": "query", "description": description,
                    "schema": schema or {"type": "string"}}

        params = [
            param("filter", _('Filter definition as JSON: {"op": "and", "rules": [{"field": "name", '
                              '"operator": "contains", "value": "..."}]}; operators: contains, eq, ne, gt, lt, '
                              'gte, lte, empty, in; custom fields as "custom.<code>".')),
            param("ordering", _('Sort keys separated by commas, "-" for descending, e.g. "-created_at,name".')),
            param("search", _("The same search as the list's search box.")),
        ]
        for name, flt in exact_filterset_class(ui, set()).base_filters.items():
            if isinstance(flt, django_filters.NumberFilter):
                schema = {"type": "number"}
            elif isinstance(flt, django_filters.DateFilter):
                schema = {"type": "string", "format": "date"}
            elif isinstance(flt, django_filters.BooleanFilter):
                schema = {"type": "boolean"}
            elif isinstance(flt, django_filters.ChoiceFilter):
                schema = {"type": "string", "enum": [str(value) for value, _label in flt.extra["choices"]]}
            else:
                schema = {"type": "string"}
            params.append(param(name, _("Exact match on %(field)s.") % {"field": flt.label}, schema))
        return params
