from django.utils.translation import gettext_lazy as _

from core import access

from .models import ContactRecord, MaintenanceRecord, Opportunity, Project, Quote

# Computed and service-set fields (amount, audit state…) are not offered: a field rule on them would
# stop the back-fill and audit services for that user.
access.register(Opportunity, module="sales.opportunity", label=_("Opportunities"),
                fields=("code", "subject", "customer", "contact", "stage", "win_rate", "cost_estimate",
                        "expected_amount", "start_date", "planned_close", "actual_close", "lost_reason", "source",
                        "notes"))
# A contact record is part of its opportunity: same grants, same scope.
access.register(ContactRecord, module="sales.opportunity", via="opportunity",
                fields=("content", "next_step", "cost_estimate", "expected_amount"))
access.register(Project, module="sales.project", label=_("Projects"),
                fields=("code", "subject", "customer", "contact", "stage", "win_rate", "cost_estimate",
                        "expected_amount", "start_date", "planned_close", "actual_close", "actual_cost",
                        "actual_sales", "notes"))
access.register(MaintenanceRecord, module="sales.project", via="project",
                fields=("content", "next_step", "cost_estimate", "expected_amount"))
# Quotes hang off a contact record (opportunities) or a maintenance record (projects), two modules,
# so they have their own; the services give a quote its parent's owner and department and require
# the update scope on the parent to quote it.
access.register(Quote, module="sales.quote", label=_("Quotes"),
                fields=("code", "customer", "valid_until", "notes"))
