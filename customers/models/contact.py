from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BusinessModel

from .customer import Customer


class Contact(BusinessModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-id"]

    def __str__(self):
        return self.name
