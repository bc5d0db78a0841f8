"""Writes of leads: create, update, lose, reopen, delete and merge, on top of the core services.

The core services do the gate checks, field permissions, optimistic concurrency, audit entries and
versions; these add the lead's own rules, so the UI, the API, imports and the web form get them all:

* a lead can be reached (mobile, phone, email or WeChat) and its phones are phone numbers;
* the status moves new ⇄ contacted ⇄ qualified by editing; lost needs a reason (``lead_lose``),
  converted only comes from ``marketing.conversion``; a converted lead is immutable except its notes;
* the "possible existing customer" hint is refreshed whenever the phones or the company change.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, audit
from core import services as core_services
from core.audit import Action
from core.deletion import register_blocker
from core.models import LookupItem
from customers import dedup, validators
from customers.models import Customer

from . import keys
from .models import Lead

Status = Lead.Status
EDIT_STATUSES = set(Lead.OPEN)
# What a converted lead still lets people change: remarks added after the fact.
CONVERTED_EDITABLE = {"notes"}
# Fields a merge fills on the surviving lead when it has them empty.
MERGE_FILL = ("company", "title", "mobile", "phone", "email", "wechat", "province", "city", "address", "industry",
              "source", "campaign", "source_detail")


def _lock(actor, action: str, lead) -> Lead:
    # FOR UPDATE: two people converting, losing or editing one lead must not interleave.
    return access.get_visible(actor, action, Lead.objects.select_for_update(of=("self",)), pk=lead.pk)


def clean_data(data: dict, *, current: Lead | None) -> dict:
    """Check and normalise values being set; ValidationError with every problem at once."""
    data = dict(data)
    errors: dict[str, list] = {}
    for name in ("company", "contact_name", "title", "mobile", "phone", "email", "wechat", "address", "campaign",
                 "source_detail"):
        if isinstance(data.get(name), str):
            data[name] = " ".join(data[name].split())
    for name in ("mobile", "phone"):
        value = data.get(name)
        if value and (current is None or value != getattr(current, name)):
            try:
                validators.validate_phone(value)
            except ValidationError as exc:
                errors[name] = exc.messages
    if "status" in data and (current is None or data["status"] != current.status):
        if data["status"] == Status.CONVERTED:
            errors["status"] = [_("Use Convert to turn a lead into a customer.")]
        elif data["status"] == Status.LOST:
            errors["status"] = [_("Use Mark as lost, which asks for the reason.")]
        elif current is not None and current.status == Status.LOST:
            errors["status"] = [_("Reopen the lost lead first.")]
    for name in ("lost_reason", "lost_note"):
        if name in data and (current is None or data[name] != getattr(current, name)):
            errors[name] = [_("Use Mark as lost to give the reason.")]
    city = data.get("city")
    if city is not None and "province" not in data:
        data["province"] = city.parent
    if errors:
        raise ValidationError(errors)
    return data


def customer_hint(lead: Lead) -> bool:
    """Whether a live customer has one of the lead's phones or its company-name core. Only a flag: which
    customer it is comes from customers.dedup, which shows each user only what the gate lets them see."""
    cond = Q(pk__in=[])
    phones = keys.phones_of(lead)
    if phones:
        cond |= Q(phone_norm__in=phones)
    if len(lead.name_key) >= 2:
        cond |= Q(name_key=lead.name_key)
    return Customer.objects.filter(cond).exists()


def _refresh_hint(lead: Lead) -> None:
    hint = customer_hint(lead)
    if hint != lead.customer_hint:
        # A derived flag: no version bump and no audit entry, nobody changed anything.
        Lead.all_objects.filter(pk=lead.pk).update(customer_hint=hint)
        lead.customer_hint = hint


@transaction.atomic
def lead_create(*, actor, data: dict, custom: dict | None = None, origin: str = Lead.Origin.MANUAL) -> Lead:
    data = clean_data(data, current=None)
    if data.get("status", Status.NEW) not in EDIT_STATUSES:
        raise ValidationError({"status": [_("A new lead is new, contacted or qualified.")]})
    lead = core_services.create_record(actor=actor, model=Lead, data=data, custom=custom)
    changed = []
    if origin != Lead.Origin.MANUAL:
        lead.origin = origin
        changed.append("origin")
    if lead.owner_id:
        lead.assigned_at = lead.created_at
        changed.append("assigned_at")
    if changed:
        Lead.all_objects.filter(pk=lead.pk).update(**{name: getattr(lead, name) for name in changed})
    _refresh_hint(lead)
    return lead


@transaction.atomic
def lead_update(*, actor, instance: Lead, data: dict, custom: dict | None = None,
                expected_version: int | None = None, comment: str = "") -> Lead:
    current = _lock(actor, "update", instance)
    if expected_version is not None and int(expected_version) != current.version:
        raise core_services.StaleVersion(current.version)
    if current.status == Status.CONVERTED:
        changed = [name for name, value in data.items() if value != getattr(current, name)]
        blocked = sorted(set(changed) - CONVERTED_EDITABLE)
        custom_changed = any((current.custom or {}).get(code) != value for code, value in (custom or {}).items())
        if blocked or custom_changed:
            raise ValidationError(_("The lead is converted; only its notes can still change."))
        data, custom = {k: v for k, v in data.items() if k in CONVERTED_EDITABLE}, None
    data = clean_data(data, current=current)
    lead = core_services.update_record(actor=actor, instance=current, data=data, custom=custom,
                                       expected_version=expected_version, comment=comment)
    _refresh_hint(lead)
    return lead


def _converted_blocker(lead: Lead):
    if lead.status == Status.CONVERTED:
        return _("A converted lead stays as the record of where the customer came from; it cannot be deleted.")
    return None


register_blocker(Lead, _converted_blocker)


def lead_delete(*, actor, instance: Lead, reason: str = "") -> Lead:
    return core_services.delete_record(actor=actor, instance=instance, reason=reason)


def lost_reasons():
    return LookupItem.objects.filter(kind="lead_lost_reason", active=True).order_by("sort", "id")


def _apply_system(*, actor, lead: Lead, values: dict, message: str, action: str = Action.UPDATE) -> Lead:
    """Set service-owned fields on a locked lead, bump its version, audit and keep a version."""
    before = audit.snapshot(lead)
    for name, value in values.items():
        setattr(lead, name, value)
    lead.version += 1
    lead.save()
    audit.log(actor=actor, action=action, instance=lead, changes=audit.diff(before, audit.snapshot(lead)),
              message=message)
    audit.record_version(lead, actor=actor, comment=message)
    return lead


@transaction.atomic
def lead_lose(*, actor, lead: Lead, reason: LookupItem | None, note: str = "",
              expected_version: int | None = None) -> Lead:
    """Mark an open lead lost (无效): the reason is required and must come from the lead lost reasons."""
    locked = _lock(actor, "update", lead)
    if expected_version is not None and int(expected_version) != locked.version:
        raise core_services.StaleVersion(locked.version)
    if not locked.is_open:
        raise ValidationError(_("Only an open lead can be marked as lost."))
    if reason is None:
        raise ValidationError({"lost_reason": [_("Choose why the lead is lost.")]})
    if reason.kind != "lead_lost_reason" or not reason.active:
        raise ValidationError({"lost_reason": [_("Choose one of the lead lost reasons.")]})
    note = " ".join((note or "").split())
    if len(note) > 200:
        raise ValidationError({"lost_note": [_("At most 200 characters.")]})
    return _apply_system(actor=actor, lead=locked, message=_("Lost: %(reason)s") % {"reason": reason.name},
                         values={"status": Status.LOST, "lost_reason": reason, "lost_note": note,
                                 "lost_at": timezone.now()})


@transaction.atomic
def lead_reopen(*, actor, lead: Lead) -> Lead:
    """A lost lead comes back as new (e.g. the contact called back); the lost reason is cleared."""
    locked = _lock(actor, "update", lead)
    if locked.status != Status.LOST:
        raise ValidationError(_("Only a lost lead can be reopened."))
    return _apply_system(actor=actor, lead=locked, message=_("Reopened"),
                         values={"status": Status.NEW, "lost_reason": None, "lost_note": "", "lost_at": None})


@transaction.atomic
def lead_merge(*, actor, survivor: Lead, other: Lead) -> Lead:
    """Merge ``other`` into ``survivor`` (cleaning duplicates): empty fields of the survivor take the
    other's values, requirements and notes are joined, the other goes to the recycle bin.
    Needs update on the survivor and delete on the other; both must be open."""
    if survivor.pk == other.pk:
        raise ValidationError(_("Choose another lead to merge."))
    kept = _lock(actor, "update", survivor)
    gone = access.get_visible(actor, "delete", Lead.objects.select_for_update(of=("self",)), pk=other.pk)
    if not (kept.is_open and gone.is_open):
        raise ValidationError(_("Only open leads can be merged."))
    values = {}
    for name in MERGE_FILL:
        if not getattr(kept, name) and getattr(gone, name):
            values[name] = getattr(gone, name)
    for name in ("requirement", "notes"):
        theirs = getattr(gone, name).strip()
        if theirs and theirs not in getattr(kept, name):
            values[name] = "\n".join(p for p in (getattr(kept, name).strip(), theirs) if p)
    hidden = access.readonly_fields(actor, Lead)
    values = {k: v for k, v in values.items() if k not in hidden}
    before = audit.snapshot(gone)
    gone.merged_into = kept
    gone.deleted_at = timezone.now()
    gone.deleted_by = actor
    gone.version += 1
    gone.save()
    message = _("Merged into %(name)s (#%(pk)s)") % {"name": kept, "pk": kept.pk}
    audit.log(actor=actor, action=Action.DELETE, instance=gone, message=message,
              changes=audit.diff(before, audit.snapshot(gone)))
    audit.record_version(gone, actor=actor, comment=message)
    merged = core_services.update_record(actor=actor, instance=kept, data=values,
                                         comment=_("Merged #%(pk)s") % {"pk": gone.pk})
    if not values:
        audit.log(actor=actor, action=Action.OTHER, instance=merged, message=_("Merged #%(pk)s") % {"pk": gone.pk})
    _refresh_hint(merged)
    return merged


# ---- duplicates (cleaning) --------------------------------------------------------------------------

def customer_matches(*, user, lead: Lead) -> list[dedup.Match]:
    """Customers that look like the lead (by each phone and the company name). customers.dedup
    describes a customer the user may not read only by what matched and who owns it."""
    found: dict[int, dedup.Match] = {}
    phones = [p for p in (lead.mobile, lead.phone) if p] or [""]
    for index, phone in enumerate(phones):
        name = lead.company if index == 0 else ""
        for match in dedup.find_duplicates(user=user, name=name, phone=phone):
            if match.customer_id not in found or (match.exact and not found[match.customer_id].exact):
                found[match.customer_id] = match
    return sorted(found.values(), key=lambda m: (not m.exact, -m.score))


def lead_matches(*, user, lead: Lead, limit: int = 20):
    """Other leads the user may read with the same phone, email or company-name core."""
    cond = Q(pk__in=[])
    phones = keys.phones_of(lead)
    if phones:
        cond |= Q(phone_norm__in=phones) | Q(phone2_norm__in=phones)
    if lead.email_norm:
        cond |= Q(email_norm=lead.email_norm)
    if len(lead.name_key) >= 2:
        cond |= Q(name_key=lead.name_key)
    return list(access.visible_to(user, "read", Lead).filter(cond).exclude(pk=lead.pk)
                .select_related("owner").order_by("-id")[:limit])


def why_same(lead: Lead, other: Lead) -> list[str]:
    reasons = []
    if set(keys.phones_of(lead)) & set(keys.phones_of(other)):
        reasons.append(_("same phone"))
    if lead.email_norm and lead.email_norm == other.email_norm:
        reasons.append(_("same email"))
    if len(lead.name_key) >= 2 and lead.name_key == other.name_key:
        reasons.append(_("same company"))
    return reasons
