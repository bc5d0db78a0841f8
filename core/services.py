"""Generic writes for any registered business model: create, update, delete, restore, assign, share.

Domain services wrap these with their own rules. Each function is atomic, checks the access gate
before and after the write, writes the audit entry and the version snapshot itself.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, audit, customfields
from .audit import Action
from .deletion import reasons_not_to_delete, reasons_not_to_restore
from .models import RecordShare, Version


class StaleVersion(Exception):
    """The record changed since the caller read it; the caller must reload and redo the change."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(_("This record was changed by someone else after you opened it. Reload it and make your change again."))


def _check_fields(actor, model, data: dict, *, creating: bool) -> None:
    hidden = access.hidden_fields(actor, model)
    readonly = access.readonly_fields(actor, model)
    system = set(getattr(model, "SYSTEM_FIELDS", ()))
    for name in data:
        if name in system or name in hidden or (not creating and name in readonly):
            raise PermissionDenied(_("You may not change the field %(field)s.") % {"field": name})


def _apply(instance, data: dict) -> None:
    for name, value in data.items():
        setattr(instance, name, value)


def _department_of(user):
    return getattr(user, "department", None) if user is not None else None


@transaction.atomic
def create_record(*, actor, model, data: dict, custom: dict | None = None, comment: str = ""):
    access.require(actor, "create", model)
    data = dict(data)
    _check_fields(actor, model, data, creating=True)
    instance = model()
    _apply(instance, data)
    if hasattr(instance, "owner_id") and instance.owner_id is None and "owner" not in data:
        instance.owner = actor
    if hasattr(instance, "department_id") and instance.department_id is None and "department" not in data:
        owner = instance.owner if getattr(instance, "owner_id", None) else actor
        instance.department = _department_of(owner)
    if hasattr(instance, "created_by_id"):
        instance.created_by = actor
    if hasattr(instance, "custom"):
        instance.custom = customfields.clean_values(access.entity_of(model), custom or {})
    instance.full_clean()
    instance.save()
    access.ensure_in_scope(actor, "read", instance)
    audit.log(actor=actor, action=Action.CREATE, instance=instance, changes=audit.diff({}, audit.snapshot(instance)))
    audit.record_version(instance, actor=actor, comment=comment or _("Created"))
    return instance


