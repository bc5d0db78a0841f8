"""Pages of opportunities, projects and their records: the generic ModelUI pages, with every write
going through the sales services and detail pages that carry the 卓越精财 actions and tabs."""

from django.urls import path

from core import ui

from .models import ContactRecord, MaintenanceRecord, Opportunity, Project

PIPELINE = ["stage", "win_rate", "cost_estimate", "expected_amount", "start_date", "planned_close", "actual_close"]


def row_class(obj) -> str:
    """Terminated rows are red, converted ones blue (for lists that colour rows)."""
    return {"red": "table-danger", "blue": "table-primary"}.get(obj.colour, "")


@ui.register
class OpportunityUI(ui.ModelUI):
    model = Opportunity
    icon = "target"
    list_columns = ["code", "subject", "customer", "stage", "win_rate", "expected_amount", "amount", "status",
                    "audited", "converted", "terminated", "owner", "start_date", "planned_close", "actual_close",
                    "cost_estimate", "lost_reason", "source", "stage_entered_at", "department", "created_at"]
    default_columns = ["code", "subject", "customer", "stage", "win_rate", "expected_amount", "amount", "status",
                       "audited", "owner", "planned_close"]
    frozen = 2
    search_fields = ["code", "subject", "customer__name", "notes"]
    form_fields = ["code", "subject", "customer", "contact", *PIPELINE, "status", "lost_reason", "source", "notes"]
    detail_fields = ["code", "subject", "customer", "contact", *PIPELINE, "amount", "status", "lost_reason", "source",
                     "audited", "audited_by", "audited_at", "terminated", "converted", "stage_entered_at",
                     "from_project", "notes"]
    select_related = ["customer", "stage", "owner", "lost_reason"]
    row_class = staticmethod(row_class)

    def create(self, *, actor, data: dict, custom: dict):
        from . import services

        return services.opportunity_create(actor=actor, data=data, custom=custom)

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services

        return services.opportunity_update(actor=actor, instance=instance, data=data, custom=custom,
                                           expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services

        return services.opportunity_delete(actor=actor, instance=instance)

    def restore_version(self, *, actor, instance, number: int, expected_version: int | None):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        # A restore would bypass the record rules (amount, audit state, back-fill); change it by editing.
        raise ValidationError(_("Opportunities cannot be restored to an earlier version; edit them instead."))

    def urls(self) -> list:
        from . import views

        own = {"opportunity_detail": path("opportunity/<int:pk>/", views.OpportunityDetailPage.as_view(ui=self),
                                          name="opportunity_detail")}
        return [own.get(p.name, p) for p in super().urls()]


@ui.register
class ProjectUI(ui.ModelUI):
    model = Project
    icon = "briefcase"
    list_columns = ["code", "subject", "customer", "stage", "win_rate", "expected_amount", "amount", "status",
                    "terminated", "opportunity", "owner", "start_date", "planned_close", "actual_close",
                    "cost_estimate", "actual_cost", "actual_sales", "department", "created_at"]
    default_columns = ["code", "subject", "customer", "stage", "win_rate", "amount", "status", "owner", "planned_close"]
    frozen = 2
    search_fields = ["code", "subject", "customer__name", "notes"]
    form_fields = ["code", "subject", "customer", "contact", *PIPELINE, "actual_cost", "actual_sales", "status",
                   "notes"]
    detail_fields = ["code", "subject", "customer", "contact", "opportunity", *PIPELINE, "amount", "actual_cost",
                     "actual_sales", "status", "terminated", "notes"]
    select_related = ["customer", "stage", "owner", "opportunity"]
    row_class = staticmethod(row_class)

    def create(self, *, actor, data: dict, custom: dict):
        from . import services_project

        return services_project.project_create(actor=actor, data=data, custom=custom)

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services_project

        return services_project.project_update(actor=actor, instance=instance, data=data, custom=custom,
                                               expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services_project

        return services_project.project_delete(actor=actor, instance=instance)

    def restore_version(self, *, actor, instance, number: int, expected_version: int | None):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("Projects cannot be restored to an earlier version; edit them instead."))

    def urls(self) -> list:
        from . import views

        own = {"project_detail": path("project/<int:pk>/", views.ProjectDetailPage.as_view(ui=self),
                                      name="project_detail")}
        return [own.get(p.name, p) for p in super().urls()]


class _RecordUI(ui.ModelUI):
    """Contact and maintenance records: one set of pages, the rules in sales.services_records."""

    icon = "notes"
    search_fields = ["content", "next_step"]
    default_ordering = ["-date", "-id"]
    parent = ""

    def create(self, *, actor, data: dict, custom: dict):
        from . import services_records

        return services_records.record_create(actor=actor, model=self.model, data=data, custom=custom)

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services_records

        return services_records.record_update(actor=actor, instance=instance, data=data, custom=custom,
                                              expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services_records

        return services_records.record_delete(actor=actor, instance=instance)

    def restore_version(self, *, actor, instance, number: int, expected_version: int | None):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("Records cannot be restored to an earlier version; delete and add them again."))

    def urls(self) -> list:
        from . import views

        n = self.model_name
        own = {f"{n}_create": path(f"{n}/new/", views.RecordCreatePage.as_view(ui=self), name=f"{n}_create"),
               f"{n}_update": path(f"{n}/<int:pk>/edit/", views.RecordUpdatePage.as_view(ui=self), name=f"{n}_update")}
        return [own.get(p.name, p) for p in super().urls()]


def _record_fields(parent: str) -> dict:
    return {
        "list_columns": ["date", parent, "seq", "content", "stage", "win_rate", "expected_amount", "completed",
                         "completed_at", "next_step", "cost_estimate", "planned_close", "actual_close", "owner"],
        "default_columns": ["date", parent, "seq", "content", "stage", "win_rate", "expected_amount", "completed"],
        "form_fields": [parent, "date", "content", "next_step", *PIPELINE],
        "detail_fields": [parent, "seq", "date", "content", "next_step", *PIPELINE, "completed", "completed_at"],
        "select_related": [parent, "stage", "owner"],
        "parent": parent,
    }


ContactRecordUI = ui.register(type("ContactRecordUI", (_RecordUI,), {"model": ContactRecord,
                                                                     **_record_fields("opportunity")}))
MaintenanceRecordUI = ui.register(type("MaintenanceRecordUI", (_RecordUI,), {"model": MaintenanceRecord,
                                                                             **_record_fields("project")}))
