"""One filter definition for every list: the UI list, the API, exports and reports.

A definition is plain JSON so it can travel in a URL, be saved per user and be posted to the API::

    {"op": "or", "rules": [
        {"field": "name", "operator": "contains", "value": "科技"},
        {"op": "and", "rules": [{"field": "amount", "operator": "gte", "value": "1000"},
                                {"field": "custom.region", "operator": "in", "value": ["east", "south"]}]}
    ]}

Field types (``FieldInfo.type``): text, number, money, date, datetime, bool, choice, fk, multi, user.
Operators: contains, eq, ne, gt, lt, gte, lte, empty, in. ``empty`` takes an optional boolean value
(false means "is not empty"). Everything here works on a queryset that already went through the
access gate; this module only narrows it further and refuses fields the user may not see.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from core import access

# Field descriptors live in .fields; they are re-exported here because callers (API, export,
# reports) use this module as the one entry point.
from .fields import OPERATOR_LABELS, OPERATORS, TYPE_OPERATORS, FieldInfo, allowed_fields  # noqa: F401

MAX_DEPTH = 3
MAX_RULES = 30
MAX_IN_VALUES = 200
MAX_DEFINITION_CHARS = 20_000
MAX_SORT_KEYS = 5


def _error(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_filter")


def _field_map(ui, user, fields) -> dict[str, FieldInfo]:
    return {f.name: f for f in (fields if fields is not None else allowed_fields(ui, user))}


def _resolve(ui, user, fmap: dict[str, FieldInfo], name) -> FieldInfo:
    if not isinstance(name, str) or not name:
        raise _error(_("A filter rule has no field."))
    if name in fmap:
        return fmap[name]
    if name in access.hidden_fields(user, ui.model):
        raise _error(_("You may not use the field %(field)s.") % {"field": name})
    raise _error(_("Unknown field: %(field)s.") % {"field": name})


# ---- value conversion -------------------------------------------------------------------------

def _convert(info: FieldInfo, raw):
    """One value for a rule, converted to what the lookup needs, or ValidationError."""
    label = info.label
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise _error(_("%(label)s: enter a value.") % {"label": label})
    if isinstance(raw, (list, dict)):
        raise _error(_("%(label)s: enter a single value.") % {"label": label})
    kind = info.type
    if kind in ("number", "money"):
        try:
            number = Decimal(str(raw).replace(",", "").strip())
        except InvalidOperation:
            raise _error(_("%(label)s must be a number.") % {"label": label}) from None
        if not number.is_finite():
            raise _error(_("%(label)s must be a number.") % {"label": label})
        if info.model_field is not None and isinstance(info.model_field, models.IntegerField):
            if number != number.to_integral_value():
                raise _error(_("%(label)s must be a whole number.") % {"label": label})
            return int(number)
        return number
    if kind in ("date", "datetime"):
        try:
            return datetime.date.fromisoformat(str(raw).strip()[:10])
        except ValueError:
            raise _error(_("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}) from None
    if kind == "bool":
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise _error(_("%(label)s must be yes or no.") % {"label": label})
    if kind == "fk" and info.model_field is not None:
        # The related table's own key type (a region is keyed by its code, most tables by a number).
        try:
            value = info.model_field.target_field.to_python(str(raw).strip())
        except ValidationError:
            raise _error(_("%(label)s: choose a valid option.") % {"label": label}) from None
        if value in (None, "") or (isinstance(value, int) and value <= 0):
            raise _error(_("%(label)s: choose a valid option.") % {"label": label})
        return value
    if kind in ("fk", "user"):
        try:
            pk = int(str(raw).strip())
        except ValueError:
            raise _error(_("%(label)s: choose a valid option.") % {"label": label}) from None
        if pk <= 0:
            raise _error(_("%(label)s: choose a valid option.") % {"label": label})
        return pk
    if kind in ("choice", "multi"):
        value = str(raw)
        if value not in {str(v) for v, _label in (info.choices or [])}:
            raise _error(_("%(label)s: choose a valid option.") % {"label": label})
        return value
    value = str(raw).strip()
    if len(value) > 200:
        raise _error(_("%(label)s: the value is too long.") % {"label": label})
    return value


def _convert_many(info: FieldInfo, raw) -> list:
    if isinstance(raw, str):
        raw = [part for part in raw.replace("，", ",").replace("\n", ",").split(",") if part.strip()]
    if not isinstance(raw, (list, tuple)) or not raw:
        raise _error(_("%(label)s: enter at least one value.") % {"label": info.label})
    if len(raw) > MAX_IN_VALUES:
        raise _error(_("%(label)s: too many values.") % {"label": info.label})
    return [_convert(info, item) for item in raw]


def _empty_wanted(raw) -> bool:
    if raw in (None, "", True):
        return True
    if raw is False or str(raw).strip().lower() in ("false", "0", "no"):
        return False
    if str(raw).strip().lower() in ("true", "1", "yes"):
        return True
    raise _error(_("The value of “is empty” must be yes or no."))


# ---- rule → Q -------------------------------------------------------------------------------

class _Aliases:
    """Expressions custom fields need (JSON key text, cast to numbers); added to the queryset once."""

    def __init__(self):
        self.exprs: dict[str, object] = {}

    def custom(self, info: FieldInfo) -> str:
        cf = info.custom
        alias = f"zgcf_{cf.pk}"
        if alias not in self.exprs:
            text = KeyTextTransform(cf.code, "custom")
            if info.type in ("number", "money"):
                expr = Cast(text, models.DecimalField(max_digits=30, decimal_places=6))
            elif info.type == "user":
                expr = Cast(text, models.BigIntegerField())
            else:
                # Cast so lookups are plain text ones, not the JSON-aware ones of a key transform.
                expr = Cast(text, models.TextField())
            self.exprs[alias] = expr
        return alias


def _rule_q(info: FieldInfo, operator: str, raw, aliases: _Aliases) -> Q:
    if operator not in OPERATORS:
        raise _error(_("Unknown operator: %(op)s.") % {"op": operator})
    if operator not in info.operators:
        raise _error(_("The operator “%(op)s” does not apply to %(label)s.") % {"op": operator, "label": info.label})
    kind = info.type
    if info.is_custom:
        path = aliases.custom(info)
    else:
        path = info.name
    if operator == "empty":
        empty = Q(**{f"{path}__isnull": True})
        if kind in ("text", "choice", "multi") or (info.is_custom and kind == "date"):
            empty |= Q(**{path: ""})
        if kind == "multi":
            empty |= Q(**{path: "[]"})
        return empty if _empty_wanted(raw) else ~empty

    if info.is_custom and kind == "bool":
        # Booleans are JSON true/false; compare through the JSON key so both databases agree.
        value = _convert(info, raw)
        eq = Q(**{f"custom__{info.custom.code}": value})
        return eq if operator == "eq" else (~eq | Q(**{f"{path}__isnull": True}))

    if kind == "fk" and operator == "contains":
        text = _convert(FieldInfo(name=info.name, label=info.label, type="text", operators=()), raw)
        return Q(**{f"{path}__name__icontains": text})
    if kind == "fk" and operator in ("eq", "ne", "in") and _is_tree(info):
        # A category means the category and everything under it (机械 › 机床 is still 机械).
        values = _convert_many(info, raw) if operator == "in" else [_convert(info, raw)]
        cond = Q(**{f"{path}__in": _subtree_ids(info, values)})
        return ~cond if operator == "ne" else cond
    if operator == "in":
        values = _convert_many(info, raw)
        if kind == "datetime":
            return Q(**{f"{path}__date__in": values})
        return Q(**{f"{path}__in": values})
    if kind == "multi":  # operator is "contains": the stored JSON list holds this code
        code = _convert(info, raw)
        # The list's JSON text holds the quoted code; SQLite keeps Django's \uXXXX escapes, PostgreSQL does not.
        return (Q(**{f"{path}__icontains": json.dumps(code, ensure_ascii=False)})
                | Q(**{f"{path}__icontains": json.dumps(code)}))
    value = _convert(info, raw)
    if info.is_custom and kind == "date":
        value = value.isoformat()  # stored as ISO text, which sorts like the date
    if kind == "datetime":
        path = f"{path}__date"  # a date compared with a timestamp means that day in the company's time zone
    if operator == "contains":
        return Q(**{f"{path}__icontains": value})
    if operator in ("eq", "ne"):
        lookup = f"{path}__iexact" if kind == "text" else path
        eq = Q(**{lookup: value})
        if operator == "eq":
            return eq
        # "≠ x" keeps rows where the field is empty, which is what people mean by it.
        if info.is_custom:
            return ~eq | Q(**{f"{path}__isnull": True})
        return ~eq
    return Q(**{f"{path}__{operator}": value})


def _is_tree(info: FieldInfo) -> bool:
    from core.models.tree import TreeNode

    related = getattr(info.model_field, "related_model", None)
    return isinstance(related, type) and issubclass(related, TreeNode)


def _subtree_ids(info: FieldInfo, ids) -> list:
    """The chosen nodes and their descendants: one query on the (small) tree table."""
    model = info.model_field.related_model
    paths = list(model.objects.filter(pk__in=ids).values_list("path", flat=True))
    if not paths:
        return list(ids)
    cond = Q()
    for prefix in paths:
        cond |= Q(path__startswith=prefix)
    return list(model.objects.filter(cond).values_list("pk", flat=True))


def parse_definition(raw: str | None) -> dict | None:
    """A definition from a query parameter or form field (JSON text); None when there is none."""
    if raw is None or not str(raw).strip():
        return None
    if len(raw) > MAX_DEFINITION_CHARS:
        raise _error(_("The filter is too long."))
    try:
        value = json.loads(raw)
    except ValueError:
        raise _error(_("The filter is not valid.")) from None
    if not isinstance(value, dict):
        raise _error(_("The filter is not valid."))
    return value


def build_q(ui, user, definition: dict | None, *, fields: list[FieldInfo] | None = None) -> tuple[Q, dict]:
    """The condition of a definition and the aliases it needs; ValidationError when malformed."""
    aliases = _Aliases()
    if not definition:
        return Q(), aliases.exprs
    fmap = _field_map(ui, user, fields)
    count = 0

    def group(node, depth: int) -> Q:
        nonlocal count
        if not isinstance(node, dict):
            raise _error(_("The filter is not valid."))
        if depth > MAX_DEPTH:
            raise _error(_("Filter groups may be nested at most %(n)s levels deep.") % {"n": MAX_DEPTH})
        op = node.get("op", "and")
        if op not in ("and", "or"):
            raise _error(_("A filter group must be joined by AND or OR."))
        rules = node.get("rules", [])
        if not isinstance(rules, list):
            raise _error(_("The filter is not valid."))
        cond = Q()
        for child in rules:
            if isinstance(child, dict) and "rules" in child:
                part = group(child, depth + 1)
            elif isinstance(child, dict):
                count += 1
                if count > MAX_RULES:
                    raise _error(_("A filter may have at most %(n)s conditions.") % {"n": MAX_RULES})
                info = _resolve(ui, user, fmap, child.get("field"))
                part = _rule_q(info, child.get("operator"), child.get("value"), aliases)
            else:
                raise _error(_("The filter is not valid."))
            cond = (cond | part) if op == "or" and cond else (cond & part)
        return cond

    return group(definition, 1), aliases.exprs


def apply_definition(qs, ui, user, definition: dict | None, *, fields: list[FieldInfo] | None = None):
    """Narrow ``qs`` by a filter definition. Raises ValidationError (nothing is queried) when it is malformed."""
    cond, exprs = build_q(ui, user, definition, fields=fields)
    if exprs:
        qs = qs.alias(**exprs)
    return qs.filter(cond) if cond else qs


def _ordered(expr, desc: bool):
    # Same place for empty values on SQLite and PostgreSQL: first going up, last going down.
    return expr.desc(nulls_last=True) if desc else expr.asc(nulls_first=True)


def apply_ordering(qs, ui, user, ordering: str | None, *, fields: list[FieldInfo] | None = None):
    """Sort by "-name,created_at" (fields the user may see); always ends with the id as a unique tiebreaker."""
    fmap = _field_map(ui, user, fields)
    pk = ui.model._meta.pk.name
    keys = [k.strip() for k in (ordering or "").split(",") if k.strip()]
    if not keys:
        keys = list(ui.default_ordering)
    if len(keys) > MAX_SORT_KEYS:
        raise _error(_("Sort by at most %(n)s columns.") % {"n": MAX_SORT_KEYS})
    aliases = _Aliases()
    order_by: list = []
    seen: set[str] = set()
    for key in keys:
        desc = key.startswith("-")
        name = key.lstrip("-")
        if name in seen:
            continue
        seen.add(name)
        if name in (pk, "pk"):
            order_by.append(f"-{pk}" if desc else pk)
            break  # the id is unique already: anything after it changes nothing
        info = _resolve(ui, user, fmap, name)
        if info.type == "fk":
            # A relation sorts by the related model's own ordering (a level by its sort number).
            related = info.model_field.related_model._meta
            for part in [o for o in (related.ordering or ["pk"]) if isinstance(o, str)]:
                part_desc = desc != part.startswith("-")
                order_by.append(_ordered(F(f"{name}__{part.lstrip('-')}"), part_desc))
            continue
        order_by.append(_ordered(F(aliases.custom(info)) if info.is_custom else F(name), desc))
    last = order_by[-1] if order_by else None
    if last not in (pk, f"-{pk}"):
        first_desc = keys[0].startswith("-")
        order_by.append(f"-{pk}" if first_desc else pk)
    if aliases.exprs:
        qs = qs.alias(**aliases.exprs)
    return qs.order_by(*order_by)


def sort_keys(ordering: str | None) -> list[tuple[str, bool]]:
    """[(field, descending)] of an ordering string, for showing arrows on column headers."""
    return [(k.strip().lstrip("-"), k.strip().startswith("-")) for k in (ordering or "").split(",") if k.strip()]
