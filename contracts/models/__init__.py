from .documents import Contract, ContractAttachment, DocumentLine, DocumentStatus, Order, PlanPeriod
from .money import Receipt, Receivable, ReceivableStatus

__all__ = ["Contract", "ContractAttachment", "DocumentLine", "DocumentStatus", "Order", "PlanPeriod", "Receipt",
           "Receivable", "ReceivableStatus"]
