from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BusinessModel

from .customer import Customer

# Digits with the usual separators, a leading + and an extension ("转" or "-").
phone_validator = RegexValidator(r"^\+?[0-9(][0-9 ()\-#转]{2,39}$", _("Enter a phone number made of digits."))


class Contact(BusinessModel):
    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class DecisionRole(models.TextChoices):
        """The contact's part in the customer's buying decision (采购决策链)."""

        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        USER = "user", _("User")
        GATEKEEPER = "gatekeeper", _("Gatekeeper")
        BUYER = "buyer", _("Buyer")
        OTHER = "other", _("Other")

    class Attitude(models.TextChoices):
        CHAMPION = "champion", _("Champion")
        SUPPORTIVE = "supportive", _("Supportive")
        NEUTRAL = "neutral", _("Neutral")
        OPPOSED = "opposed", _("Opposed")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    title = models.CharField(pgettext_lazy("job", "title"), max_length=60, blank=True)
    # Their department at the customer; ``department`` is ours (the record's data scope).
    department_name = models.CharField(_("department at the customer"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True, validators=[phone_validator])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    decision_role = models.CharField(_("decision role"), max_length=20, choices=DecisionRole.choices, blank=True)
    attitude = models.CharField(_("attitude to us"), max_length=20, choices=Attitude.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-id"]
        indexes = [
            # Coming birthdays (home panel, daily reminders): only contacts with a birthday are in it.
            models.Index(fields=["customer"], condition=models.Q(birthday__isnull=False), name="contact_birthday_idx"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.birthday and (self.birthday > timezone.localdate() or self.birthday.year < 1900):
            raise ValidationError({"birthday": _("Enter a birthday in the past.")})


class ContactDate(models.Model):
    """An important date of a contact that comes round every year (wedding day, company founding…)."""

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="important_dates")
    label = models.CharField(_("occasion"), max_length=40)
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("important date")
        verbose_name_plural = _("important dates")
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.label} {self.date:%m-%d}"


class ContactReminder(models.Model):
    """One reminder sent for one occurrence of a birthday or important date; the unique key makes
    the daily reminder job idempotent however often it runs."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=30)  # "birthday" or "date:<ContactDate id>"
    occurs_on = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "key", "occurs_on", "user"], name="contact_reminder_once")]
