from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core import access, ui
from customers import validators
from customers.search import norm

from .models import Lead


@ui.register
class LeadUI(ui.ModelUI):
    model = Lead
    icon = "target-arrow"
    list_columns = ["company", "contact_name", "status", "mobile", "phone", "email", "title", "province", "city",
                    "industry", "source", "campaign", "origin", "lost_reason", "owner", "department", "assigned_at",
                    "converted_at", "created_at"]
    default_columns = ["company", "contact_name", "status", "mobile", "city", "source", "owner", "created_at"]
    search_fields = ["company", "contact_name", "mobile", "phone", "email"]
    form_fields = ["company", "contact_name", "title", "mobile", "phone", "email", "wechat", "province", "city",
                   "address", "industry", "source", "campaign", "source_detail", "status", "requirement", "notes"]
    detail_fields = [*form_fields, "origin", "lost_reason", "lost_note", "assigned_at", "converted_at"]
    select_related = ["owner", "department", "province", "city", "industry", "source", "lost_reason"]
    batch_buttons = [
        {"url_name": "marketing:lead_batch_actions", "icon": "arrows-shuffle", "label": _("Round-robin / lost"),
         "needs": "update"},
    ]

    def search(self, qs, term: str, *, user=None):
        """Stored keys (pinyin, initials, email, phones) unless the user may not see what they hold."""
        term = (term or "").strip()
        if not term:
            return qs
        hidden = access.hidden_fields(user, Lead) if user is not None else set()
        if hidden & {"company", "contact_name", "email", "wechat"}:
            return super().search(qs, term, user=user)
        cond = Q(search_text__contains=norm(term))
        digits = validators.phone_search_digits(term)
        if digits and not hidden & {"mobile", "phone"}:
            cond |= Q(phone_norm__contains=digits) | Q(phone2_norm__contains=digits)
        return qs.filter(cond)

    # ---- writes go through the lead services ------------------------------------------------------
    def create(self, *, actor, data: dict, custom: dict):
        from . import services

        return services.lead_create(actor=actor, data=data, custom=custom)

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services

        return services.lead_update(actor=actor, instance=instance, data=data, custom=custom,
                                    expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services

        return services.lead_delete(actor=actor, instance=instance)

    def restore_version(self, *, actor, instance, number: int, expected_version: int | None):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        from core import services

        if instance.status == Lead.Status.CONVERTED:
            raise ValidationError(_("The lead is converted; only its notes can still change."))
        return services.restore_version(actor=actor, instance=instance, number=number, expected_version=expected_version)

    def urls(self) -> list:
        from . import views_lead

        replaced = {"detail": views_lead.LeadDetailPage}
        patterns = []
        for pattern in super().urls():
            page = pattern.name.removeprefix(f"{self.model_name}_")
            if page in replaced:
                pattern = path(str(pattern.pattern), replaced[page].as_view(ui=self), name=pattern.name)
            patterns.append(pattern)
        return patterns
