"""Writes on users and roles made by administrators (pages and API share these)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.audit import Action

from .models import FieldRule, Role, User
from .services import end_sessions


def is_org_admin(user) -> bool:
    """System administrators manage the organisation, roles and settings."""
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.is_staff))


USER_FIELDS = ("username", "first_name", "last_name", "email", "department", "title", "phone", "superior", "is_staff",
               "must_change_password")


def _user_snapshot(user: User) -> dict:
    data = audit.snapshot(user)
    for secret in ("password", "totp_secret", "totp_last_counter", "last_login"):
        data.pop(secret, None)
    return data


@transaction.atomic
def user_create(*, actor, data: dict, roles=(), password: str) -> User:
    from django.contrib.auth.password_validation import validate_password

    user = User(**{k: v for k, v in data.items() if k in USER_FIELDS})
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    user.roles.set(roles)
    audit.log(actor=actor, action=Action.CREATE, instance=user,
              changes=audit.diff({}, {**_user_snapshot(user), "roles": sorted(r.pk for r in roles)}))
    return user


@transaction.atomic
def user_update(*, actor, user: User, data: dict, roles=None) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = {**_user_snapshot(locked), "roles": sorted(locked.roles.values_list("pk", flat=True))}
    for key, value in data.items():
        if key in USER_FIELDS:
            setattr(locked, key, value)
    if locked.superior_id and locked.superior_id == locked.pk:
        raise ValidationError({"superior": [_("A user cannot be their own superior.")]})
    locked.full_clean(exclude=["password"])
    locked.save()
    if roles is not None:
        locked.roles.set(roles)
    after = {**_user_snapshot(locked), "roles": sorted(locked.roles.values_list("pk", flat=True))}
    audit.log(actor=actor, action=Action.UPDATE, instance=locked, changes=audit.diff(before, after))
    return locked


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot disable your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        end_sessions(user)
    audit.log(actor=actor, action=Action.UPDATE, instance=user, changes={"is_active": [not active, active]})
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str, must_change: bool = True) -> User:
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = must_change
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit.log(actor=actor, action=Action.UPDATE, instance=user, message=_("Password reset by an administrator"))
    return user


@transaction.atomic
def role_save(*, actor, role: Role | None, data: dict) -> Role:
    creating = role is None
    role = role or Role()
    before = {} if creating else audit.snapshot(role)
    from .security import parse_allowlist

    for key in ("name", "code", "description", "can_backup", "ip_allowlist"):
        if key in data:
            setattr(role, key, data[key])
    try:
        parse_allowlist(role.ip_allowlist)
    except ValidationError as exc:
        raise ValidationError({"ip_allowlist": exc.messages}) from None
    role.full_clean()
    role.save()
    audit.log(actor=actor, action=Action.CREATE if creating else Action.UPDATE, instance=role,
              changes=audit.diff(before, audit.snapshot(role)))
    return role


@transaction.atomic
def role_delete(*, actor, role: Role) -> None:
    if role.users.exists():
        raise ValidationError(_("This role is still given to users; take it from them first."))
    audit.log(actor=actor, action=Action.DELETE, instance=role)
    role.delete()


@transaction.atomic
def role_set_field_rules(*, actor, role: Role, module: str, rules: dict[str, str]) -> None:
    """Replace the role's field permissions for one module: {field: "hidden" | "readonly"}; others editable."""
    valid = {FieldRule.Mode.HIDDEN, FieldRule.Mode.READONLY}
    if any(mode not in valid for mode in rules.values()):
        raise ValidationError(_("Unknown field permission."))
    before = dict(role.field_rules.filter(module=module).values_list("field", "mode"))
    role.field_rules.filter(module=module).delete()
    FieldRule.objects.bulk_create([FieldRule(role=role, module=module, field=f, mode=m) for f, m in rules.items()])
    audit.log(actor=actor, action=Action.UPDATE, instance=role, message=_("Field permissions of %(module)s") % {"module": module},
              changes=audit.diff(before, rules, ignore=()))
