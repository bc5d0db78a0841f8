from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.models import BusinessModel

from .contact import Contact
from .customer import Customer

# A visit logged on a phone whose clock runs a little fast is still "now".
FUTURE_TOLERANCE = timedelta(minutes=10)


class FollowUp(BusinessModel):
    """One follow-up or visit (跟进记录/拜访纪要) with a customer; its scope follows the customer."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="followups")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="followups")
    # Nullable for bulk loaders; forms, API and full_clean require it.
    method = models.ForeignKey("core.LookupItem", verbose_name=_("method"), null=True, on_delete=models.PROTECT,
                               related_name="+", limit_choices_to={"kind": "contact_method", "active": True})
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    content = models.TextField(_("content"))
    result = models.TextField(_("result"), blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    next_followup_on = models.DateField(_("next follow-up"), null=True, blank=True)
    location = models.CharField(_("check-in location"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "-occurred_at", "-id"], name="followup_customer_time_idx")]

    def __str__(self):
        when = timezone.localtime(self.occurred_at).strftime("%Y-%m-%d") if self.occurred_at else ""
        return f"{when} {Truncator(self.content or '').chars(30)}".strip()

    def clean(self):
        super().clean()
        errors = {}
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = _("This contact belongs to another customer.")
        if self.occurred_at and self.occurred_at > timezone.now() + FUTURE_TOLERANCE:
            errors["occurred_at"] = _("A follow-up cannot lie in the future; plan it as the next follow-up date.")
        if self.occurred_at and self.next_followup_on and self.next_followup_on < timezone.localtime(self.occurred_at).date():
            errors["next_followup_on"] = _("The next follow-up cannot be before this one.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)


def attachment_path(instance, filename: str) -> str:
    # A random folder per file: attachments are served only through the gated download view, and a
    # guessable path must not expose them where media files are served directly (DEBUG).
    return f"followups/{timezone.now():%Y/%m}/{get_random_string(20)}/{filename}"


class FollowUpAttachment(models.Model):
    followup = models.ForeignKey(FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class FollowUpComment(models.Model):
    """A superior's comment on a follow-up (批复)."""

    followup = models.ForeignKey(FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL,
                               related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["id"]

    def __str__(self):
        return Truncator(self.body).chars(40)
