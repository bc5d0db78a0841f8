"""Pages of the contracts app (namespace "contracts")."""

from django.urls import path

from . import views
from .ui import ContractUI, OrderUI, ReceiptUI, ReceivableUI

app_name = "contracts"
urlpatterns = [
    *ContractUI.urls(), *OrderUI.urls(), *ReceivableUI.urls(), *ReceiptUI.urls(),
    path("<str:kind>/<int:pk>/lines/", views.document_lines, name="document_lines"),
    path("<str:kind>/<int:pk>/plan/", views.document_plan, name="document_plan"),
    path("<str:kind>/<int:pk>/do/<str:what>/", views.document_action, name="document_action"),
    path("contract/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachment/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachment/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("receivable/<int:pk>/receipt/", views.receipt_record, name="receipt_record"),
]
