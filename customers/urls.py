from .ui import ContactUI, CustomerUI

app_name = "customers"

urlpatterns = CustomerUI.urls() + ContactUI.urls()
