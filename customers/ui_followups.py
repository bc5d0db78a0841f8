"""Pages of follow-ups (跟进记录): the generic list/export/print/batch pages, with create, edit, detail,
delete and version restore going through customers.services_followup so the customer's follow-up
dates stay right."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core import access, ui
from core.navigation import NavItem, add_child

from .models import FollowUp


@ui.register
class FollowUpUI(ui.ModelUI):
    model = FollowUp
    icon = "message-dots"
    list_columns = ["occurred_at", "customer", "method", "contact", "content", "result", "next_step",
                    "next_followup_on", "location", "owner", "created_by", "created_at"]
    default_columns = ["occurred_at", "customer", "method", "contact", "content", "next_followup_on", "owner"]
    search_fields = ["content", "result", "customer__name", "contact__name"]
    form_fields = ["customer", "contact", "method", "occurred_at", "content", "result", "next_step",
                   "next_followup_on", "location", "latitude", "longitude"]
    default_ordering = ["-occurred_at", "-id"]
    select_related = ["customer", "contact", "method", "owner"]

    def create(self, *, actor, data: dict, custom: dict, files=()):
        from . import services_followup

        return services_followup.followup_create(actor=actor, data=data, custom=custom, files=files)

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services_followup

        return services_followup.followup_update(actor=actor, instance=instance, data=data, custom=custom,
                                                 expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services_followup

        return services_followup.followup_delete(actor=actor, instance=instance)

    def restore_version(self, *, actor, instance, number: int, expected_version: int | None):
        from . import services_followup

        # Restoring a follow-up also recomputes its customer's follow-up dates.
        return services_followup.followup_restore_version(actor=actor, instance=instance, number=number,
                                                          expected_version=expected_version)

    def urls(self) -> list:
        from . import views_followup as views

        n = self.model_name
        kw = {"ui": self}
        own = {
            f"{n}_create": path(f"{n}/new/", views.FollowUpCreatePage.as_view(**kw), name=f"{n}_create"),
            f"{n}_detail": path(f"{n}/<int:pk>/", views.FollowUpDetailPage.as_view(**kw), name=f"{n}_detail"),
            f"{n}_update": path(f"{n}/<int:pk>/edit/", views.FollowUpUpdatePage.as_view(**kw), name=f"{n}_update"),
        }
        # The generic pages, with the ones above put in their place (same names, same addresses).
        return [own.get(p.name, p) for p in super().urls()]


def _may_read(user) -> bool:
    return access.can(user, "read", FollowUp)


add_child("customers", NavItem(_("Follow-ups"), "customers:followup_list", icon="message-dots", order=60, visible=_may_read))
add_child("customers", NavItem(_("Follow-ups due"), "customers:followup_due", icon="calendar-due", order=61,
                               visible=_may_read))
