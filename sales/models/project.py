from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BusinessModel

from .pipeline import PipelineFields, money_field


class Project(BusinessModel, PipelineFields):
    """A project (项目): made directly or from an audited opportunity, whose stage and rate it carries."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        TERMINATED = "terminated", _("Terminated")

    code = models.CharField(_("code"), max_length=40, blank=True, db_index=True,
                            help_text=_("Leave empty to number it by the numbering rule."))
    subject = models.CharField(_("subject"), max_length=200)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="projects")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="projects")
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="projects", editable=False)
    amount = money_field(_("project amount"))
    # Entered by hand once the project runs (卓越精财: "转为项目…再进行实际成本与实际金额的修改");
    # the customer project analysis sums them.
    actual_cost = money_field(_("actual cost"))
    actual_sales = money_field(_("actual sales"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    terminated = models.BooleanField(_("terminated"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.code} {self.subject}".strip()

    def clean(self):
        super().clean()
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            raise ValidationError({"contact": _("This contact belongs to another customer.")})

    @property
    def colour(self) -> str:
        return "red" if self.terminated else ""
