"""Which columns a list shows for a user, and how a record's value reads in a cell or an export."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from functools import partialmethod

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.models import ColumnPreference, CustomField
from core.prepared import Prepared

from .fields import FieldInfo

PAGE_SIZES = (10, 20, 50, 100, 200)
MAX_FROZEN = 4


def available_columns(ui, fields: list[FieldInfo]) -> list[FieldInfo]:
    """Columns the user may show: the UI's list columns and the module's custom fields, minus hidden ones."""
    by_name = {f.name: f for f in fields}
    result = [by_name[name] for name in ui.list_columns if name in by_name]
    result += [f for f in fields if f.is_custom]
    return result


# Read on every list page; its SQL is built once (core.prepared).
_preference = Prepared(lambda user_id, key: ColumnPreference.objects.filter(user_id=user_id, list_key=key).order_by("pk")[:1],
                       int, str)


def preference(ui, user) -> ColumnPreference | None:
    found = _preference(user.pk, ui.key)
    return found[0] if found else None


def visible_columns(ui, available: list[FieldInfo], pref: ColumnPreference | None) -> list[FieldInfo]:
    by_name = {f.name: f for f in available}
    chosen = [by_name[n] for n in (pref.columns if pref else []) if n in by_name]
    if chosen:
        return chosen
    default = ui.default_columns or ui.list_columns
    return [by_name[n] for n in default if n in by_name] or available[:8]


def frozen_count(ui, pref: ColumnPreference | None) -> int:
    return min(pref.frozen if pref else ui.frozen, MAX_FROZEN)


def per_page(pref: ColumnPreference | None, requested=None) -> int:
    try:
        size = int(requested)
    except (TypeError, ValueError):
        size = pref.per_page if pref else 20
    return size if size in PAGE_SIZES else 20


def related_paths(columns: list[FieldInfo]) -> list[str]:
    """Foreign keys among the shown columns, to load with the rows in one query."""
    return [c.name for c in columns if c.type == "fk" and not c.is_custom]


def page_fields(ui, columns: list[FieldInfo]) -> list[str] | None:
    """The model fields a list page reads from its rows: the shown columns, the custom values when a
    custom column is shown, and what the UI's row_class reads. None when that is not known (a row_class
    that names no row_fields), and the page loads whole rows.

    A customer row has 50 columns and its owner 20 more; loading only the shown ones spares compiling,
    sending and converting the rest. A related record (``STR_FIELDS`` on its model) loads what its
    name reads, so an owner's password hash never travels with a list page."""
    from core.ui import ModelUI

    reads = ui.row_fields
    if reads is None:
        if type(ui).row_class is not ModelUI.row_class:
            return None
        reads = ()
    names = {ui.model._meta.pk.name, *reads}
    for col in columns:
        if col.is_custom:
            names.add("custom")
        elif col.type == "fk" and getattr(col.model_field.related_model, "STR_FIELDS", None):
            # A related record shows as its __str__; a model naming what that reads loads only those.
            names.update(f"{col.name}__{name}" for name in col.model_field.related_model.STR_FIELDS)
        else:
            names.add(col.name)
    return sorted(names)


# ---- values ---------------------------------------------------------------------------------

def _custom_number(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _choice_label(cf: CustomField, code) -> str:
    for c in cf.choices:
        value, label = (c.get("value", c), c.get("label", c.get("value", c))) if isinstance(c, dict) else (c, c)
        if str(value) == str(code):
            return str(label)
    return str(code)


class UserNames:
    """Names of users referenced by custom user fields on a page of rows, loaded in one query."""

    def __init__(self, columns: list[FieldInfo], rows):
        from org.models import User

        ids = set()
        for col in columns:
            if col.is_custom and col.type == "user":
                for row in rows:
                    value = (row.custom or {}).get(col.custom.code)
                    if isinstance(value, int):
                        ids.add(value)
        self.names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)} if ids else {}

    def get(self, pk) -> str:
        return self.names.get(pk, "")


def raw_value(col: FieldInfo, row, users: UserNames):
    """The value typed for a spreadsheet: numbers as Decimal/int, dates as dates, everything else text."""
    if col.is_custom:
        value = (row.custom or {}).get(col.custom.code)
        if value in (None, "", []):
            return None
        kind = col.type
        if kind in ("number", "money"):
            return _custom_number(value)
        if kind == "date":
            try:
                return datetime.date.fromisoformat(str(value))
            except ValueError:
                return str(value)
        if kind == "bool":
            return _("Yes") if value else _("No")
        if kind == "choice":
            return _choice_label(col.custom, value)
        if kind == "multi":
            return "、".join(_choice_label(col.custom, v) for v in (value if isinstance(value, list) else [value]))
        if kind == "user":
            return users.get(value)
        return str(value)
    name = col.name
    if col.type == "fk":
        related = getattr(row, name)
        return str(related) if related is not None else None
    if col.type == "choice":
        return _choice_display(row, col)
    value = getattr(row, name)
    if value is None:
        return None
    if col.type == "bool":
        return _("Yes") if value else _("No")
    if col.type == "datetime":
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


_CHOICE_LABELS: dict = {}


def _choice_display(row, col: FieldInfo) -> str:
    """What ``get_<field>_display()`` gives, from a table built once per model and field: Django builds a
    dict of every choice on each call, and a list page makes a few dozen. A model that words the field
    its own way (its own ``get_<field>_display``, not Django's) keeps its method."""
    field = col.model_field
    key = (type(row), field)
    if key not in _CHOICE_LABELS:
        method = f"get_{field.name}_display"
        own = next((klass.__dict__[method] for klass in type(row).__mro__ if method in klass.__dict__), None)
        _CHOICE_LABELS[key] = dict(field.flatchoices) if own is None or isinstance(own, partialmethod) else None
    labels = _CHOICE_LABELS[key]
    if labels is None:
        return getattr(row, f"get_{field.name}_display")()
    value = getattr(row, field.attname)
    try:
        return str(labels.get(value, value))
    except TypeError:  # an unhashable value is never a choice
        return str(value)


_FORMATS: dict = {}


def _date_text(value, format_name: str) -> str:
    """formats.date_format(value, format_name), with the format looked up and split into its parts once
    per language rather than for each of a list page's dates."""
    from django.utils import dateformat, translation

    key = (format_name, translation.get_language())
    parts = _FORMATS.get(key)
    if parts is None:
        parts = _FORMATS[key] = [
            (i % 2 == 1, piece if i % 2 else dateformat.re_escaped.sub(r"\1", piece))
            for i, piece in enumerate(dateformat.re_formatchars.split(str(formats.get_format(format_name))))]
    formatter = dateformat.DateFormat(value)
    return "".join(str(getattr(formatter, piece)()) if code else piece for code, piece in parts)


def display(col: FieldInfo, row, users: UserNames) -> str:
    """The value as people read it in the list and on the print page."""
    value = raw_value(col, row, users)
    if value is None or value == "":
        return ""
    # Amounts are grouped by thousands as Chinese accounting software does, whatever the locale says.
    if col.type == "money" and isinstance(value, (Decimal, int, float)):
        return f"{Decimal(value):,.2f}"
    if col.type == "number" and isinstance(value, (Decimal, int, float)):
        return f"{value:,}"
    if isinstance(value, datetime.datetime):
        return _date_text(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return _date_text(value, "SHORT_DATE_FORMAT")
    return str(value)


def is_numeric(col: FieldInfo) -> bool:
    return col.type in ("money", "number")
