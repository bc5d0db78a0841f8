"""The conversion page (线索转化): a new or existing customer, the contact and an optional opportunity,
prefilled from the lead and saved in one step by marketing.conversion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import access
from core.models import LookupItem
from core.services import StaleVersion
from customers.services import DuplicateFound

from . import conversion, services
from .forms import ConvertForm
from .models import Lead
from .ui import LeadUI

CUSTOMER_FIELDS = {"customer_name": "name", "customer_phone": "phone", "province": "province", "city": "city",
                   "address": "address", "industry": "industry", "source": "source"}
CONTACT_FIELDS = {"contact_name": "name", "contact_title": "title", "contact_mobile": "mobile",
                  "contact_phone": "phone", "contact_email": "email", "contact_wechat": "wechat"}


def _may_opportunity(user) -> bool:
    return access.can(user, "create", "sales.opportunity")


def _initial(lead: Lead) -> dict:
    customer = conversion.customer_defaults(lead)
    contact = conversion.contact_defaults(lead)
    opportunity = conversion.opportunity_defaults(lead)
    first_stage = LookupItem.objects.filter(kind="sales_stage", active=True).order_by("sort", "id").first()
    initial = {"mode": "new", "version": lead.version, "create_opportunity": True,
               "subject": opportunity["subject"], "stage": first_stage}
    initial.update({form_name: customer.get(name) for form_name, name in CUSTOMER_FIELDS.items()})
    initial.update({form_name: contact.get(name) for form_name, name in CONTACT_FIELDS.items()})
    return initial


@login_required
def lead_convert(request, pk: int):
    user = request.user
    lead = access.get_visible(user, "update", Lead, pk=pk)
    if not lead.is_open:
        messages.error(request, _("Only an open lead can be converted."))
        return HttpResponseRedirect(LeadUI.url("detail", pk))
    may_opportunity = _may_opportunity(user)
    duplicates = [m.as_dict() for m in services.customer_matches(user=user, lead=lead)]
    if request.method != "POST":
        form = ConvertForm(initial=_initial(lead), user=user, may_opportunity=may_opportunity)
        return _render(request, lead, form, duplicates)
    form = ConvertForm(request.POST, user=user, may_opportunity=may_opportunity)
    if not form.is_valid():
        return _render(request, lead, form, duplicates, status=400)
    data = form.cleaned_data
    opportunity = None
    if may_opportunity and data.get("create_opportunity"):
        opportunity = {"subject": data["subject"], "expected_amount": data.get("expected_amount"),
                       "stage": data.get("stage"), "planned_close": data.get("planned_close"),
                       "source": data.get("source") or lead.source}
    try:
        result = conversion.lead_convert(
            actor=user, lead=lead, expected_version=data.get("version"),
            customer_data={name: data.get(f) for f, name in CUSTOMER_FIELDS.items()} if data["mode"] == "new" else None,
            existing_customer=data["existing"] if data["mode"] == "existing" else None,
            contact_data={name: data.get(f) for f, name in CONTACT_FIELDS.items()},
            opportunity_data=opportunity, confirm_duplicates=data.get("confirm_duplicates", False))
    except DuplicateFound as exc:
        form.add_error(None, _("Similar customers exist. Check them, then tick the box to create it anyway."))
        return _render(request, lead, form, [m.as_dict() for m in exc.matches], status=400, show_confirm=True)
    except (ValidationError, PermissionDenied, StaleVersion) as exc:
        for message in getattr(exc, "messages", None) or [str(exc) or _("You do not have permission for this operation.")]:
            form.add_error(None, message)
        return _render(request, lead, form, duplicates, status=400)
    messages.success(request, _("The lead was converted into customer %(name)s.") % {"name": result.customer})
    return HttpResponseRedirect(LeadUI.url("detail", pk))


def _render(request, lead, form, duplicates, status: int = 200, show_confirm: bool = False):
    return render(request, "marketing/lead_convert.html", {
        "object": lead, "form": form, "duplicates": duplicates,
        "show_confirm": show_confirm or any(not d["exact"] for d in duplicates),
    }, status=status)
