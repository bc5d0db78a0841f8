"""What a list's fields are for one user: name, label, type, operators and choices.

``allowed_fields`` is the one answer to "which fields may this user filter, sort, show and export"
for the list page, the API, exports and reports; hidden fields of the user's roles are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access, customfields
from core.models import CustomField

OPERATORS = ("contains", "eq", "ne", "gt", "lt", "gte", "lte", "empty", "in")
OPERATOR_LABELS = {
    "contains": gettext_lazy("contains"), "eq": "=", "ne": "≠", "gt": ">", "lt": "<", "gte": "≥", "lte": "≤",
    "empty": gettext_lazy("is empty"), "in": gettext_lazy("is one of"),
}
_ORDERED = ("eq", "ne", "gt", "lt", "gte", "lte", "empty", "in")
TYPE_OPERATORS = {
    "text": ("contains", "eq", "ne", "empty", "in"),
    "number": _ORDERED,
    "money": _ORDERED,
    "date": ("eq", "ne", "gt", "lt", "gte", "lte", "empty"),
    "datetime": ("eq", "ne", "gt", "lt", "gte", "lte", "empty"),
    "bool": ("eq", "ne", "empty"),
    "choice": ("eq", "ne", "in", "empty"),
    "fk": ("eq", "ne", "in", "empty"),
    "user": ("eq", "ne", "in", "empty"),
    "multi": ("contains", "empty"),
}
CHOICE_LIMIT = 500  # options offered for a foreign key in the filter builder


@dataclass
class FieldInfo:
    """A field the user may filter, sort or show. ``name`` is what definitions use."""

    name: str
    label: str
    type: str
    operators: tuple[str, ...]
    model_field: models.Field | None = None
    custom: CustomField | None = None
    _choices: object = field(default=None, repr=False)  # list, or a callable returning one (loaded on first use)

    @property
    def choices(self) -> list[tuple[str, str]] | None:
        """[(value, label)] for choice, fk, user, multi and bool fields; None for free input."""
        if callable(self._choices):
            self._choices = [(str(v), str(label)) for v, label in self._choices()]
        return self._choices

    @property
    def is_custom(self) -> bool:
        return self.custom is not None

    @property
    def loads_choices(self) -> bool:
        """Whether the options come from the database (users, related records) and are not read yet."""
        return callable(self._choices) and self.type in ("fk", "user")

    def as_json(self, *, lazy: bool = False) -> dict:
        """``lazy``: options read from the database are left out (``"choices_lazy": true``); the filter
        builder asks the list page for them (``?choices=<name>``) when the field is picked, so the page
        itself does not pay a query per foreign key."""
        if lazy and self.loads_choices:
            return {"name": self.name, "label": self.label, "type": self.type, "operators": list(self.operators),
                    "choices": None, "choices_lazy": True}
        return {"name": self.name, "label": self.label, "type": self.type, "operators": list(self.operators),
                "choices": self.choices}


# ---- field descriptors ----------------------------------------------------------------------

def _model_field_type(f: models.Field) -> str:
    if f.is_relation:
        return "fk"
    if f.choices:
        return "choice"
    if isinstance(f, models.BooleanField):
        return "bool"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.DecimalField):
        return "money"
    if isinstance(f, (models.IntegerField, models.FloatField)):
        return "number"
    return "text"


def _plain_limit(f) -> dict | None:
    """The field's limit_choices_to when it is plain equality ({"kind": "industry"}), else None."""
    limit = f.get_limit_choices_to() or {}
    if isinstance(limit, dict) and all("__" not in k and isinstance(v, (str, int, bool)) for k, v in limit.items()):
        return limit
    return None


