from django.db import models
from django.utils.translation import gettext_lazy as _


class TreeNode(models.Model):
    """A node of a small admin-kept tree (customer or product categories). ``path`` ("/1/4/") makes a
    subtree one indexed ``LIKE 'prefix%'``; the services that move a node rewrite its subtree's paths."""

    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey("self", verbose_name=_("parent category"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    sort = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)
