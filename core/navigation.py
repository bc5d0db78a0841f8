"""The left navigation. Each module adds its entries; entries the user may not use are left out."""

from dataclasses import dataclass, field
from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
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


@lru_cache(maxsize=512)
def _url(url_name: str, script_prefix: str) -> str:
    return reverse(url_name)


def menu_for(request):
    """The entries the user may use, with their addresses (reversed once per process) and labels in the
    request's language, and which entry is the current page's."""
    user, path, prefix = request.user, request.path, get_script_prefix()
    result = []
    for item in NAV:
        if item.visible is not None and not item.visible(user):
            continue
        children = []
        for child in item.children:
            if child.visible is None or child.visible(user):
                url = _url(child.url_name, prefix)
                children.append({"label": str(child.label), "url": url, "icon": child.icon,
                                 "current": path == url, "active": path.startswith(url)})
        if item.children and not children:
            continue
        url = _url(item.url_name, prefix) if item.url_name else ""
        result.append({"label": str(item.label), "icon": item.icon, "url": url, "children": children,
                       "active": any(child["active"] for child in children) or bool(url and path == url)})
    return result


_MENU_HTML: dict[tuple, str] = {}
MENU_HTML_LIMIT = 512


def menu_html(request) -> str:
    """The sidebar menu as HTML (core/_menu.html). The markup depends only on the entries the user may
    use, in the request's language, and on which is current, so it is rendered once per such menu in
    each process instead of on every page (some 130 template nodes)."""
    menu = menu_for(request)
    key = tuple((item["label"], item["icon"], item["url"], item["active"],
                 tuple((child["label"], child["url"], child["current"]) for child in item["children"]))
                for item in menu)
    html = _MENU_HTML.get(key)
    if html is None:
        if len(_MENU_HTML) >= MENU_HTML_LIMIT:
            _MENU_HTML.clear()
        html = _MENU_HTML[key] = render_to_string("core/_menu.html", {"nav_menu": menu})
    return html


add(NavItem(_("Home"), "core:home", icon="home", order=0))
# Groups the platform offers; entries are added by the modules that own the pages.
add(NavItem(_("Organisation"), "", icon="sitemap", key="org", order=90))
add(NavItem(_("System"), "", icon="settings", key="system", order=95))


def _is_admin(user) -> bool:
    from org.services_users import is_org_admin

    return is_org_admin(user)


add_child("system", NavItem(_("Audit log"), "core:audit_log", visible=_is_admin, order=80))
add_child("system", NavItem(_("Recycle bin"), "core:recycle_bin", order=90))
