"""What sales adds to customers: 360 figures and tab, and the delete rule."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access
from customers.figures import register_figure
from customers.tabs360 import register_tab
from customers.usage import register_usage_check

from .models import Opportunity, Project


def _opportunities(customer, user):
    return access.visible_to(user, "read", Opportunity).filter(customer=customer)


def opportunity_count(customer, user) -> int:
    return _opportunities(customer, user).count()


def opportunity_amount(customer, user) -> Decimal:
    """The opportunity amounts (expected × rate) of the customer's open opportunities the user may read."""
    if "amount" in access.hidden_fields(user, Opportunity):
        return Decimal("0.00")
    total = _opportunities(customer, user).filter(status=Opportunity.Status.OPEN).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0.00")


register_figure("opportunity_count", gettext_lazy("Opportunities"), opportunity_count)
register_figure("opportunity_amount", gettext_lazy("Opportunity amount"), opportunity_amount, kind="money")


def opportunities_tab(request, customer) -> dict:
    rows = (_opportunities(customer, request.user).select_related("stage", "owner").order_by("-id")[:100])
    return {"opportunities": list(rows), "may_create": access.can(request.user, "create", Opportunity)}


register_tab("opportunities", gettext_lazy("Opportunities"), template="sales/customer_opportunities.html",
             context=opportunities_tab, order=55, icon="target",
             visible=lambda user: access.can(user, "read", Opportunity))


@register_usage_check
def has_sales_records(customer):
    """Opportunities and projects (deleted ones too: they can be restored) keep their customer."""
    opportunities = Opportunity.all_objects.filter(customer=customer).count()
    projects = Project.all_objects.filter(customer=customer).count()
    if opportunities or projects:
        return _("The customer has %(o)s opportunities and %(p)s projects.") % {"o": opportunities, "p": projects}
    return None
