"""Writes of contacts (联系人) and their important dates, and the audited vCard export.

Contacts follow their customer's scope. Adding a contact to a customer, or moving one to another
customer, counts as changing that customer, so the actor needs the update scope on it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import access, audit, services
from core.audit import Action

from . import vcard
from .models import Contact, ContactDate, Customer

MAX_DATES = 20
VCARD_LIMIT = 5000


def _refresh_search(customer_ids) -> None:
    """Contact names are part of the customer's search keys (customers.search, when installed)."""
    try:
        from customers.search import refresh_search_keys
    except ImportError:
        return
    for customer in Customer.all_objects.filter(pk__in=[pk for pk in customer_ids if pk]):
        refresh_search_keys(customer)


def _check_customer(actor, customer) -> None:
    if not access.visible_to(actor, "update", Customer).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": _("You may only add contacts to customers you may change.")})


def clean_dates(dates) -> list[dict]:
    """Validated important dates: a list of {"label": str, "date": date or "YYYY-MM-DD"}."""
    if dates is None:
        return []
    if len(dates) > MAX_DATES:
        raise ValidationError({"important_dates": _("At most %(n)s important dates.") % {"n": MAX_DATES}})
    cleaned = []
    for item in dates:
        label = str(item.get("label") or "").strip()
        value = item.get("date")
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value.strip())
            except ValueError:
                value = None
        if not label or len(label) > 40:
            raise ValidationError({"important_dates": _("Each important date needs an occasion of at most 40 characters.")})
        if not isinstance(value, datetime.date):
            raise ValidationError({"important_dates": _("Enter each important date as YYYY-MM-DD.")})
        cleaned.append({"label": label, "date": value})
    return cleaned


def _dates_repr(contact) -> list[str]:
    return [f"{d.label} {d.date:%Y-%m-%d}" for d in ContactDate.objects.filter(contact=contact).order_by("date", "id")]


def _replace_dates(actor, contact, dates: list[dict]) -> None:
    before = _dates_repr(contact)
    ContactDate.objects.filter(contact=contact).delete()
    ContactDate.objects.bulk_create([ContactDate(contact=contact, **item) for item in dates])
    after = _dates_repr(contact)
    if before != after:
        audit.log(actor=actor, action=Action.UPDATE, instance=contact, changes={"important_dates": [before, after]})


@transaction.atomic
def contact_create(*, actor, data: dict, custom: dict | None = None) -> Contact:
    """Create a contact; ``data`` may carry ``important_dates`` (a list of {label, date})."""
    data = dict(data)
    dates = clean_dates(data.pop("important_dates", None))
    if data.get("customer") is not None:
        _check_customer(actor, data["customer"])
    contact = services.create_record(actor=actor, model=Contact, data=data, custom=custom)
    if dates:
        _replace_dates(actor, contact, dates)
    _refresh_search([contact.customer_id])
    return contact


@transaction.atomic
def contact_update(*, actor, instance: Contact, data: dict, custom: dict | None = None,
                   expected_version: int | None = None) -> Contact:
    """Change a contact; ``important_dates`` in ``data``, when present, replaces its dates."""
    data = dict(data)
    replace = "important_dates" in data
    dates = clean_dates(data.pop("important_dates", None))
    old_customer = instance.customer_id
    target = data.get("customer")
    if target is not None and target.pk != old_customer:
        _check_customer(actor, target)
    contact = services.update_record(actor=actor, instance=instance, data=data, custom=custom,
                                     expected_version=expected_version)
    if replace:
        _replace_dates(actor, contact, dates)
    _refresh_search({old_customer, contact.customer_id})
    return contact


@transaction.atomic
def contact_delete(*, actor, instance: Contact) -> Contact:
    contact = services.delete_record(actor=actor, instance=instance)
    _refresh_search([contact.customer_id])
    return contact


@transaction.atomic
def contact_date_add(*, actor, contact: Contact, label: str, date) -> ContactDate:
    locked = access.get_visible(actor, "update", Contact.objects.select_for_update(of=("self",)), pk=contact.pk)
    item = clean_dates([{"label": label, "date": date}])[0]
    if ContactDate.objects.filter(contact=locked).count() >= MAX_DATES:
        raise ValidationError(_("At most %(n)s important dates.") % {"n": MAX_DATES})
    row = ContactDate.objects.create(contact=locked, **item)
    audit.log(actor=actor, action=Action.UPDATE, instance=locked,
              changes={"important_dates": [None, f"{row.label} {row.date:%Y-%m-%d}"]})
    return row


@transaction.atomic
def contact_date_remove(*, actor, contact: Contact, date_id: int) -> None:
    locked = access.get_visible(actor, "update", Contact.objects.select_for_update(of=("self",)), pk=contact.pk)
    row = ContactDate.objects.filter(contact=locked, pk=date_id).first()
    if row is None:
        raise ValidationError(_("This important date no longer exists."))
    audit.log(actor=actor, action=Action.UPDATE, instance=locked,
              changes={"important_dates": [f"{row.label} {row.date:%Y-%m-%d}", None]})
    row.delete()


def export_vcards(*, actor, queryset, version: str = "3.0") -> tuple[str, int]:
    """The vCards of the contacts in ``queryset`` — which must come from the gate for "export" — and
    the audit entry of the export. Returns (text, count)."""
    if version not in vcard.VERSIONS:
        raise ValidationError(_("Unknown vCard version."))
    rows = list(queryset.select_related("customer").prefetch_related("important_dates")[:VCARD_LIMIT + 1])
    if len(rows) > VCARD_LIMIT:
        raise ValidationError(_("At most %(n)s contacts can be exported as vCards at once; narrow the list.") % {"n": VCARD_LIMIT})
    text = vcard.vcards(rows, version=version, hidden=access.hidden_fields(actor, Contact))
    if len(rows) == 1:
        audit.log(actor=actor, action=Action.EXPORT, instance=rows[0], changes={"format": f"vcard {version}"})
    else:
        audit.log(actor=actor, action=Action.EXPORT, model=Contact, object_repr=str(Contact._meta.verbose_name_plural),
                  changes={"format": f"vcard {version}", "rows": len(rows), "ids": [r.pk for r in rows[:200]]})
    return text, len(rows)
