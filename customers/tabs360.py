"""The tabs of the customer 360 page, as a registry other modules join.

A tab names a template (or a partial, ``"app/page.html#part"``) and a context function
``context(request, customer) -> dict`` that reads its rows through the access gate for
``request.user``; the page has already checked that the user may read the customer. The tab is
loaded with HTMX when it is opened::

    from customers.tabs360 import register_tab

    register_tab("contracts", _("Contracts"), template="sales/customer_contracts.html",
                 context=contracts_tab, order=60, visible=lambda user: access.can(user, "read", Contract))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tab:
    key: str
    label: object
    template: str
    context: Callable
    order: int = 100
    visible: Callable | None = None  # visible(user) -> bool, without database queries where possible
    icon: str = "file"

    def shown_to(self, user) -> bool:
        return self.visible is None or bool(self.visible(user))


_registry: dict[str, Tab] = {}


def register_tab(key: str, label, *, template: str, context: Callable, order: int = 100,
                 visible: Callable | None = None, icon: str = "file") -> Tab:
    if not key.replace("_", "").isalnum():
        raise ValueError("a tab key is letters, digits and underscores")
    tab = Tab(key=key, label=label, template=template, context=context, order=order, visible=visible, icon=icon)
    _registry[key] = tab
    return tab


def tabs_for(user) -> list[Tab]:
    return sorted((t for t in _registry.values() if t.shown_to(user)), key=lambda t: t.order)


def tab_for(user, key: str) -> Tab | None:
    tab = _registry.get(key)
    return tab if tab is not None and tab.shown_to(user) else None
