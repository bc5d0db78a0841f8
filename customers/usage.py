"""Why a customer may not be deleted: later modules say so by registering a usage check.

A check takes a customer and returns a reason (str) to refuse, or None. The sales module, for one,
registers "the customer has an open receivable balance"; a stock module "used in documents"::

    from customers.usage import register_usage_check

    @register_usage_check
    def open_balance(customer):
        if receivable_balance(customer) != 0:
            return _("The customer has a receivable balance of %(amount)s.") % {"amount": ...}

All checks are asked through one delete blocker (core.deletion), so the UI, the API, batch deletes
and the recycle bin give the same refusal with every reason at once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from core.deletion import register_blocker, register_restore_blocker

from .models import Customer

_checks: list[Callable] = []


def register_usage_check(check: Callable) -> Callable:
    if check not in _checks:
        _checks.append(check)
    return check


def unregister_usage_check(check: Callable) -> None:
    if check in _checks:
        _checks.remove(check)


def usage_reasons(customer) -> list[str]:
    reasons = []
    for check in list(_checks):
        reason = check(customer)
        if reason:
            reasons.append(str(reason))
    return reasons


def _blocker(customer) -> str | None:
    reasons = usage_reasons(customer)
    return "; ".join(reasons) if reasons else None


register_blocker(Customer, _blocker)


def _merged(customer) -> str | None:
    """A merged customer's records live on under the survivor; restoring it would split them again."""
    if customer.merged_into_id:
        return _("This customer was merged into %(name)s (#%(pk)s); its records now belong there.") % {
            "name": customer.merged_into.name, "pk": customer.merged_into_id}
    return None


register_restore_blocker(Customer, _merged)
