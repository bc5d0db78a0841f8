from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordShare(models.Model):
    """A record shared with a user or a whole department (共享). Read by the access gate."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="shares", verbose_name=_("user"))
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="shares", verbose_name=_("department"))
    can_edit = models.BooleanField(_("may edit"), default=False)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        indexes = [
            models.Index(fields=["content_type", "user", "object_id"], name="share_user_idx"),
            models.Index(fields=["content_type", "department", "object_id"], name="share_dept_idx"),
            models.Index(fields=["content_type", "object_id"], name="share_record_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(department__isnull=False),
                name="share_has_target",
            )
        ]
