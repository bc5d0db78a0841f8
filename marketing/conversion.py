"""Converting a lead (线索转化) into a customer, its contact and an opportunity, in one step.

All or nothing: the customer (customers.services.customer_create, so its duplicate refusal
applies), the contact (customers.services_contact), the optional opportunity
(sales.services.opportunity_create) and the lead's own change happen in one transaction; any refusal
leaves every record as it was. Instead of a new customer the user may pick an existing one they may
change. A converted lead links the three records and is immutable after, except its notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core import services as core_services
from customers.models import Customer
from customers.services import customer_create
from customers.services_contact import contact_create

from .models import Lead
from .services import _apply_system, _lock

CONTACT_FIELDS = ("name", "title", "mobile", "phone", "email", "wechat")


@dataclass
class Conversion:
    lead: Lead
    customer: Customer
    contact: object
    opportunity: object | None
    new_customer: bool


def customer_defaults(lead: Lead) -> dict:
    """What the conversion page proposes for the new customer."""
    return {"name": lead.company or lead.contact_name, "phone": lead.phone or lead.mobile,
            "province": lead.province, "city": lead.city, "address": lead.address, "industry": lead.industry,
            "source": lead.source, "notes": lead.requirement}


def contact_defaults(lead: Lead) -> dict:
    return {"name": lead.contact_name, "title": lead.title, "mobile": lead.mobile, "phone": lead.phone,
            "email": lead.email, "wechat": lead.wechat}


def opportunity_defaults(lead: Lead) -> dict:
    subject = lead.requirement.strip().splitlines()[0][:200] if lead.requirement.strip() else ""
    return {"subject": subject or _("%(name)s – new business") % {"name": lead}, "source": lead.source}


def _create_opportunity(*, actor, data: dict):
    from sales.services import opportunity_create

    return opportunity_create(actor=actor, data=data)


@transaction.atomic
def lead_convert(*, actor, lead: Lead, customer_data: dict | None = None, existing_customer: Customer | None = None,
                 contact_data: dict, opportunity_data: dict | None = None, confirm_duplicates: bool = False,
                 expected_version: int | None = None) -> Conversion:
    """Convert an open lead. Give ``customer_data`` for a new customer or ``existing_customer``;
    ``opportunity_data`` (subject, expected_amount, stage, planned_close…) creates an opportunity too."""
    locked = _lock(actor, "update", lead)
    if expected_version is not None and int(expected_version) != locked.version:
        raise core_services.StaleVersion(locked.version)
    if locked.status == Lead.Status.CONVERTED:
        raise ValidationError(_("The lead is converted already."))
    if not locked.is_open:
        raise ValidationError(_("Reopen the lost lead before converting it."))
    if (customer_data is None) == (existing_customer is None):
        raise ValidationError(_("Either create a new customer or choose an existing one."))
    if existing_customer is not None:
        # Adding a contact (and an opportunity) changes the customer: the update scope is needed.
        if not access.visible_to(actor, "update", Customer).filter(pk=existing_customer.pk).exists():
            raise ValidationError({"customer": [_("Choose a customer you may change.")]})
        customer, new_customer = existing_customer, False
    else:
        data = {k: v for k, v in customer_data.items() if v not in (None, "")}
        customer, new_customer = customer_create(actor=actor, data=data, confirm_duplicates=confirm_duplicates), True
    contact_values = {k: v for k, v in contact_data.items() if k in CONTACT_FIELDS and v not in (None, "")}
    if not contact_values.get("name"):
        raise ValidationError({"contact_name": [_("Enter the contact's name.")]})
    contact = contact_create(actor=actor, data={**contact_values, "customer": customer})
    opportunity = None
    if opportunity_data is not None:
        values = {k: v for k, v in opportunity_data.items() if v not in (None, "")}
        if not values.get("subject"):
            raise ValidationError({"subject": [_("Enter the opportunity's subject.")]})
        opportunity = _create_opportunity(actor=actor, data={**values, "customer": customer, "contact": contact})
    message = _("Converted into customer %(customer)s") % {"customer": customer}
    converted = _apply_system(actor=actor, lead=locked, message=message, values={
        "status": Lead.Status.CONVERTED, "converted_at": timezone.now(), "converted_by": actor,
        "customer": customer, "contact": contact, "opportunity": opportunity})
    return Conversion(lead=converted, customer=customer, contact=contact, opportunity=opportunity,
                      new_customer=new_customer)
