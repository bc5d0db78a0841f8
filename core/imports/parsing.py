"""Helpers importers share: field lists from a model (minus what the user may not set), cell
parsers (dates, numbers, choices by value or label in English or Chinese), and bulk writes with
their audit entries and versions."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import access, audit, customfields
from core.audit import Action

from .mapping import norm
from .registry import ImportField, RowError

EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value.strip() if isinstance(value, str) else str(value).strip()


def model_fields(actor, model, spec: list[tuple[str, bool, tuple[str, ...]]]) -> list[ImportField]:
    """ImportFields for (field name, required, aliases) of ``model``, leaving out the fields hidden
    from or read-only for the actor, then the model's active custom fields."""
    blocked = access.hidden_fields(actor, model) | access.readonly_fields(actor, model)
    out = []
    for name, required, aliases in spec:
        if name in blocked:
            continue
        out.append(ImportField(name=name, label=model._meta.get_field(name).verbose_name, required=required,
                               aliases=aliases))
    for field in customfields.definitions(access.entity_of(model)):
        key = f"custom.{field.code}"
        if key not in blocked and field.code not in blocked:
            out.append(ImportField(name=key, label=field.label, required=field.required, aliases=(field.code,)))
    return out


def custom_definitions(model) -> dict[str, object]:
    return {f"custom.{f.code}": f for f in customfields.definitions(access.entity_of(model))}


def max_lengths(model) -> dict[str, int]:
    return {f.name: f.max_length for f in model._meta.concrete_fields if getattr(f, "max_length", None)
            and f.get_internal_type() in ("CharField", "EmailField", "SlugField", "URLField")}


def choice_map(choices) -> dict[str, str]:
    """Normalised value, English label and Chinese label → stored value."""
    out = {}
    for value, label in choices:
        out[norm(value)] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                out[norm(str(label))] = value
    return out


def parse_choice(name: str, raw, mapping: dict[str, str]) -> str:
    value = mapping.get(norm(raw))
    if value is None:
        raise RowError(name, _("Unknown value."), raw)
    return value


def parse_date(name: str, raw) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, (int, float)) and 1 < raw < 200000:  # an Excel serial day number
        return EXCEL_EPOCH + datetime.timedelta(days=int(raw))
    match = _DATE_RE.match(text(raw))
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise RowError(name, _("Enter a date as YYYY-MM-DD."), raw)


def parse_decimal(name: str, raw, *, max_digits: int = 16, places: int = 2) -> Decimal:
    try:
        number = Decimal(text(raw).replace(",", "").replace("，", "").replace("¥", "").replace("￥", ""))
    except InvalidOperation:
        raise RowError(name, _("Enter a number."), raw) from None
    if not number.is_finite():
        raise RowError(name, _("Enter a number."), raw)
    number = number.quantize(Decimal(1).scaleb(-places))
    if len(number.as_tuple().digits) > max_digits:
        raise RowError(name, _("The number is too large."), raw)
    return number


def parse_custom(name: str, field, raw):
    try:
        return customfields.clean_value(field, raw)
    except ValidationError as exc:
        raise RowError(name, "; ".join(exc.messages), raw) from None


def create_with_audit(*, actor, model, objs: list, comment: str, insert=None) -> list:
    """bulk_create (or ``insert(objs)``) plus one audit entry and one version per created record.

    The version is kept (not folded into the audit entry): core.services.restore_version reads it, so
    an imported record can be brought back to how it was imported."""
    created = insert(objs) if insert is not None else model.objects.bulk_create(objs, batch_size=500)
    snapshots = _snapshots(created)
    keys = sorted(key for key in (snapshots[0] if snapshots else ()) if key not in ("updated_at", "version"))
    audit.log_many(actor=actor, action=Action.CREATE, message=comment,
                   entries=[(obj, _created_changes(data, keys)) for obj, data in zip(created, snapshots, strict=True)])
    audit.record_versions(created, actor=actor, comment=comment, snapshots=snapshots)
    return created


_AS_IS = (str, int, bool, type(None), dict, list)


def _snapshots(objs: list) -> list[dict]:
    """audit.snapshot of each record; values already JSON-friendly are taken as they are."""
    if not objs:
        return []
    names = [f.attname for f in objs[0]._meta.concrete_fields]
    out = []
    for obj in objs:
        values = obj.__dict__
        data = {}
        for name in names:
            value = values[name]
            data[name] = value if type(value) in _AS_IS else audit._plain(value)
        out.append(data)
    return out


def _created_changes(data: dict, keys: list[str]) -> dict:
    """audit.diff({}, data) for a new record: every set value against nothing, in key order
    (``keys``: the snapshot's keys, sorted once per batch, less those diff ignores)."""
    return {key: [None, data[key]] for key in keys if data[key] is not None}


def update_with_audit(*, actor, model, changed: list[tuple[object, dict]], comment: str,
                      derived: tuple[str, ...] = ()) -> list:
    """bulk_update of records changed in memory (each with its snapshot from before), version bumped,
    plus audit entries and versions. Records without a change are left alone. ``derived`` columns
    (search keys) are written along but are not a change a person made, so not in the audit."""
    now = timezone.now()
    entries, objs, snapshots, fields = [], [], [], {"version", "updated_at", *derived}
    for obj, before in changed:
        after = audit.snapshot(obj)
        changes = audit.diff(before, after, ignore=("updated_at", "version", *derived))
        if not changes:
            continue
        obj.version += 1
        obj.updated_at = now
        after.update({"version": obj.version, "updated_at": audit._plain(now)})
        fields.update(model._meta.get_field(key.split(".")[0]).name for key in changes)
        entries.append((obj, changes))
        objs.append(obj)
        snapshots.append(after)
    if objs:
        model.objects.bulk_update(objs, sorted(fields), batch_size=500)
        audit.log_many(actor=actor, action=Action.UPDATE, entries=entries, message=comment)
        audit.record_versions(objs, actor=actor, comment=comment, snapshots=snapshots)
    return objs
