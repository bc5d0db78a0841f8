from django.utils.translation import gettext_lazy as _

from core import access

from .models import Contract, ContractAttachment, Order, Receipt, Receivable

# Amounts, status and approval are set by the services only, so no field rule is offered on them.
access.register(Contract, module="contracts.contract", label=_("Contracts"),
                fields=("code", "title", "contract_type", "customer", "our_signer", "their_signer", "sign_date",
                        "start_date", "end_date", "expected_margin", "terms", "notes"))
# Documents of a contract are seen exactly by those who may see the contract.
access.register(ContractAttachment, module="contracts.contract", via="contract")
access.register(Order, module="contracts.order", label=_("Orders"),
                fields=("code", "customer", "contact", "order_date", "payment_terms", "delivery_terms", "notes"))
access.register(Receivable, module="contracts.receivable", label=_("Receivables"), fields=("due_date",))
access.register(Receipt, module="contracts.receivable", via="receivable")
