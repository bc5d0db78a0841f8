"""The summary figures of the customer 360 page, as a registry other modules join.

Each figure is ``fn(customer, user) -> value`` and must read through the access gate for ``user``.
The figures SPEC §1 asks for are declared here; a module that is not built yet has no function
registered for its figure, and the figure reads 0 (never an invented number) until it does::

    from customers.figures import register_figure

    register_figure("contract_amount", _("Contract amount"), contract_total, kind="money")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access

KINDS = ("count", "money", "datetime", "days")
EMPTY = {"count": 0, "money": Decimal("0.00"), "datetime": None, "days": None}


@dataclass(frozen=True)
class Figure:
    key: str
    label: object
    fn: Callable | None
    kind: str
    order: int

    def value(self, customer, user):
        return EMPTY[self.kind] if self.fn is None else self.fn(customer, user)


_registry: dict[str, Figure] = {}


def register_figure(key: str, label, fn: Callable | None = None, *, kind: str | None = None,
                    order: int | None = None) -> Figure:
    """Declare a figure, or give a declared one its function (it keeps its kind and place unless given)."""
    known = _registry.get(key)
    kind = kind or (known.kind if known else "count")
    if kind not in KINDS:
        raise ValueError(f"figure kind must be one of {KINDS}")
    if order is None:
        order = known.order if known else 100 + len(_registry)
    figure = Figure(key=key, label=label, fn=fn, kind=kind, order=order)
    _registry[key] = figure
    return figure


def registered() -> list[Figure]:
    return sorted(_registry.values(), key=lambda f: f.order)


def figures_for(customer, user) -> list[dict]:
    return [{"key": f.key, "label": f.label, "kind": f.kind, "value": f.value(customer, user), "provided": f.fn is not None}
            for f in registered()]


# ---- what the customers app knows today ------------------------------------------------------------

def _contact_count(customer, user) -> int:
    from .models import Contact

    return access.visible_to(user, "read", Contact).filter(customer=customer).count()


def _followup_count(customer, user) -> int:
    from .models import FollowUp

    return access.visible_to(user, "read", FollowUp).filter(customer=customer).count()


def _last_followup(customer, user):
    return customer.last_followup_at


def _days_since_followup(customer, user) -> int | None:
    if customer.last_followup_at is None:
        return None
    return (timezone.localdate() - timezone.localtime(customer.last_followup_at).date()).days


register_figure("contacts", _("Contacts"), _contact_count, order=10)
register_figure("followups", _("Follow-ups"), _followup_count, order=20)
register_figure("last_followup", _("Last follow-up"), _last_followup, kind="datetime", order=30)
register_figure("days_since_followup", _("Days since last follow-up"), _days_since_followup, kind="days", order=40)
# Fed by the modules that own these records once they exist.
register_figure("opportunity_count", _("Opportunities"), order=50)
register_figure("opportunity_amount", _("Opportunity amount"), kind="money", order=55)
register_figure("contract_count", _("Contracts"), order=60)
register_figure("contract_amount", _("Contract amount"), kind="money", order=65)
register_figure("shipped_amount", _("Shipped"), kind="money", order=70)
register_figure("received_amount", _("Received"), kind="money", order=75)
register_figure("receivable_balance", _("Receivable balance"), kind="money", order=80)
register_figure("expense_amount", _("Expenses"), kind="money", order=85)
register_figure("service_count", _("Service requests"), order=90)
register_figure("open_todos", _("Open to-dos"), order=95)
register_figure("points", _("Points"), order=99)
