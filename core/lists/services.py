"""Writes of a user's list settings: saved filters and column preferences.

These are personal settings, not business data, so they carry no audit entry; each write is still
validated here so that the page and any future API refuse the same bad input.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from core.models import ColumnPreference, SavedFilter
from core.prepared import Prepared

from . import columns as cols
from .filters import allowed_fields, build_q


def _filters(user_id, list_key: str):
    return (SavedFilter.objects.filter(Q(owner_id=user_id) | Q(shared=True), list_key=list_key)
            .select_related("owner")
            .annotate(mine=Case(When(owner_id=user_id, then=Value(1)), default=Value(0), output_field=IntegerField()))
            .order_by("-mine", "name", "id"))


# The list page's menu of saved filters; its SQL is built once (core.prepared).
_page_filters = Prepared(_filters, int, str)


def filters_for(*, user, ui):
    """The user's own saved filters and the ones others shared with everyone, own first."""
    return _filters(user.pk, ui.key)


def saved_filters(*, user, ui) -> list[SavedFilter]:
    """:func:`filters_for` as a list, read by a statement compiled once (every list page shows it)."""
    return _page_filters(user.pk, ui.key)


def get_loadable_filter(*, user, ui, pk) -> SavedFilter:
    try:
        return filters_for(user=user, ui=ui).get(pk=pk)
    except (SavedFilter.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Saved filter not found.")) from None


def _own_filter(user, ui, pk) -> SavedFilter:
    try:
        return SavedFilter.objects.select_for_update().get(pk=pk, owner=user, list_key=ui.key)
    except (SavedFilter.DoesNotExist, ValueError, TypeError):
        # Another user's filter is as good as absent: only its owner may change it.
        raise Http404(_("Saved filter not found.")) from None


@transaction.atomic
def save_filter(*, user, ui, name: str, definition: dict, shared: bool = False) -> SavedFilter:
    """Save the current filter under a name; saving again under the same name replaces it."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the filter a name."))
    if len(name) > 80:
        raise ValidationError(_("The name is too long (80 characters at most)."))
    if not definition or not definition.get("rules"):
        raise ValidationError(_("The filter has no conditions to save."))
    build_q(ui, user, definition)  # refuses unknown, hidden and malformed rules before anything is stored
    saved, _created = SavedFilter.objects.update_or_create(
        owner=user, list_key=ui.key, name=name, defaults={"definition": definition, "shared": bool(shared)})
    return saved


@transaction.atomic
def delete_filter(*, user, ui, pk) -> None:
    _own_filter(user, ui, pk).delete()


@transaction.atomic
def set_filter_shared(*, user, ui, pk, shared: bool) -> SavedFilter:
    saved = _own_filter(user, ui, pk)
    saved.shared = bool(shared)
    saved.save(update_fields=["shared"])
    return saved


@transaction.atomic
def save_columns(*, user, ui, columns: list[str], frozen: int, per_page: int) -> ColumnPreference:
    """Remember which columns the user shows, in which order, how many stay frozen and the page size."""
    available = {c.name for c in cols.available_columns(ui, allowed_fields(ui, user))}
    columns = list(dict.fromkeys(columns))  # keep the first of any repeated name
    unknown = [c for c in columns if c not in available]
    if unknown:
        raise ValidationError(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    if not columns:
        raise ValidationError(_("Show at least one column."))
    if not 0 <= int(frozen) <= cols.MAX_FROZEN:
        raise ValidationError(_("Freeze between 0 and %(n)s columns.") % {"n": cols.MAX_FROZEN})
    if int(per_page) not in cols.PAGE_SIZES:
        raise ValidationError(_("Choose a page size from the list."))
    pref, _created = ColumnPreference.objects.update_or_create(
        user=user, list_key=ui.key, defaults={"columns": columns, "frozen": int(frozen), "per_page": int(per_page)})
    return pref


@transaction.atomic
def reset_columns(*, user, ui) -> None:
    ColumnPreference.objects.filter(user=user, list_key=ui.key).delete()
