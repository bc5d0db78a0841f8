from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """A filter built in a list's filter builder, kept per user and optionally shared with everyone."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    list_key = models.CharField(max_length=80, db_index=True)
    name = models.CharField(_("name"), max_length=80)
    definition = models.JSONField(_("definition"))
    shared = models.BooleanField(_("shared"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "list_key", "name"], name="saved_filter_unique_name")]
        indexes = [models.Index(fields=["list_key", "shared"], name="saved_filter_shared_idx")]


class ColumnPreference(models.Model):
    """Which columns a user shows in a list, in which order, and how many stay frozen on the left."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="column_preferences")
    list_key = models.CharField(max_length=80)
    columns = models.JSONField(default=list)
    frozen = models.PositiveSmallIntegerField(default=1)
    per_page = models.PositiveSmallIntegerField(default=20)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "list_key"], name="column_pref_unique")]
