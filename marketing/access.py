from django.utils.translation import gettext_lazy as _

from core import access

from .models import Lead

# Leads in the unassigned pool have no owner: they are reached by department scope (the department
# of the team a web form routes to) or by a grant of all leads (marketing staff).
access.register(Lead, module="marketing.lead", label=_("Leads"),
                fields=("company", "contact_name", "title", "mobile", "phone", "email", "wechat", "address",
                        "campaign", "source_detail", "requirement", "notes"))
