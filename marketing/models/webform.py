"""Public web forms (网页表单) whose submissions become leads, and the per-address submission log."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import lookup

slug_validator = RegexValidator(r"^[a-z0-9][a-z0-9-]{1,49}$", _("Use 2–50 lower-case letters, digits and -."))


class WebForm(models.Model):
    # Lead fields a form may ask for, in the order the form shows them; contact_name is always asked.
    FIELD_CHOICES = (
        ("company", _("company")), ("title", pgettext_lazy("job", "title")), ("mobile", _("mobile")), ("phone", _("phone")),
        ("email", _("email")), ("wechat", _("WeChat")), ("address", _("address")),
        ("requirement", _("requirement")),
    )

    slug = models.CharField(_("address key"), max_length=50, unique=True, validators=[slug_validator],
                            help_text=_("Part of the public address: /marketing/web-form/<key>/"))
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=120)
    intro = models.TextField(_("introduction"), blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    required = models.JSONField(_("required fields"), default=list, blank=True)
    team = models.ForeignKey("marketing.LeadTeam", verbose_name=_("route to team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="web_forms",
                             help_text=_("Leads are handed out in turn to this team; empty: they wait in the pool."))
    source = lookup("customer_source", _("source"))
    campaign = models.CharField(_("campaign"), max_length=120, blank=True)
    thank_you = models.TextField(_("thank-you text"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    hourly_limit = models.PositiveSmallIntegerField(
        _("submissions per address and hour"), default=5,
        help_text=_("After this many submissions from one address within an hour, a captcha is asked."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class WebFormHit(models.Model):
    """One submission attempt from an address; the rate limit counts these."""

    class Result(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        SPAM = "spam", _("Spam")
        INVALID = "invalid", _("Invalid")

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="hits")
    ip = models.GenericIPAddressField(null=True, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices)
    lead = models.ForeignKey("marketing.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "created_at"], name="webformhit_ip_idx")]
