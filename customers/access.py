from django.utils.translation import gettext_lazy as _

from core import access

from .models import Contact, Customer

access.register(Customer, module="customers.customer", label=_("Customers"),
                fields=("name", "short_name", "code", "phone", "address", "credit_code", "amount", "notes"))
access.register(Contact, module="customers.customer", via="customer")
