"""Routes the contracts app adds under /api/v1/."""

from .views import ContractViewSet, OrderViewSet, ReceiptViewSet, ReceivableViewSet


def register(router) -> None:
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("orders", OrderViewSet, basename="order")
    router.register("receivables", ReceivableViewSet, basename="receivable")
    router.register("receipts", ReceiptViewSet, basename="receipt")
