"""Validation and conversion of custom field values (stored in a record's ``custom`` JSON column)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from . import access, audit
from .models import CustomField
from .prepared import Prepared

T = CustomField.Type


# Read on every list, form and API page; its SQL is built once (core.prepared).
_active_fields = Prepared(lambda module: CustomField.objects.filter(module=module, active=True), str)


def definitions(module: str) -> list[CustomField]:
    return _active_fields(module)


def _choice_codes(field: CustomField) -> set[str]:
    return {str(c.get("value", c)) if isinstance(c, dict) else str(c) for c in field.choices}


def clean_value(field: CustomField, raw):
    """Turn user input into the stored JSON value, or raise ValidationError with a clear message."""
    empty = raw in (None, "", [], ())
    if empty:
        if field.required:
            raise ValidationError(_("%(label)s is required.") % {"label": field.label})
        return [] if field.type == T.MULTI else None
    label = field.label
    if field.type == T.TEXT:
        value = str(raw).strip()
        if field.regex and not re.fullmatch(field.regex, value):
            raise ValidationError(_("%(label)s has an invalid format.") % {"label": label})
        return value[:2000]
    if field.type in (T.NUMBER, T.MONEY):
        try:
            number = Decimal(str(raw).replace(",", "").strip())
        except InvalidOperation:
            raise ValidationError(_("%(label)s must be a number.") % {"label": label}) from None
        if not number.is_finite():
            raise ValidationError(_("%(label)s must be a number.") % {"label": label})
        if field.min_value is not None and number < field.min_value:
            raise ValidationError(_("%(label)s must be at least %(min)s.") % {"label": label, "min": field.min_value})
        if field.max_value is not None and number > field.max_value:
            raise ValidationError(_("%(label)s must be at most %(max)s.") % {"label": label, "max": field.max_value})
        if field.type == T.MONEY:
            number = number.quantize(Decimal("0.01"))
        return str(number)
    if field.type == T.DATE:
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        try:
            return datetime.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValidationError(_("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}) from None
    if field.type == T.CHOICE:
        value = str(raw)
        if value not in _choice_codes(field):
            raise ValidationError(_("%(label)s: invalid choice.") % {"label": label})
        return value
    if field.type == T.MULTI:
        values = [str(v) for v in (raw if isinstance(raw, (list, tuple)) else [raw])]
        if not set(values) <= _choice_codes(field):
            raise ValidationError(_("%(label)s: invalid choice.") % {"label": label})
        return values
    if field.type == T.USER:
        from org.models import User

        try:
            user_id = int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            raise ValidationError(_("%(label)s: unknown user.") % {"label": label}) from None
        if not User.objects.filter(pk=user_id).exists():
            raise ValidationError(_("%(label)s: unknown user.") % {"label": label})
        return user_id
    if field.type == T.BOOL:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on", "是"}:
            return True
        if text in {"0", "false", "no", "off", "否"}:
            return False
        raise ValidationError(_("%(label)s must be yes or no.") % {"label": label})
    raise ValidationError(_("Unknown field type."))


def clean_values(module: str, values: dict, *, existing: dict | None = None, partial: bool = False) -> dict:
    """Validate a dict of custom values against the module's definitions; unknown keys are refused."""
    fields = {f.code: f for f in definitions(module)}
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError(_("Unknown custom fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    result = dict(existing or {})
    errors = {}
    for code, field in fields.items():
        if partial and code not in values:
            continue
        try:
            result[code] = clean_value(field, values.get(code))
        except ValidationError as exc:
            errors[f"custom.{code}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return result


def form_field(field: CustomField):
    """A Django form field for a custom field definition (validation proper happens in clean_value)."""
    from django import forms

    common = {"label": field.label, "required": field.required, "help_text": field.help_text}
    options = [(str(c.get("value", c)) if isinstance(c, dict) else str(c),
                str(c.get("label", c.get("value", c))) if isinstance(c, dict) else str(c)) for c in field.choices]
    if field.type in (T.NUMBER, T.MONEY):
        return forms.DecimalField(widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}), **common)
    if field.type == T.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}), **common)
    if field.type == T.CHOICE:
        return forms.ChoiceField(choices=[("", "---------")] + options, widget=forms.Select(attrs={"class": "form-select"}), **common)
    if field.type == T.MULTI:
        # A list box rather than checkboxes: page templates treat a "checkbox" widget as a single box.
        size = min(max(len(options), 2), 8)
        return forms.MultipleChoiceField(choices=options, widget=forms.SelectMultiple(attrs={"class": "form-select", "size": size}), **common)
    if field.type == T.BOOL:
        common["required"] = False
        return forms.BooleanField(widget=forms.CheckboxInput(attrs={"class": "form-check-input"}), **common)
    if field.type == T.USER:
        from org.models import User

        return forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), widget=forms.Select(attrs={"class": "form-select"}), **common)
    return forms.CharField(max_length=2000, widget=forms.TextInput(attrs={"class": "form-control"}), **common)


