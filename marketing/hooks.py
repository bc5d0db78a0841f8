"""What happens to a lead when the generic assign (分配) gives it to someone."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import offboarding
from core.services import on_assign

from .models import Lead


def _after_assign(*, actor, row, before, reason) -> None:
    if row.status == Lead.Status.CONVERTED:
        # Raised inside the assign transaction: nothing of the batch is kept.
        raise ValidationError(_("A converted lead cannot be reassigned."))
    now = timezone.now()
    Lead.all_objects.filter(pk=row.pk).update(assigned_at=now if row.owner_id else None)
    row.assigned_at = now if row.owner_id else None


on_assign(Lead, _after_assign)


def _hand_over(*, actor, user, transfer_to=None, release_to_pool=False) -> int:
    """A leaving user's leads: all go to the successor; or, released, their open leads return to the lead
    pool (no owner; the department stays, so its managers find them there). Closed leads keep their owner."""
    from django.utils.translation import gettext as _

    from core import audit
    from core.audit import Action

    rows = Lead.all_objects.filter(owner=user)
    if transfer_to is None:
        if not release_to_pool:
            return 0
        rows = rows.filter(status__in=Lead.OPEN, deleted_at__isnull=True)
    count = 0
    for row in rows:
        before = {"owner_id": row.owner_id, "department_id": row.department_id}
        if transfer_to is not None:
            row.owner, row.department_id = transfer_to, transfer_to.department_id
            row.assigned_at = timezone.now()
            message = _("Handed over from %(old)s to %(new)s (left)") % {"old": user, "new": transfer_to}
        else:
            row.owner, row.assigned_at = None, None
            message = _("Back to the lead pool: %(old)s left") % {"old": user}
        row.save(update_fields=["owner", "department", "assigned_at"])
        audit.log(actor=actor, action=Action.ASSIGN, instance=row, message=message,
                  changes=audit.diff(before, {"owner_id": row.owner_id, "department_id": row.department_id}))
        count += 1
    return count


offboarding.register(Lead, _hand_over)
