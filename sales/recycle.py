"""Rules for bringing binned sales records back from the recycle bin.

A contact or maintenance record comes back only into a live parent, under a number no live record
holds, and — when completed — only where it keeps the order (every live record before it completed,
none after it completed). The generic restore does not back-fill the parent, so a completed record
that would become the last completed one is refused too: delete-and-re-add is how figures change.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.deletion import register_restore_blocker

from .models import ContactRecord, MaintenanceRecord
from .services_records import KINDS


def record_restore_blocker(record):
    kind = KINDS[type(record)]
    parent = kind.parent_model.all_objects.filter(pk=getattr(record, f"{kind.parent_field}_id")).first()
    if parent is None or parent.is_deleted:
        return _("Its %(parent)s is in the recycle bin; restore that first.") % {
            "parent": kind.parent_model._meta.verbose_name}
    live = kind.model.objects.filter(**{kind.parent_field: parent})
    if live.filter(seq=record.seq).exists():
        return _("Record #%(seq)s exists again; add this one as a new record instead.") % {"seq": record.seq}
    if record.completed:
        if live.filter(seq__lt=record.seq, completed=False).exists() or not live.filter(seq__gt=record.seq, completed=True).exists():
            return _("A completed record can come back only between completed records; add it again instead.")
    return None


register_restore_blocker(ContactRecord, record_restore_blocker)
register_restore_blocker(MaintenanceRecord, record_restore_blocker)