def display_value(field: CustomField, value):
    """A custom value as people read it (choice labels, 是/否, user names)."""
    from django.utils.translation import gettext as _

    if value in (None, "", []):
        return ""
    labels = {(str(c.get("value", c)) if isinstance(c, dict) else str(c)): (c.get("label", c.get("value")) if isinstance(c, dict) else c)
              for c in field.choices}
    if field.type == T.CHOICE:
        return labels.get(str(value), value)
    if field.type == T.MULTI:
        return "、".join(str(labels.get(str(v), v)) for v in value)
    if field.type == T.BOOL:
        return _("Yes") if value else _("No")
    if field.type == T.USER:
        from org.models import User

        user = User.objects.filter(pk=value).first()
        return str(user) if user else value
    return value


# ---- administration (the custom fields page) -----------------------------------------------

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Codes that would read as query lookups (custom__contains …) in filters and the API.
RESERVED_CODES = {
    "id", "pk", "exact", "iexact", "contains", "icontains", "in", "gt", "gte", "lt", "lte", "startswith",
    "istartswith", "endswith", "iendswith", "range", "isnull", "regex", "iregex", "has_key", "has_keys",
    "has_any_keys", "contained_by", "keys", "values", "len",
}
CHOICE_TYPES = {T.CHOICE, T.MULTI}
NUMBER_TYPES = {T.NUMBER, T.MONEY}


def modules() -> list[tuple[str, str]]:
    """(entity key, label) of every kind of record that can carry custom fields, e.g. customers.contact."""
    return sorted(((key, str(access.model_of(key)._meta.verbose_name_plural)) for key in access.ENTITIES
                   if any(f.name == "custom" for f in access.model_of(key)._meta.concrete_fields)),
                  key=lambda pair: pair[0])


def may_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def parse_choices(text: str) -> list[dict]:
    """"value=label" lines (or just "label", which is then also the value) to stored choices."""
    choices, seen = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        value, sep, label = line.partition("=")
        value, label = value.strip(), (label.strip() if sep else value.strip())
        if not value or not label:
            raise ValidationError(_("Line %(n)s: write value=label.") % {"n": number})
        if len(value) > 60 or len(label) > 100:
            raise ValidationError(_("Line %(n)s is too long.") % {"n": number})
        if value in seen:
            raise ValidationError(_("Line %(n)s: the value %(value)s appears twice.") % {"n": number, "value": value})
        seen.add(value)
        choices.append({"value": value, "label": label})
    return choices


def choices_text(field: CustomField) -> str:
    lines = []
    for c in field.choices:
        if isinstance(c, dict):
            value, label = str(c.get("value", "")), str(c.get("label", c.get("value", "")))
            lines.append(value if value == label else f"{value}={label}")
        else:
            lines.append(str(c))
    return "\n".join(lines)


def _models_of(entity: str) -> list:
    return [m for m in access.registered_models()
            if access.spec_for(m).entity == entity and any(f.name == "custom" for f in m._meta.concrete_fields)]


def field_in_use(field: CustomField) -> bool:
    """Whether any record of the module (deleted ones included) holds a value for the field."""
    for model in _models_of(field.module):
        # KeyTextTransform takes the code literally, whatever characters it holds.
        # Cast makes the comparisons plain text ones (JSON key lookups would parse "" as JSON on SQLite);
        # SQLite reads a JSON null as the text "null", PostgreSQL as NULL.
        value = Cast(KeyTextTransform(field.code, "custom"), TextField())
        qs = model._base_manager.annotate(_cf=value).filter(_cf__isnull=False)
        if qs.exclude(_cf__in=["", "[]", "null"]).exists():
            return True
    return False


def _decimal(raw, key: str, errors: dict):
    if raw in (None, ""):
        return None
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        errors[key] = _("Enter a number.")
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        errors[key] = _("Enter a number.")
        return None
    return number