class _FkChoices:
    """Options of the foreign keys of one list, loaded on first use; keys to the same table (six
    lookup lists, province and city) share one query so the page's query count stays small."""

    def __init__(self, user):
        self.user = user
        self.fields: dict[type, list] = {}
        self.loaded: dict[str, list] = {}

    def loader(self, f):
        self.fields.setdefault(f.related_model, []).append(f)
        return lambda: self.load(f)

    def load(self, f) -> list:
        if f.name not in self.loaded:
            self._load_table(f.related_model)
        return self.loaded[f.name]

    def _load_table(self, related) -> None:
        fields = self.fields[related]
        if related in access.registered_models():
            # Business records are offered only as far as the user may read them.
            rows = [(o.pk, str(o)) for o in access.visible_to(self.user, "read", related)[:CHOICE_LIMIT]]
            for f in fields:
                self.loaded[f.name] = rows
            return
        limits = [_plain_limit(f) for f in fields]
        if len(fields) == 1 or any(limit is None for limit in limits):
            for f in fields:
                qs = related._default_manager.complex_filter(f.get_limit_choices_to() or {})
                self.loaded[f.name] = [(o.pk, str(o)) for o in qs[:CHOICE_LIMIT]]
            return
        qs = related._default_manager.all()
        if all(limits):
            cond = Q()
            for limit in limits:
                cond |= Q(**limit)
            qs = qs.filter(cond)
        objects = list(qs[:CHOICE_LIMIT * len(fields)])
        for f, limit in zip(fields, limits, strict=True):
            matching = [o for o in objects if all(getattr(o, k) == v for k, v in limit.items())]
            self.loaded[f.name] = [(o.pk, str(o)) for o in matching[:CHOICE_LIMIT]]


def _users_choices():
    from org.models import User

    return [(u.pk, str(u)) for u in User.objects.order_by("-is_active", "id")[:CHOICE_LIMIT]]


def _bool_choices():
    return [("true", _("Yes")), ("false", _("No"))]


def _custom_choice_list(cf: CustomField):
    return [((c.get("value", c)) if isinstance(c, dict) else c,
             (c.get("label", c.get("value", c))) if isinstance(c, dict) else c) for c in cf.choices]


def _has_name(model) -> bool:
    try:
        return isinstance(model._meta.get_field("name"), models.CharField)
    except FieldDoesNotExist:
        return False


def _field_names(ui) -> list[str]:
    names = list(ui.filter_fields if ui.filter_fields is not None else ui.list_columns)
    # Sorting and showing also work on every list column, so include those too.
    for name in ui.list_columns:
        if name not in names:
            names.append(name)
    return names


def allowed_fields(ui, user) -> list[FieldInfo]:
    """Fields of ``ui`` the user may filter by, sort by and see, custom fields of the module included."""
    hidden = access.hidden_fields(user, ui.model)
    fk_choices = _FkChoices(user)
    result: list[FieldInfo] = []
    for name in _field_names(ui):
        if name in hidden or name.startswith("custom."):
            continue
        try:
            f = ui.model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not f.concrete or f.many_to_many:
            continue
        kind = _model_field_type(f)
        if kind == "fk":
            choices = fk_choices.loader(f)
        elif kind == "choice":
            choices = list(f.choices)
        elif kind == "bool":
            choices = _bool_choices
        else:
            choices = None
        operators = TYPE_OPERATORS[kind]
        if kind == "fk" and _has_name(f.related_model):
            # Long tables (3,000 districts) do not fit a drop-down; "contains" matches the related name.
            operators = operators + ("contains",)
        result.append(FieldInfo(name=name, label=str(capfirst(f.verbose_name)), type=kind, operators=operators,
                                model_field=f, _choices=choices))
    T = CustomField.Type
    for cf in customfields.definitions(ui.key):
        name = f"custom.{cf.code}"
        if name in hidden:
            continue
        kind = {T.TEXT: "text", T.NUMBER: "number", T.MONEY: "money", T.DATE: "date", T.CHOICE: "choice",
                T.MULTI: "multi", T.USER: "user", T.BOOL: "bool"}.get(cf.type, "text")
        if kind in ("choice", "multi"):
            choices = _custom_choice_list(cf)
        elif kind == "user":
            choices = _users_choices
        elif kind == "bool":
            choices = _bool_choices
        else:
            choices = None
        result.append(FieldInfo(name=name, label=cf.label, type=kind, operators=TYPE_OPERATORS[kind],
                                custom=cf, _choices=choices))
    return result
