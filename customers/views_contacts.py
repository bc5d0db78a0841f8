"""Contact pages beyond the generic ones: the detail page with important dates and the contact's
follow-ups, and vCard download of one contact, of a customer's contacts or of a contact list."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import access, crud
from core.lists.query import ListContext, read_state

from . import services_contact
from .models import Contact, ContactDate, Customer, FollowUp
from .ui_contacts import ContactUI

RECENT_FOLLOWUPS = 10


def _dates_context(user, contact) -> dict:
    return {"object": contact, "dates": list(ContactDate.objects.filter(contact=contact).order_by("date", "id")),
            "may_update": access.visible_to(user, "update", Contact).filter(pk=contact.pk).exists()}


class ContactDetailPage(crud.UIView):
    template_name = "customers/contact_detail.html"

    def get(self, request, pk):
        user = request.user
        contact = self.get_object()
        followups = (access.visible_to(user, "read", FollowUp).filter(contact=contact)
                     .select_related("method", "created_by")[:RECENT_FOLLOWUPS])
        return render(request, self.template_name, self.base_context(
            rows=crud.detail_rows(self.ui, user, contact),
            may_delete=access.visible_to(user, "delete", Contact).filter(pk=pk).exists(),
            may_print=access.can(user, "print", Contact), may_export=access.can(user, "export", Contact),
            may_share=False, followups=list(followups),
            **_dates_context(user, contact)))


@login_required
@require_POST
def contact_dates(request, pk):
    """Add or remove an important date; answers the dates block (HTMX) or the detail page."""
    contact = access.get_visible(request.user, "update", Contact, pk=pk)
    error = ""
    try:
        if request.POST.get("remove"):
            services_contact.contact_date_remove(actor=request.user, contact=contact, date_id=int(request.POST["remove"]))
        else:
            services_contact.contact_date_add(actor=request.user, contact=contact, label=request.POST.get("label", ""),
                                              date=request.POST.get("date", ""))
    except ValidationError as exc:
        error = "; ".join(exc.messages)
    except ValueError:
        error = _("Invalid request.")
    context = {**_dates_context(request.user, contact), "date_error": error}
    if request.htmx:
        return render(request, "customers/contact_detail.html#dates", context)
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(reverse("customers:contact_detail", args=[pk]))


def _version(params) -> str:
    return "4.0" if params.get("v") in ("4", "4.0") else "3.0"


def _vcard_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    return quote(name, safe="")


@login_required
@require_GET
def contact_vcard(request, pk):
    """One contact as a .vcf file (needs the export permission on it)."""
    access.require(request.user, "export", Contact)
    contact = access.get_visible(request.user, "export", Contact, pk=pk)
    text, _count = services_contact.export_vcards(actor=request.user, queryset=access.visible_to(request.user, "export", Contact).filter(pk=contact.pk),
                                                  version=_version(request.GET))
    shown = "name" not in access.hidden_fields(request.user, Contact)
    return _vcard_response(text, f"{contact.name if shown else f'contact-{contact.pk}'}.vcf")


@login_required
@require_http_methods(["GET", "POST"])
def contacts_vcard(request):
    """Several contacts as one .vcf: ``customer=<id>`` for a customer's contacts, otherwise the
    contact list as the user sees it (search, filter, selected ``ids``), like the list's export.
    POST is taken too, for the list's batch bar; it changes nothing but the audit log."""
    user = request.user
    access.require(user, "export", Contact)
    params = request.POST if request.method == "POST" else request.GET
    try:
        state = read_state(params)
        rows = ListContext.load(ContactUI, user).queryset(state, action="export")
    except ValidationError as exc:
        return HttpResponseBadRequest("; ".join(exc.messages))
    name = str(Contact._meta.verbose_name_plural)
    if params.get("customer"):
        customer = access.get_visible(user, "read", Customer, pk=params["customer"])
        rows = rows.filter(customer=customer)
        name = customer.name if "name" not in access.hidden_fields(user, Customer) else f"customer-{customer.pk}"
    try:
        text, _count = services_contact.export_vcards(actor=user, queryset=rows, version=_version(params))
    except ValidationError as exc:
        return HttpResponseBadRequest("; ".join(exc.messages))
    return _vcard_response(text, f"{name}-{timezone.localtime():%Y%m%d}.vcf")
