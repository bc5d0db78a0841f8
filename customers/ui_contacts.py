from core import ui

from .models import Contact


@ui.register
class ContactUI(ui.ModelUI):
    model = Contact
    icon = "address-book"
    list_columns = ["name", "customer", "title", "mobile", "email", "birthday", "created_at"]
    search_fields = ["name", "mobile", "email", "customer__name"]
    form_fields = ["customer", "name", "title", "mobile", "email", "birthday", "notes"]
    select_related = ["customer"]
