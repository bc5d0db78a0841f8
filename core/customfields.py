"""Validation and conversion of custom field values (stored in a record's ``custom`` JSON column)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CustomField

T = CustomField.Type


def definitions(module: str) -> list[CustomField]:
    return list(CustomField.objects.filter(module=module, active=True))


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
        return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
    if field.type == T.BOOL:
        common["required"] = False
        return forms.BooleanField(**common)
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
