"""The assignment history (客户分配记录): every change of a customer's owner, and its 360 tab.

Rows come from customers.pools.selectors.assignments_for: moves of customers the user may read,
plus moves to or from the user; of a customer outside the user's scope nothing but the move shows.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core import access
from org.selectors import everyone

from . import tabs360
from .api.views_pools import filter_assignments
from .models import Customer, CustomerAssignment
from .pools import selectors

PAGE_SIZE = 50
TAB_LIMIT = 100
RELATED = ("customer", "from_owner", "to_owner", "from_department", "to_department", "pool", "actor")


@login_required
@require_GET
def assignment_list(request):
    user = request.user
    rows = filter_assignments(selectors.assignments_for(user), request.GET).select_related(*RELATED).order_by("-at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    readable = selectors.readable_customer_ids(user, [r.customer_id for r in page.object_list])
    for row in page.object_list:
        row.readable = row.customer_id in readable
    hidden = access.hidden_fields(user, Customer)
    return render(request, "customers/assignments/assignment_list.html", {
        "page": page, "kinds": CustomerAssignment.Kind.choices, "filters": request.GET,
        "hidden": hidden, "chosen_customer": _chosen_customer(user, request.GET.get("customer", ""), hidden),
        "people": everyone(),
    })


def _chosen_customer(user, value: str, hidden: set) -> dict | None:
    """The customer the list is filtered by, for its chooser: named if the user may read it, else by id."""
    if not value.isdigit():
        return None
    name = None
    if "name" not in hidden:
        name = access.visible_to(user, "read", Customer).filter(pk=int(value)).values_list("name", flat=True).first()
    return {"pk": int(value), "label": name or f"#{value}"}


def assignments_tab(request, customer) -> dict:
    # The 360 page read the customer through the gate already: its whole history may be shown.
    rows = list(customer.assignments.select_related(*RELATED).order_by("-at", "-id")[:TAB_LIMIT])
    return {"assignments": rows}


tabs360.register_tab("assignments", _("Assignments"), template="customers/assignments/customer_tab.html",
                     context=assignments_tab, order=85, icon="arrows-exchange")
