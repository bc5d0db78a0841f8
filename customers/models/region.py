from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One administrative division (省/市/区县) keyed by its official code (GB/T 2260, e.g. 110105).

    Reference data for the whole company, loaded from the national code table (see customers.regions),
    so it is not scoped by the access gate.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        DISTRICT = 3, _("District")

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", verbose_name=_("parent region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    # Provinces carry their ISO 3166-2:CN letters (BJ, GD…) so customer codes can embed them.
    short = models.CharField(_("short code"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    STR_FIELDS = ("name",)  # what __str__ reads (list pages load only these of a related row)

    def __str__(self):
        return self.name
