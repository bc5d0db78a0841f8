from django.urls import path
from django.utils.translation import gettext_lazy as _

from core import access, ui

from . import search  # noqa: F401
from .models import Customer


@ui.register
class CustomerUI(ui.ModelUI):
    model = Customer
    icon = "building-store"
    list_columns = ["name", "code", "short_name", "status", "level", "type", "category", "industry", "source",
                    "relationship", "size", "phone", "province", "city", "credit_code",
                    "owner", "department", "next_followup_on", "last_followup_at", "amount", "created_at", "updated_at"]
    default_columns = ["name", "code", "status", "level", "phone", "city", "owner", "last_followup_at", "created_at"]
    # What the search box covers; the stored keys add pinyin, initials and contacts (customers.search).
    search_fields = ["name", "short_name", "code", "phone"]
    form_fields = ["name", "short_name", "code", "status", "type", "level", "category", "industry", "source",
                   "relationship", "size", "phone", "website", "province", "city", "district", "address",
                   "credit_code", "invoice_title", "tax_number", "invoice_address", "invoice_phone", "bank_name",
                   "bank_account", "tags", "collaborators", "parent", "amount", "next_followup_on", "notes"]
    # Many-to-many fields are shown in their own card on the detail page.
    detail_fields = [name for name in form_fields if name not in ("tags", "collaborators")]
    # The edit form in sections (field names not listed fall into the first).
    form_sections = [
        (_("Basic information"), ["name", "short_name", "code", "status", "type", "level", "category", "industry",
                                  "source", "relationship", "size", "parent", "amount", "next_followup_on"]),
        (_("Contact and address"), ["phone", "website", "province", "city", "district", "address"]),
        (_("Invoice details"), ["credit_code", "invoice_title", "tax_number", "invoice_address", "invoice_phone",
                                "bank_name", "bank_account"]),
        (_("Team and tags"), ["tags", "collaborators"]),
        (_("Notes"), ["notes"]),
    ]
    select_related = ["owner", "department", "level", "type", "industry", "source", "province", "city"]
    # Extra buttons of the list's batch bar: (url name, icon, label, operation the user needs).
    batch_buttons = [
        {"url_name": "customers:customer_merge", "icon": "arrows-join", "label": _("Merge"), "needs": "delete"},
        {"url_name": "customers:customer_release_batch", "icon": "lifebuoy", "label": _("Release to pool"),
         "needs": "update"},
    ]

    def search(self, qs, term: str, *, user=None):
        """Stored keys (pinyin, initials, phone, contacts) unless the user may not see what they hold."""
        term = (term or "").strip()
        if not term:
            return qs
        hidden = access.hidden_fields(user, Customer) if user is not None else set()
        cond = search.search_condition(term, hidden=hidden)
        if cond is None:
            return super().search(qs, term, user=user)
        return qs.filter(cond)

    # ---- writes go through the customer services ------------------------------------------------
    def create(self, *, actor, data: dict, custom: dict):
        from . import services

        data = dict(data)
        confirm = bool(data.pop("confirm_duplicates", False))
        return services.customer_create(actor=actor, data=data, custom=custom, confirm_duplicates=confirm)

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services

        data = dict(data)
        data.pop("confirm_duplicates", None)
        return services.customer_update(actor=actor, instance=instance, data=data, custom=custom,
                                        expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services

        return services.customer_delete(actor=actor, instance=instance)

    def urls(self) -> list:
        from . import views_customer

        replaced = {"create": views_customer.CustomerCreatePage, "update": views_customer.CustomerUpdatePage,
                    "detail": views_customer.CustomerDetailPage}
        patterns = []
        for pattern in super().urls():
            page = pattern.name.removeprefix(f"{self.model_name}_")
            if page in replaced:
                pattern = path(str(pattern.pattern), replaced[page].as_view(ui=self), name=pattern.name)
            patterns.append(pattern)
        return patterns
