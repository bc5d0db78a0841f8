"""Quote pages: the generic list of ModelUI; detail, create and edit pages of their own (lines)."""

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext as _

from core import ui

from .models import Quote


@ui.register
class QuoteUI(ui.ModelUI):
    model = Quote
    icon = "file-invoice"
    list_columns = ["code", "customer", "status", "grand_total", "subtotal", "discount_total", "tax_total",
                    "valid_until", "contact_record", "maintenance_record", "owner", "department", "created_at"]
    default_columns = ["code", "customer", "status", "grand_total", "valid_until", "owner", "created_at"]
    frozen = 1
    search_fields = ["code", "customer__name", "notes"]
    form_fields = ["code", "valid_until", "notes"]
    detail_fields = ["code", "customer", "contact_record", "maintenance_record", "status", "valid_until", "subtotal",
                     "discount_total", "tax_total", "grand_total", "approved_by", "decided_at", "decision_note",
                     "sent_at", "notes"]
    select_related = ["customer", "owner"]

    def create(self, *, actor, data: dict, custom: dict):
        raise ValidationError(_("Create quotes from a contact or maintenance record."))

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services_quotes

        return services_quotes.quote_update(actor=actor, instance=instance, data=data,
                                            expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services_quotes

        return services_quotes.quote_delete(actor=actor, instance=instance)

    def restore_version(self, *, actor, instance, number: int, expected_version: int | None):
        raise ValidationError(_("Quotes cannot be restored to an earlier version; edit them instead."))

    def urls(self) -> list:
        from . import views_quotes

        own = {
            "quote_detail": path("quote/<int:pk>/", views_quotes.detail, name="quote_detail"),
            "quote_create": path("quote/new/", views_quotes.edit, name="quote_create"),
            "quote_update": path("quote/<int:pk>/edit/", views_quotes.edit, name="quote_update"),
        }
        return [own.get(p.name, p) for p in super().urls()] + [
            path("quote/<int:pk>/do/<slug:name>/", views_quotes.action, name="quote_action"),
            path("quote/<int:pk>/pdf/", views_quotes.pdf, name="quote_pdf"),
            path("quote/template/", views_quotes.template_edit, name="quote_template"),
        ]
