"""Administrator writes the API needs beyond org.services / org.services_users: a checked permission
matrix and single field permission rules. Atomic and audited like every other service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import access, audit, customfields
from core.audit import Action

from .models import FieldRule, Grant, Role, Scope
from .services import role_set_grants


def permission_fields(entity: str) -> list[str]:
    """Fields a field permission may name for a kind of record: the ones it offers, and its custom fields."""
    spec = access.ENTITIES[entity]
    return [*spec.fields, *(f"custom.{cf.code}" for cf in customfields.definitions(entity))]


def clean_grants(grants) -> dict[str, dict[str, int]]:
    """A permission matrix {module: {action: scope}} with known modules, operations and scopes only."""
    if not isinstance(grants, dict):
        raise ValidationError({"grants": [_("Send an object: {module: {operation: scope}}.")]})
    actions = set(Grant.Action.values)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, dict[str, int]] = {}
    for module, row in grants.items():
        if module not in access.MODULES:
            errors[f"grants.{module}"] = [_("Unknown module.")]
            continue
        if not isinstance(row, dict):
            errors[f"grants.{module}"] = [_("Send an object: {operation: scope}.")]
            continue
        for action, scope in row.items():
            key = f"grants.{module}.{action}"
            if action not in actions:
                errors[key] = [_("Unknown operation.")]
            elif isinstance(scope, bool) or not isinstance(scope, int) or scope not in Scope.values:
                errors[key] = [_("The data scope must be 0 (none) to 4 (all).")]
            else:
                cleaned.setdefault(module, {})[action] = scope
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def role_replace_grants(*, actor, role: Role, grants) -> Role:
    """Validate and replace the role's whole permission matrix."""
    return role_set_grants(actor=actor, role=role, grants=clean_grants(grants))


def _clean_rule(role: Role, module: str, field: str, mode: str, *, exclude_pk=None) -> None:
    if module not in access.ENTITIES:
        raise ValidationError({"module": [_("Unknown record type.")]})
    if field not in permission_fields(module):
        raise ValidationError({"field": [_("This module has no such field.")]})
    if mode not in FieldRule.Mode.values:
        raise ValidationError({"mode": [_("Unknown field permission.")]})
    if FieldRule.objects.filter(role=role, module=module, field=field).exclude(pk=exclude_pk).exists():
        raise ValidationError({"field": [_("This role already has a rule for this field.")]})


@transaction.atomic
def field_rule_save(*, actor, rule: FieldRule | None, role: Role, module: str, field: str, mode: str) -> FieldRule:
    """Create or change one field permission (hidden / read-only) of a role."""
    _clean_rule(role, module, field, mode, exclude_pk=rule.pk if rule else None)
    before = {} if rule is None else {f"{rule.module}.{rule.field}": rule.mode}
    rule = rule or FieldRule()
    rule.role, rule.module, rule.field, rule.mode = role, module, field, mode
    rule.save()
    audit.log(actor=actor, action=Action.UPDATE, instance=role,
              message=_("Field permissions of %(module)s") % {"module": module},
              changes=audit.diff(before, {f"{module}.{field}": mode}, ignore=()))
    return rule


@transaction.atomic
def field_rule_delete(*, actor, rule: FieldRule) -> None:
    """Remove a field permission: the field becomes editable for the role again."""
    role = rule.role
    audit.log(actor=actor, action=Action.UPDATE, instance=role,
              message=_("Field permissions of %(module)s") % {"module": rule.module},
              changes={f"{rule.module}.{rule.field}": [rule.mode, None]})
    rule.delete()
