"""Lead teams: who round-robin assignment (轮流分配) hands leads to, and whose turn it is."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadTeam(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   help_text=_("Its working members, and those of its sub-departments, take turns."))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True,
                                     related_name="lead_teams",
                                     help_text=_("When chosen, only these people take turns (the department is ignored)."))
    active = models.BooleanField(_("active"), default=True)
    # The member who got the last lead; the next lead goes to the member after them (by user id).
    last_assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("last assignee"), null=True,
                                      blank=True, editable=False, on_delete=models.SET_NULL, related_name="+")
    last_assigned_at = models.DateTimeField(_("last assigned at"), null=True, blank=True, editable=False)
    assigned_count = models.PositiveIntegerField(_("leads assigned"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lead team")
        verbose_name_plural = _("lead teams")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name
