from core import ui

from .models import Customer


@ui.register
class CustomerUI(ui.ModelUI):
    model = Customer
    icon = "building-store"
    list_columns = ["name", "code", "short_name", "status", "level", "type", "industry", "source", "phone",
                    "owner", "department", "next_followup_on", "last_followup_at", "amount", "created_at"]
    default_columns = ["name", "code", "status", "level", "phone", "owner", "last_followup_at", "created_at"]
    search_fields = ["name", "short_name", "code", "phone"]
    form_fields = ["name", "short_name", "code", "status", "type", "level", "industry", "source", "phone",
                   "website", "address", "credit_code", "parent", "amount", "next_followup_on", "notes"]
    select_related = ["owner", "department", "level", "type", "industry", "source"]
