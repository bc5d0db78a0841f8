"""Writes on the organisation: departments, roles and grants, users, leaving."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, audit
from core.audit import Action

from .models import Department, Grant, Role, User


def _path_for(parent: Department | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


@transaction.atomic
def department_create(*, actor, name: str, parent: Department | None = None, manager=None, sort: int = 0) -> Department:
    dept = Department(name=name, parent=parent, manager=manager, sort=sort)
    dept.full_clean(exclude=["path"])
    dept.save()
    dept.path = _path_for(parent, dept.pk)
    dept.save(update_fields=["path"])
    audit.log(actor=actor, action=Action.CREATE, instance=dept, changes=audit.diff({}, audit.snapshot(dept)))
    return dept


@transaction.atomic
def department_update(*, actor, department: Department, name: str | None = None, parent=..., manager=..., sort=None,
                      active=None) -> Department:
    dept = Department.objects.select_for_update().get(pk=department.pk)
    before = audit.snapshot(dept)
    if name is not None:
        dept.name = name
    if manager is not ...:
        dept.manager = manager
    if sort is not None:
        dept.sort = sort
    if active is not None:
        dept.active = active
    old_path = dept.path
    if parent is not ... and parent != dept.parent:
        if parent is not None and parent.path.startswith(old_path):
            raise ValidationError(_("A department cannot be moved under itself or one of its sub-departments."))
        dept.parent = parent
        dept.path = _path_for(parent, dept.pk)
    dept.full_clean(exclude=["path"])
    dept.save()
    if dept.path != old_path:
        # Re-root the whole subtree in one statement.
        Department.objects.filter(path__startswith=old_path).exclude(pk=dept.pk).update(
            path=Concat(Value(dept.path), Substr(F("path"), len(old_path) + 1))
        )
        access.departments_changed()  # an update() sends no signal: the gate's subtrees are read again
    audit.log(actor=actor, action=Action.UPDATE, instance=dept, changes=audit.diff(before, audit.snapshot(dept)))
    return dept


@transaction.atomic
def department_delete(*, actor, department: Department) -> None:
    if department.children.exists() or department.members.exists():
        raise ValidationError(_("Only an empty department without sub-departments can be deleted."))
    audit.log(actor=actor, action=Action.DELETE, instance=department)
    department.delete()


@transaction.atomic
def role_set_grants(*, actor, role: Role, grants: dict[str, dict[str, int]]) -> Role:
    """Replace the role's permission matrix: {module: {action: scope}}."""
    before = {f"{g.module}.{g.action}": g.scope for g in role.grants.all()}
    role.grants.all().delete()
    Grant.objects.bulk_create([
        Grant(role=role, module=module, action=action, scope=int(scope))
        for module, actions in grants.items() for action, scope in actions.items() if int(scope) > 0
    ])
    after = {f"{m}.{a}": int(s) for m, acts in grants.items() for a, s in acts.items() if int(s) > 0}
    audit.log(actor=actor, action=Action.UPDATE, instance=role, changes=audit.diff(before, after, ignore=()))
    return role


@transaction.atomic
def user_leave(*, actor, user: User, transfer_to: User | None = None, release_to_pool: bool = False) -> dict:
    """One step when someone leaves (离职): their records go to a colleague (or back to the pool),
    the account is disabled and every session of theirs ends."""
    from core import offboarding

    if transfer_to is None and not release_to_pool:
        raise ValidationError(_("Choose a colleague to take over the records, or release them to the public pool."))
    if transfer_to is not None and (transfer_to.pk == user.pk or not transfer_to.is_active):
        raise ValidationError(_("The records must go to another active user."))
    moved = offboarding.hand_over(actor=actor, user=user, transfer_to=transfer_to, release_to_pool=release_to_pool)
    before = audit.snapshot(user)
    user.status = User.Status.LEFT
    user.is_active = False
    user.left_at = timezone.now()
    user.save(update_fields=["status", "is_active", "left_at"])
    end_sessions(user)
    audit.log(actor=actor, action=Action.UPDATE, instance=user, changes=audit.diff(before, audit.snapshot(user)),
              message=_("Left the company; records moved: %(n)s") % {"n": sum(moved.values())})
    return moved


def end_sessions(user: User) -> int:
    """End every session and API token of the user. The sessions are found through their login records,
    so this costs a few queries however many sessions the site has."""
    from importlib import import_module

    from django.conf import settings
    from rest_framework.authtoken.models import Token

    from .models import LoginRecord

    Token.objects.filter(user=user).delete()
    open_logins = LoginRecord.objects.filter(user=user, result=LoginRecord.Result.SUCCESS, logout_at__isnull=True).exclude(session_key="")
    keys = set(open_logins.values_list("session_key", flat=True))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for key in keys:
        session = store(session_key=key)
        if session.exists(key):
            session.delete(key)
            ended += 1
    # Marked as ended so the next call does not look at these keys again.
    open_logins.update(logout_at=timezone.now())
    return ended
