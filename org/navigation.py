from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem, add_child

from .services_users import is_org_admin

add_child("org", NavItem(_("Departments"), "org:department_list", visible=is_org_admin, order=10))
add_child("org", NavItem(_("Users"), "org:user_list", visible=is_org_admin, order=20))
add_child("org", NavItem(_("Roles and permissions"), "org:role_list", visible=is_org_admin, order=30))
