"""Menu entries of the settings pages under the "System" group."""

from django.utils.translation import gettext_lazy as _

from . import basedata, customfields
from .navigation import NavItem, add_child

add_child("system", NavItem(_("Basic data"), "core:lookup_list", icon="list-details", visible=basedata.may_manage, order=10))
add_child("system", NavItem(_("Numbering rules"), "core:numbering_list", icon="numbers", visible=customfields.may_manage, order=20))
add_child("system", NavItem(_("Custom fields"), "core:customfield_list", icon="forms", visible=customfields.may_manage, order=30))
