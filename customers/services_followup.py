"""Writes of follow-ups (跟进记录), their attachments and comments (批复).

Every change of a follow-up keeps the customer's ``last_followup_at`` and ``next_followup_on`` right
in the same transaction: both come from the customer's latest live follow-up (by time), so a later
follow-up replaces the plan of an earlier one and deleting the latest brings back the one before.
The customer row is locked first, so concurrent follow-ups of one customer cannot race.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.text import Truncator, get_valid_filename
from django.utils.translation import gettext as _

from core import access, audit, services
from core.audit import Action
from core.models import Notification

from .models import Customer, FollowUp, FollowUpAttachment, FollowUpComment
from .uploads import CheckedFile, check_upload

MAX_ATTACHMENTS = 20
MAX_COMMENT = 2000


# ---- the customer's follow-up dates ----------------------------------------------------------------

def _lock_customer(customer_id: int) -> Customer:
    # A row lock only; whether the actor may do the change is decided by the gate around it.
    return Customer.all_objects.select_for_update(of=("self",)).get(pk=customer_id)


def sync_customer(*, actor, customer: Customer) -> bool:
    """Set the customer's last follow-up time and next follow-up date from its latest live follow-up,
    as an audited change with a new version. Call with the customer row locked. Returns whether it changed."""
    latest = (FollowUp.objects.filter(customer_id=customer.pk).order_by("-occurred_at", "-id")
              .values_list("occurred_at", "next_followup_on").first())
    last, upcoming = latest or (None, None)
    if customer.last_followup_at == last and customer.next_followup_on == upcoming:
        return False
    before = audit.snapshot(customer)
    # A newer follow-up restarts the public pool clock, so a warning sent before it no longer stands.
    if last is not None and (customer.last_followup_at is None or last > customer.last_followup_at):
        customer.pool_warned_at = None
    customer.last_followup_at, customer.next_followup_on = last, upcoming
    customer.version += 1
    customer.save(update_fields=["last_followup_at", "next_followup_on", "pool_warned_at", "version", "updated_at"])
    audit.log(actor=actor, action=Action.UPDATE, instance=customer, changes=audit.diff(before, audit.snapshot(customer)),
              message=_("Follow-up dates updated"))
    audit.record_version(customer, actor=actor, comment=_("Follow-up dates updated"))
    return True


@transaction.atomic
def recompute_customer(*, actor, customer_id: int) -> bool:
    """For other modules that move or restore follow-ups (merge, recycle bin): recompute the dates."""
    return sync_customer(actor=actor, customer=_lock_customer(customer_id))


# ---- follow-ups ----------------------------------------------------------------------------------

def _customer_for_new_followup(actor, customer) -> Customer:
    if customer is None:
        raise ValidationError({"customer": _("Choose a customer.")})
    locked = _lock_customer(customer.pk)
    # Recording a follow-up changes the customer's record, so it needs the update scope on it.
    if not access.visible_to(actor, "update", Customer).filter(pk=locked.pk).exists():
        raise PermissionDenied(_("You may not record follow-ups for this customer."))
    return locked


@transaction.atomic
def followup_create(*, actor, data: dict, custom: dict | None = None, files: Sequence = ()) -> FollowUp:
    """Record a follow-up (with optional attachments) and update the customer's follow-up dates."""
    data = dict(data)
    customer = _customer_for_new_followup(actor, data.get("customer"))
    checked = _check_files(files, existing=0)
    followup = services.create_record(actor=actor, model=FollowUp, data=data, custom=custom)
    _store(actor, followup, checked)
    sync_customer(actor=actor, customer=customer)
    return followup


@transaction.atomic
def followup_update(*, actor, instance: FollowUp, data: dict, custom: dict | None = None,
                    expected_version: int | None = None) -> FollowUp:
    data = dict(data)
    moved = data.pop("customer", None)
    if moved is not None and moved.pk != instance.customer_id:
        raise ValidationError({"customer": _("A follow-up cannot be moved to another customer.")})
    customer = _lock_customer(instance.customer_id)
    followup = services.update_record(actor=actor, instance=instance, data=data, custom=custom,
                                      expected_version=expected_version)
    sync_customer(actor=actor, customer=customer)
    return followup


@transaction.atomic
def followup_delete(*, actor, instance: FollowUp) -> FollowUp:
    customer = _lock_customer(instance.customer_id)
    followup = services.delete_record(actor=actor, instance=instance)
    sync_customer(actor=actor, customer=customer)
    return followup


