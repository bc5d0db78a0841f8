from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LookupItem(models.Model):
    """One entry of an admin-editable list (基础资料): customer level, industry, source, sales stage…"""

    kind = models.CharField(_("list"), max_length=40, db_index=True)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    sort = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # Extra attributes some lists need, e.g. {"win_rate": 30} for a sales stage.
    extra = models.JSONField(_("extra"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lookup item")
        verbose_name_plural = _("basic data")
        ordering = ["kind", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="lookup_unique_code")]

    STR_FIELDS = ("name",)  # what __str__ reads (list pages load only these of a related row)

    def __str__(self):
        return self.name


class NumberingRule(models.Model):
    """Code pattern per document type, e.g. ``HT-{date:%Y%m}-{seq:4}`` gives ``HT-202611-0001``."""

    class Reset(models.TextChoices):
        NEVER = "never", _("Never")
        YEARLY = "yearly", _("Every year")
        MONTHLY = "monthly", _("Every month")
        DAILY = "daily", _("Every day")

    doc_type = models.CharField(_("document type"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    pattern = models.CharField(_("pattern"), max_length=120)
    reset = models.CharField(_("sequence resets"), max_length=10, choices=Reset.choices, default=Reset.NEVER)

    class Meta:
        verbose_name = _("numbering rule")
        verbose_name_plural = _("numbering rules")
        ordering = ["doc_type"]

    def __str__(self):
        return self.name


class Sequence(models.Model):
    """The last number handed out for one rule and one reset period; incremented under a row lock."""

    rule = models.ForeignKey(NumberingRule, on_delete=models.CASCADE, related_name="sequences")
    period = models.CharField(max_length=20, blank=True)
    scope = models.CharField(max_length=60, blank=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "period", "scope"], name="sequence_unique_period")]


class CustomField(models.Model):
    """An admin-defined field on a main entity; values live in the entity's ``custom`` JSON column."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        MONEY = "money", _("Money")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        MULTI = "multi", _("Multiple choice")
        USER = "user", _("User")
        BOOL = "bool", _("Yes/No")

    # The kind of record it extends ("customers.contact"), see core.access.ENTITIES.
    module = models.CharField(_("record type"), max_length=60, db_index=True)
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=60)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    regex = models.CharField(_("pattern"), max_length=200, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=18, decimal_places=4, null=True, blank=True)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    sort = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["module", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["module", "code"], name="custom_field_unique_code")]

    def __str__(self):
        return self.label


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]


def job_file_path(instance, filename: str) -> str:
    # A random folder per file: job outputs are served only through the owner-checked download view,
    # and a guessable path must not expose them where media files are served directly (DEBUG).
    return f"jobs/{get_random_string(20)}/{filename}"


class JobProgress(models.Model):
    """Progress of a long background job, shown to the user who started it (see core.jobs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="jobs")
    name = models.CharField(_("job"), max_length=100)
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    file = models.FileField(_("file"), upload_to=job_file_path, max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"], name="job_user_idx"),
            models.Index(fields=["status", "updated_at"], name="job_status_updated_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:job_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(int(self.done * 100 / self.total), 100) if self.total else 0

    @property
    def result_url(self) -> str:
        """``result["url"]`` when it is a path on this site; anything else is not offered as a link."""
        url = str((self.result or {}).get("url") or "")
        return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


class PeriodicRun(models.Model):
    """One row per periodic job and time slot: the unique key makes each slot run once across workers."""

    job = models.CharField(max_length=80)
    slot = models.CharField(max_length=40)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="periodic_run_unique_slot")]
