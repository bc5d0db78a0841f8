from django.urls import include, path

from .ui import CustomerUI
from .ui_contacts import ContactUI

app_name = "customers"

urlpatterns = [
    *CustomerUI.urls(),
    *ContactUI.urls(),
    path("", include("customers.urls_customer")),
    path("", include("customers.urls_followup")),
    path("", include("customers.urls_pools")),
    path("", include("customers.urls_stats")),
]
