from django.utils.translation import gettext_lazy as _

from core import access

from .models import Contact, Customer, FollowUp

# A customer in the public pool is nobody's own: its creator and last owner reach it only by claiming it.
access.register(Customer, module="customers.customer", label=_("Customers"), own_only_if={"pool__isnull": True},
                fields=("name", "short_name", "code", "phone", "website", "address", "credit_code", "invoice_title",
                        "tax_number", "invoice_address", "invoice_phone", "bank_name", "bank_account", "amount",
                        "tags", "collaborators", "notes"))
access.register(Contact, module="customers.customer", via="customer",
                fields=("name", "title", "mobile", "phone", "email", "wechat", "birthday", "notes"))

# A follow-up is part of its customer's record: whoever may see or change the customer may see or
# change its follow-ups (same module, so the same grants).
access.register(FollowUp, module="customers.customer", via="customer",
                fields=("content", "result", "next_step", "next_followup_on", "location", "latitude", "longitude"))
