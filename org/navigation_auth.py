"""Menu entries of the login security pages."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem, add_child

add_child("system", NavItem(_("Security policy"), "org:security_policy", icon="shield-lock",
                            visible=lambda user: user.is_superuser))
add_child("org", NavItem(_("Login history"), "org:login_history", icon="history"))
