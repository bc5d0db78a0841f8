"""Joins the pool to the generic machinery: reassignment (core.services.assign_records), a user
leaving (core.offboarding) and the daily rules job (imported for its @periodic registration)."""

from core import offboarding
from core import services as core_services
from customers.models import Customer

from . import rules, services  # noqa: F401  rules registers the daily job

core_services.on_assign(Customer, services.after_assign)
offboarding.register(Customer, services.hand_over)