@transaction.atomic
def update_record(*, actor, instance, data: dict, custom: dict | None = None,
                  expected_version: int | None = None, comment: str = ""):
    """Change fields of a record. ``expected_version`` is the version the caller's edit was based on."""
    model = type(instance)
    data = dict(data)
    _check_fields(actor, model, data, creating=False)
    # FOR UPDATE serialises concurrent saves of one record, so the version check cannot race.
    locked = access.get_visible(actor, "update", model.objects.select_for_update(of=("self",)), pk=instance.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleVersion(locked.version)
    before = audit.snapshot(locked)
    _apply(locked, data)
    if custom is not None and hasattr(locked, "custom"):
        readonly = access.readonly_fields(actor, model)
        blocked = {code for code in custom if f"custom.{code}" in readonly}
        if blocked:
            raise PermissionDenied(_("You may not change the field %(field)s.") % {"field": ", ".join(sorted(blocked))})
        locked.custom = customfields.clean_values(access.entity_of(model), custom, existing=locked.custom, partial=True)
    changes = audit.diff(before, audit.snapshot(locked))
    if not changes:
        return locked
    locked.full_clean()
    locked.version += 1
    locked.save()
    access.ensure_in_scope(actor, "read", locked)
    audit.log(actor=actor, action=Action.UPDATE, instance=locked, changes=changes, message=comment)
    audit.record_version(locked, actor=actor, comment=comment)
    return locked


@transaction.atomic
def delete_record(*, actor, instance, reason: str = ""):
    """Soft delete: the record moves to the recycle bin."""
    model = type(instance)
    locked = access.get_visible(actor, "delete", model.objects.select_for_update(of=("self",)), pk=instance.pk)
    reasons = reasons_not_to_delete(locked)
    if reasons:
        raise ValidationError(reasons)
    locked.deleted_at = timezone.now()
    locked.deleted_by = actor
    locked.save(update_fields=["deleted_at", "deleted_by"])
    audit.log(actor=actor, action=Action.DELETE, instance=locked, message=reason)
    return locked


def recycle_bin(actor, model):
    """Deleted records of a model the user may delete (the bin is scoped like everything else)."""
    return access.visible_to(actor, "delete", model.all_objects.filter(deleted_at__isnull=False))


@transaction.atomic
def restore_deleted(*, actor, model, pk):
    locked = access.get_visible(actor, "delete", model.all_objects.select_for_update(of=("self",)).filter(deleted_at__isnull=False), pk=pk)
    reasons = reasons_not_to_restore(locked)
    if reasons:
        raise ValidationError(reasons)
    locked.deleted_at = None
    locked.deleted_by = None
    locked.save(update_fields=["deleted_at", "deleted_by"])
    audit.log(actor=actor, action=Action.RESTORE, instance=locked)
    return locked


@transaction.atomic
def purge_deleted(*, actor, model, pk):
    """Removes a binned record for good. Administrators only; the audit entry stays."""
    if not actor.is_superuser:
        raise PermissionDenied(_("Only an administrator may purge records."))
    locked = model.all_objects.select_for_update(of=("self",)).filter(deleted_at__isnull=False).get(pk=pk)
    audit.log(actor=actor, action=Action.PURGE, instance=locked, changes={"snapshot": audit.snapshot(locked)})
    content_type = ContentType.objects.get_for_model(model)
    RecordShare.objects.filter(content_type=content_type, object_id=pk).delete()
    locked.delete()


@transaction.atomic
def restore_version(*, actor, instance, number: int, expected_version: int | None = None):
    """Bring a record back to an earlier version (镜像恢复) as a new change, audited like any other."""
    model = type(instance)
    version = Version.objects.get(content_type=ContentType.objects.get_for_model(model), object_id=instance.pk, number=number)
    system = set(getattr(model, "SYSTEM_FIELDS", ())) | {"owner_id", "department_id"}
    # Fields the user may not change keep their current value: a restore is an edit like any other.
    locked_fields = access.readonly_fields(actor, model)
    data = {}
    for field in model._meta.concrete_fields:
        if field.attname in system or field.name in locked_fields or field.attname not in version.data:
            continue
        data[field.attname] = field.to_python(version.data[field.attname])
    locked = update_record(actor=actor, instance=instance, data=data, custom=None,
                           expected_version=expected_version, comment=_("Restored version %(n)s") % {"n": number})
    old_custom = {code: value for code, value in (version.data.get("custom") or {}).items()
                  if f"custom.{code}" not in locked_fields}
    if old_custom and any(locked.custom.get(code) != value for code, value in old_custom.items()):
        locked = update_record(actor=actor, instance=locked, data={}, custom=old_custom,
                               comment=_("Restored version %(n)s") % {"n": number})
    return locked


# model -> callables(actor=, row=, before=, reason=) run after each row of the model is reassigned, in the
# same transaction (customers keep their assignment history and public pool fields this way).
_after_assign: dict[type, list] = {}


def on_assign(model, handler) -> None:
    _after_assign.setdefault(model, []).append(handler)


@transaction.atomic
def assign_records(*, actor, model, pks, owner, reason: str = "") -> int:
    """Give records to another owner (分配/转移); the department follows the new owner."""
    rows = list(access.visible_to(actor, "assign", model.objects.select_for_update(of=("self",))).filter(pk__in=list(pks)))
    if len(rows) != len(set(pks)):
        raise PermissionDenied(_("Some of the selected records are outside your data scope."))
    for row in rows:
        before = {"owner_id": row.owner_id, "department_id": row.department_id}
        row.owner = owner
        row.department = _department_of(owner)
        row.version += 1
        row.save(update_fields=["owner", "department", "version", "updated_at"])
        audit.log(actor=actor, action=Action.ASSIGN, instance=row, message=reason,
                  changes=audit.diff(before, {"owner_id": row.owner_id, "department_id": row.department_id}))
        for handler in _after_assign.get(model, ()):
            handler(actor=actor, row=row, before=before, reason=reason)
    return len(rows)


@transaction.atomic
def share_records(*, actor, model, pks, users=(), departments=(), can_edit: bool = False) -> int:
    rows = list(access.visible_to(actor, "share", model).filter(pk__in=list(pks)))
    if len(rows) != len(set(pks)):
        raise PermissionDenied(_("Some of the selected records are outside your data scope."))
    content_type = ContentType.objects.get_for_model(model)
    for row in rows:
        for user in users:
            RecordShare.objects.update_or_create(content_type=content_type, object_id=row.pk, user=user, department=None,
                                                 defaults={"can_edit": can_edit, "shared_by": actor})
        for dept in departments:
            RecordShare.objects.update_or_create(content_type=content_type, object_id=row.pk, user=None, department=dept,
                                                 defaults={"can_edit": can_edit, "shared_by": actor})
        audit.log(actor=actor, action=Action.SHARE, instance=row,
                  changes={"users": [u.pk for u in users], "departments": [d.pk for d in departments], "can_edit": can_edit})
    return len(rows)


def shares_of(instance):
    content_type = ContentType.objects.get_for_model(type(instance))
    return RecordShare.objects.filter(content_type=content_type, object_id=instance.pk).select_related("user", "department")


@transaction.atomic
def unshare_record(*, actor, instance, share_id: int) -> None:
    model = type(instance)
    access.get_visible(actor, "share", model, pk=instance.pk)
    content_type = ContentType.objects.get_for_model(model)
    deleted, _rows = RecordShare.objects.filter(pk=share_id, content_type=content_type, object_id=instance.pk).delete()
    if deleted:
        audit.log(actor=actor, action=Action.SHARE, instance=instance, changes={"removed_share": share_id})
