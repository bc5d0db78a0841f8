"""The left navigation. Each module adds its entries; entries the user may not use are left out."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass
class NavItem:
    label: object
    url_name: str
    icon: str = "circle"
    visible: object = None  # callable(user) -> bool
    children: list = field(default_factory=list)


NAV: list[NavItem] = []


def add(item: NavItem) -> NavItem:
    NAV.append(item)
    return item


def menu_for(request):
    user = request.user
    result = []
    for item in NAV:
        children = [c for c in item.children if c.visible is None or c.visible(user)]
        if item.visible is not None and not item.visible(user):
            continue
        if item.children and not children:
            continue
        result.append({
            "label": item.label, "icon": item.icon,
            "url": reverse(item.url_name) if item.url_name else "",
            "children": [{"label": c.label, "url": reverse(c.url_name), "icon": c.icon} for c in children],
            "active": any(request.path.startswith(reverse(c.url_name)) for c in children)
            or (item.url_name and request.path == reverse(item.url_name)),
        })
    return result


add(NavItem(_("Home"), "core:home", icon="home"))
