from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BusinessModel

from .pipeline import PipelineFields


class ProgressRecord(BusinessModel, PipelineFields):
    """A contact or maintenance record: numbered in order, completed in order, immutable once completed.
    The rules live in sales.services_records, one implementation for both kinds."""

    seq = models.PositiveIntegerField(_("no."), editable=False)
    date = models.DateField(_("date"))
    content = models.TextField(_("content"))
    next_step = models.TextField(_("next step"), blank=True)
    completed = models.BooleanField(_("completed"), default=False, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)

    PARENT = ""  # name of the FK to the opportunity or project

    class Meta:
        abstract = True

    def __str__(self):
        return f"#{self.seq} {self.date}"

    @property
    def parent(self):
        return getattr(self, self.PARENT)


class ContactRecord(ProgressRecord):
    """联系记录 of an opportunity."""

    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="records")
    PARENT = "opportunity"

    class Meta:
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")
        ordering = ["seq", "id"]


class MaintenanceRecord(ProgressRecord):
    """维护记录 of a project."""

    project = models.ForeignKey("sales.Project", verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="records")
    PARENT = "project"

    class Meta:
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance records")
        ordering = ["seq", "id"]
