from django.db import models
from django.utils.translation import gettext_lazy as _


class Tag(models.Model):
    """A free label on customers (标签), e.g. 老客户 or 重点跟进; company-wide basic data."""

    COLORS = ["blue", "azure", "indigo", "purple", "pink", "red", "orange", "yellow", "lime", "green", "teal", "cyan"]

    name = models.CharField(_("name"), max_length=30, unique=True)
    color = models.CharField(_("colour"), max_length=10, default="blue", choices=[(c, c) for c in COLORS])
    sort = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["sort", "name"]

    def __str__(self):
        return self.name