def _clean_definition(module: str, data: dict, *, instance: CustomField | None) -> dict:
    """Check a definition as a whole; raise ValidationError naming each bad input."""
    errors: dict[str, str] = {}
    label = str(data.get("label") or "").strip()
    ftype = data.get("type") or (instance.type if instance else "")
    code = instance.code if instance else str(data.get("code") or "").strip()
    if module not in dict(modules()):
        raise ValidationError(_("Unknown module."))
    if not label:
        errors["label"] = _("Enter a label.")
    elif len(label) > 60:
        errors["label"] = _("The label is too long (at most 60 characters).")
    if instance is None:
        if not CODE_RE.match(code):
            errors["code"] = _("Use lowercase letters, digits and _, starting with a letter (at most 40).")
        elif code in RESERVED_CODES:
            errors["code"] = _("This code is reserved; choose another.")
        elif CustomField.objects.filter(module=module, code=code).exists():
            errors["code"] = _("This module already has a field with this code.")
    if ftype not in T.values:
        errors["type"] = _("Choose a field type.")
    elif instance is not None and ftype != instance.type and field_in_use(instance):
        errors["type"] = _("Records already hold values for this field, so its type cannot change. Add a new field instead.")
    choices = data.get("choices") or []
    if isinstance(choices, str):
        try:
            choices = parse_choices(choices)
        except ValidationError as exc:
            errors["choices"] = exc.messages[0]
            choices = []
    if ftype in CHOICE_TYPES:
        if not choices and "choices" not in errors:
            errors["choices"] = _("A choice field needs at least one choice.")
    else:
        choices = []
    regex = str(data.get("regex") or "").strip() if ftype == T.TEXT else ""
    if regex:
        try:
            re.compile(regex)
        except re.error as exc:
            errors["regex"] = _("The pattern is not a valid regular expression: %(error)s") % {"error": exc}
        if len(regex) > 200:
            errors["regex"] = _("The pattern is too long (at most 200 characters).")
    min_value = _decimal(data.get("min_value"), "min_value", errors) if ftype in NUMBER_TYPES else None
    max_value = _decimal(data.get("max_value"), "max_value", errors) if ftype in NUMBER_TYPES else None
    if min_value is not None and max_value is not None and min_value > max_value:
        errors["max_value"] = _("The maximum must not be below the minimum.")
    help_text = str(data.get("help_text") or "").strip()
    if len(help_text) > 200:
        errors["help_text"] = _("The help text is too long (at most 200 characters).")
    if errors:
        raise ValidationError(errors)
    return {"label": label, "code": code, "type": ftype, "required": bool(data.get("required")), "choices": choices,
            "regex": regex, "min_value": min_value, "max_value": max_value, "help_text": help_text}


def _require_admin(actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("Only administrators may change custom fields."))


def field_create(*, actor, module: str, data: dict) -> CustomField:
    """Add a custom field at the end of the module's form."""
    _require_admin(actor)
    with transaction.atomic():
        values = _clean_definition(module, data, instance=None)
        last = CustomField.objects.filter(module=module).aggregate(m=Max("sort"))["m"] or 0
        field = CustomField.objects.create(module=module, sort=last + 10, **values)
        audit.log(actor=actor, action=audit.Action.CREATE, instance=field, changes=audit.diff({}, audit.snapshot(field)))
    return field


def field_update(*, actor, field: CustomField, data: dict) -> CustomField:
    """Change a definition; the code stays, since stored values are keyed by it."""
    _require_admin(actor)
    with transaction.atomic():
        locked = CustomField.objects.select_for_update().get(pk=field.pk)
        values = _clean_definition(locked.module, data, instance=locked)
        before = audit.snapshot(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        changes = audit.diff(before, audit.snapshot(locked))
        if changes:
            locked.save()
            audit.log(actor=actor, action=audit.Action.UPDATE, instance=locked, changes=changes)
    return locked


def field_set_active(*, actor, field: CustomField, active: bool) -> CustomField:
    """An inactive field leaves forms and pages; the values records hold are kept for when it returns."""
    _require_admin(actor)
    with transaction.atomic():
        locked = CustomField.objects.select_for_update().get(pk=field.pk)
        if locked.active != active:
            locked.active = active
            locked.save(update_fields=["active"])
            audit.log(actor=actor, action=audit.Action.UPDATE, instance=locked, changes={"active": [not active, active]})
    return locked


def field_reorder(*, actor, module: str, ids: list[int]) -> None:
    """Put the module's fields in the given order (fields not named follow in their old order)."""
    _require_admin(actor)
    with transaction.atomic():
        rows = {row.pk: row for row in CustomField.objects.select_for_update().filter(module=module)}
        ids = [int(i) for i in ids]
        if len(set(ids)) != len(ids) or not set(ids) <= set(rows):
            raise ValidationError(_("The order names fields that are not in this module."))
        rest = [pk for pk in sorted(rows, key=lambda pk: (rows[pk].sort, pk)) if pk not in set(ids)]
        changes = {}
        for index, pk in enumerate(ids + rest):
            row, new_sort = rows[pk], (index + 1) * 10
            if row.sort != new_sort:
                changes[row.code] = [row.sort, new_sort]
                row.sort = new_sort
                row.save(update_fields=["sort"])
        if changes:
            audit.log(actor=actor, action=audit.Action.UPDATE, model=CustomField, object_repr=module,
                      changes={"order": changes}, message=_("Reordered"))


def field_move(*, actor, field: CustomField, offset: int) -> None:
    """Move a field up (-1) or down (+1) in its module's form."""
    ids = list(CustomField.objects.filter(module=field.module).order_by("sort", "id").values_list("pk", flat=True))
    index = ids.index(field.pk)
    target = max(0, min(len(ids) - 1, index + offset))
    if target != index:
        ids.insert(target, ids.pop(index))
        field_reorder(actor=actor, module=field.module, ids=ids)
