"""What contracts add to customers: 360 figures and tab, and the delete rule."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access
from customers.figures import register_figure
from customers.tabs360 import register_tab
from customers.usage import register_usage_check

from .models import Contract, DocumentStatus, Order, Receivable

ZERO = Decimal("0.00")


def _contracts(customer, user):
    return access.visible_to(user, "read", Contract).filter(customer=customer)


def _receivables(customer, user):
    return access.visible_to(user, "read", Receivable).filter(customer=customer)


def contract_count(customer, user) -> int:
    return _contracts(customer, user).count()


def contract_amount(customer, user) -> Decimal:
    """Amounts of the customer's approved (not cancelled) contracts the user may read."""
    rows = _contracts(customer, user).exclude(status__in=[DocumentStatus.DRAFT, DocumentStatus.CANCELLED])
    return rows.aggregate(s=Sum("amount"))["s"] or ZERO


def received_amount(customer, user) -> Decimal:
    return _receivables(customer, user).aggregate(s=Sum("received"))["s"] or ZERO


def receivable_balance(customer, user) -> Decimal:
    return _receivables(customer, user).aggregate(s=Sum("balance"))["s"] or ZERO


register_figure("contract_count", gettext_lazy("Contracts"), contract_count)
register_figure("contract_amount", gettext_lazy("Contract amount"), contract_amount, kind="money")
register_figure("received_amount", gettext_lazy("Received"), received_amount, kind="money")
register_figure("receivable_balance", gettext_lazy("Receivable balance"), receivable_balance, kind="money")


def contracts_tab(request, customer) -> dict:
    user = request.user
    return {"contracts": list(_contracts(customer, user).order_by("-id")[:100]),
            "orders": list(access.visible_to(user, "read", Order).filter(customer=customer).order_by("-id")[:100]),
            "receivables": list(_receivables(customer, user).select_related("contract", "order")[:100]),
            "may_create": access.can(user, "create", Contract)}


register_tab("contracts", gettext_lazy("Contracts"), template="contracts/customer_contracts.html",
             context=contracts_tab, order=60, icon="file-certificate",
             visible=lambda user: access.can(user, "read", Contract) or access.can(user, "read", Receivable))


@register_usage_check
def has_contract_records(customer):
    """Contracts, orders (binned ones too: they can be restored) and open balances keep their customer."""
    contracts = Contract.all_objects.filter(customer=customer).count()
    orders = Order.all_objects.filter(customer=customer).count()
    balance = Receivable.all_objects.filter(customer=customer).aggregate(s=Sum("balance"))["s"] or ZERO
    reasons = []
    if balance != 0:
        reasons.append(_("The customer has a receivable balance of %(amount)s.") % {"amount": balance})
    if contracts or orders:
        reasons.append(_("The customer has %(c)s contracts and %(o)s orders.") % {"c": contracts, "o": orders})
    return " ".join(reasons) or None