@transaction.atomic
def followup_restore_version(*, actor, instance: FollowUp, number: int, expected_version: int | None = None) -> FollowUp:
    customer = _lock_customer(instance.customer_id)
    followup = services.restore_version(actor=actor, instance=instance, number=number, expected_version=expected_version)
    sync_customer(actor=actor, customer=customer)
    return followup


# ---- attachments ---------------------------------------------------------------------------------

def _check_files(files: Sequence, *, existing: int) -> list[CheckedFile]:
    files = [f for f in files if f]
    if existing + len(files) > MAX_ATTACHMENTS:
        raise ValidationError(_("A follow-up may have at most %(n)s attachments.") % {"n": MAX_ATTACHMENTS})
    # Every file is checked before any is stored: one bad file refuses them all.
    return [check_upload(f) for f in files]


def _storage_name(name: str) -> str:
    try:
        return get_valid_filename(name)
    except SuspiciousFileOperation:  # nothing usable left of the name; the shown name stays as given
        return "file." + name.rsplit(".", 1)[-1].lower()


def _store(actor, followup: FollowUp, checked: list[CheckedFile]) -> list[FollowUpAttachment]:
    if not checked:
        return []
    saved: list[FollowUpAttachment] = []
    try:
        for item in checked:
            row = FollowUpAttachment(followup=followup, name=item.name, size=item.size, content_type=item.content_type,
                                     uploaded_by=actor if getattr(actor, "pk", None) else None)
            row.file.save(_storage_name(item.name), item.upload, save=False)
            row.save()
            saved.append(row)
    except Exception:
        for row in saved:  # the rows roll back with the transaction; their files must go too
            default_storage.delete(row.file.name)
        raise
    names = [row.name for row in saved]
    audit.log(actor=actor, action=Action.UPDATE, instance=followup, changes={"attachments": [None, names]},
              message=_("Attachments added"))
    return saved


@transaction.atomic
def attachments_add(*, actor, followup: FollowUp, files: Sequence) -> list[FollowUpAttachment]:
    locked = access.get_visible(actor, "update", FollowUp.objects.select_for_update(of=("self",)), pk=followup.pk)
    if not [f for f in files if f]:
        raise ValidationError(_("Choose at least one file."))
    checked = _check_files(files, existing=FollowUpAttachment.objects.filter(followup=locked).count())
    return _store(actor, locked, checked)


@transaction.atomic
def attachment_remove(*, actor, attachment: FollowUpAttachment) -> None:
    locked = access.get_visible(actor, "update", FollowUp.objects.select_for_update(of=("self",)), pk=attachment.followup_id)
    row = FollowUpAttachment.objects.filter(pk=attachment.pk, followup=locked).first()
    if row is None:
        raise ValidationError(_("This attachment no longer exists."))
    audit.log(actor=actor, action=Action.UPDATE, instance=locked, changes={"attachments": [row.name, None]},
              message=_("Attachment removed"))
    name = row.file.name
    row.delete()
    # The file goes only once the removal is committed.
    transaction.on_commit(lambda: default_storage.delete(name))


# ---- comments (批复) ------------------------------------------------------------------------------

def may_comment(user, followup: FollowUp, *, may_update_customer: bool | None = None) -> bool:
    """The author's superior, or anyone who may change the customer, may comment on a follow-up."""
    author = followup.created_by
    if author is not None and author.superior_id is not None and author.superior_id == user.pk:
        return True
    if may_update_customer is None:
        may_update_customer = access.visible_to(user, "update", Customer).filter(pk=followup.customer_id).exists()
    return may_update_customer


@transaction.atomic
def comment_add(*, actor, followup: FollowUp, body: str) -> FollowUpComment:
    """Comment on a follow-up you can see; its author is notified."""
    visible = access.get_visible(actor, "read", FollowUp.objects.select_related("created_by", "customer"), pk=followup.pk)
    if not may_comment(actor, visible):
        raise PermissionDenied(_("Only the author's superior or someone who may change this customer can comment."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    if len(body) > MAX_COMMENT:
        raise ValidationError({"body": _("A comment may be at most %(n)s characters.") % {"n": MAX_COMMENT}})
    comment = FollowUpComment.objects.create(followup=visible, author=actor, body=body)
    audit.log(actor=actor, action=Action.OTHER, instance=visible, changes={"comment": [None, body]},
              message=_("Commented"))
    author = visible.created_by
    if author is not None and author.pk != actor.pk and author.is_active:
        Notification.objects.create(
            user=author,
            title=_("%(user)s commented on your follow-up of %(customer)s") % {"user": actor, "customer": visible.customer.name},
            body=Truncator(body).chars(300),
            url=reverse("customers:followup_detail", args=[visible.pk]),
        )
    return comment
