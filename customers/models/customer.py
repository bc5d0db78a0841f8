from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BusinessModel


def lookup(kind: str, verbose_name):
    return models.ForeignKey(
        "core.LookupItem", verbose_name=verbose_name, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", limit_choices_to={"kind": kind, "active": True},
    )


class Customer(BusinessModel):
    class Status(models.TextChoices):
        POTENTIAL = "potential", _("Potential")
        INTENT = "intent", _("Intent")
        DEAL = "deal", _("Deal")
        LOST = "lost", _("Lost")

    name = models.CharField(_("customer name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    code = models.CharField(_("customer code"), max_length=40, blank=True, db_index=True)
    type = lookup("customer_type", _("customer type"))
    level = lookup("customer_level", _("level"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.POTENTIAL)
    industry = lookup("industry", _("industry"))
    source = lookup("customer_source", _("source"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("parent company"), null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries")
    amount = models.DecimalField(_("annual purchase amount"), max_digits=16, decimal_places=2, default=0)
    next_followup_on = models.DateField(_("next follow-up"), null=True, blank=True)
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["owner", "-id"], name="customer_owner_idx"),
            models.Index(fields=["department", "-id"], name="customer_dept_idx"),
        ]

    def __str__(self):
        return self.name
