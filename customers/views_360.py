"""The customer 360 page (客户360): summary figures and a tab for every related record.

The page and each tab fragment first read the customer through the gate (404 outside the scope);
each tab then reads its own rows through the gate. Tabs are loaded with HTMX as partials of the
page's own template; other modules add tabs (customers.tabs360) and figures (customers.figures).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core import access, audit, crud, related, services
from core.api.serializers import redact

from . import figures, services_followup, tabs360
from .models import Contact, Customer, FollowUp
from .ui import CustomerUI
from .views_followup import METHOD_ICONS, timeline_queryset

TEMPLATE = "customers/customer_360.html"
TIMELINE_PAGE = 20
HISTORY_LIMIT = 100
VERSIONS_LIMIT = 50


# Reference data the header and the basic tab show: read in two batch queries after the customer
# (core.related) rather than joined to it, which cost PostgreSQL more planning than running.
REFERENCES = ("type", "level", "industry", "source", "relationship", "size", "category", "province", "city",
              "district")


def _customer(request, pk) -> Customer:
    customer = access.get_visible(request.user, "read", Customer.objects.select_related("owner", "department"), pk=pk)
    related.attach([customer], REFERENCES)
    return customer


def _may_update(request, customer) -> bool:
    # Asked by the page and by the follow-ups tab: once per request is enough.
    known = request.__dict__.setdefault("_zg_may_update_customer", {})
    if customer.pk not in known:
        known[customer.pk] = access.visible_to(request.user, "update", Customer).filter(pk=customer.pk).exists()
    return known[customer.pk]


# ---- built-in tabs ---------------------------------------------------------------------------------

def basic_tab(request, customer) -> dict:
    return {"rows": crud.detail_rows(CustomerUI, request.user, customer)}


def contacts_tab(request, customer) -> dict:
    user = request.user
    contacts = (access.visible_to(user, "read", Contact).filter(customer=customer)
                .prefetch_related("important_dates").order_by("name", "id"))
    return {"contacts": list(contacts), "may_export": access.can(user, "export", Contact),
            "may_add_contact": access.can(user, "create", Contact), "contact_hidden": access.hidden_fields(user, Contact)}


def followups_tab(request, customer) -> dict:
    user = request.user
    try:
        number = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        number = 1
    start = (number - 1) * TIMELINE_PAGE
    # One row more than a page tells whether there is a next page, without counting them all.
    rows = list(timeline_queryset(user, customer)[start:start + TIMELINE_PAGE + 1])
    may_update = _may_update(request, customer)
    for row in rows:
        row.may_comment = services_followup.may_comment(user, row, may_update_customer=may_update)
        row.icon = METHOD_ICONS.get(row.method.code if row.method_id else "", "message-dots")
    return {"followups": rows[:TIMELINE_PAGE], "next_page": number + 1 if len(rows) > TIMELINE_PAGE else None,
            "may_add_followup": may_update and access.can(user, "create", FollowUp),
            "followup_hidden": access.hidden_fields(user, FollowUp)}


def shares_tab(request, customer) -> dict:
    may_share = access.visible_to(request.user, "share", Customer).filter(pk=customer.pk).exists()
    return {"may_share": may_share, "shares": list(services.shares_of(customer)) if may_share else []}


def history_tab(request, customer) -> dict:
    hidden = access.hidden_fields(request.user, Customer)
    entries = list(audit.history_for(customer)[:HISTORY_LIMIT])
    for entry in entries:
        # Fields hidden from the user are left out of the change sets, as in the API.
        entry.shown_changes = redact(entry.changes, hidden)
    return {"entries": entries, "versions": list(audit.versions_for(customer)[:VERSIONS_LIMIT])}


tabs360.register_tab("basic", _("Basic info"), template=f"{TEMPLATE}#tab_basic", context=basic_tab, order=10,
                     icon="info-circle")
tabs360.register_tab("contacts", _("Contacts"), template=f"{TEMPLATE}#tab_contacts", context=contacts_tab, order=20,
                     icon="address-book")
tabs360.register_tab("followups", _("Follow-ups"), template=f"{TEMPLATE}#tab_followups", context=followups_tab,
                     order=30, icon="message-dots")
tabs360.register_tab("shares", _("Shared with"), template=f"{TEMPLATE}#tab_shares", context=shares_tab, order=80,
                     icon="share", visible=lambda user: access.can(user, "share", Customer))
tabs360.register_tab("history", _("Change history"), template=f"{TEMPLATE}#tab_history", context=history_tab,
                     order=90, icon="history")


def _in_my_pools(user, customer) -> bool:
    from .pools.selectors import claimable

    return claimable(user).filter(pk=customer.pk).exists()


# ---- views -----------------------------------------------------------------------------------------

@login_required
@require_GET
def customer_360(request, pk):
    user = request.user
    try:
        customer = _customer(request, pk)
    except Http404:
        # A pool customer outside the gate: its members get the masked card with the Claim button.
        if _in_my_pools(user, Customer(pk=pk)):
            return redirect("customers:pool_customer", pk)
        raise
    tabs = tabs360.tabs_for(user)
    active = tabs360.tab_for(user, request.GET.get("tab") or "") or tabs[0]
    may_update = _may_update(request, customer)
    context = {
        "customer": customer, "figures": figures.figures_for(customer, user), "tabs": tabs, "active": active,
        "may_update": may_update, "may_release": may_update and customer.pool_id is None,
        "may_claim": customer.pool_id is not None and _in_my_pools(user, customer),
        "may_add_followup": may_update and access.can(user, "create", FollowUp),
        "may_add_contact": may_update and access.can(user, "create", Contact),
        "hidden": access.hidden_fields(user, Customer),
        **active.context(request, customer),
    }
    return render(request, TEMPLATE, context)


@login_required
@require_GET
def customer_360_tab(request, pk, key):
    """One tab's content (HTMX); the timeline's later pages come as items only."""
    customer = _customer(request, pk)
    tab = tabs360.tab_for(request.user, key)
    if tab is None:
        raise Http404
    template = tab.template
    if key == "followups" and request.GET.get("page"):
        template = f"{TEMPLATE}#timeline_items"
    return render(request, template, {"customer": customer, "tab": tab, "hidden": access.hidden_fields(request.user, Customer),
                                      **tab.context(request, customer)})
