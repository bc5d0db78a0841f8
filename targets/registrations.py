"""Imported once at start-up: gate registrations, menu entries and home-page panels of the targets app."""

from django.utils.translation import gettext_lazy as _

from core import access as gate
from core.navigation import NavItem, add_child

from . import access, dashboard  # noqa: F401  (gate registration, home-page panel)
from .models import SalesTarget

add_child("sales", NavItem(_("Sales targets"), "targets:progress", icon="target-arrow", order=50,
                           visible=lambda u: gate.can(u, "read", SalesTarget)))
