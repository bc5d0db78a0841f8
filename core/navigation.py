"""The left navigation. Each module adds its entries; entries the user may not use are left out."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass
class NavItem:
    """A menu entry; ``key`` names a group other modules may add children to (see add_child)."""

    label: object
    url_name: str
    icon: str = "circle"
    visible: object = None  # callable(user) -> bool
    children: list = field(default_factory=list)
    key: str = ""
    order: int = 50


NAV: list[NavItem] = []


def add(item: NavItem) -> NavItem:
    NAV.append(item)
    NAV.sort(key=lambda i: i.order)
    return item


def add_child(group_key: str, item: NavItem) -> NavItem:
    """Put an entry under an existing group, e.g. add_child("system", NavItem(...))."""
    for group in NAV:
        if group.key == group_key:
            group.children.append(item)
            group.children.sort(key=lambda i: i.order)
            return item
    raise KeyError(group_key)


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


add(NavItem(_("Home"), "core:home", icon="home", order=0))
# Groups the platform offers; entries are added by the modules that own the pages.
add(NavItem(_("Organisation"), "", icon="sitemap", key="org", order=90))
add(NavItem(_("System"), "", icon="settings", key="system", order=95))


def _is_admin(user) -> bool:
    from org.services_users import is_org_admin

    return is_org_admin(user)


add_child("system", NavItem(_("Audit log"), "core:audit_log", visible=_is_admin, order=80))
add_child("system", NavItem(_("Recycle bin"), "core:recycle_bin", order=90))
