"""Imports of spreadsheets (core.imports): remembered column mappings, runs and their row issues.

Not business records: a run and its issues belong to the user who started it (administrators see
all); the records an import writes go through the access gate like any other write.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _


def import_file_path(instance, filename: str) -> str:
    # A random folder: uploads are read only by the import job and served only through owner-checked views.
    return f"imports/{get_random_string(20)}/{filename}"


class ImportTemplate(models.Model):
    """A saved column mapping (header text → field) for one kind of import, per user, optionally shared."""

    entity = models.CharField(_("record type"), max_length=60, db_index=True)
    name = models.CharField(_("name"), max_length=80)
    mapping = models.JSONField(_("mapping"), default=dict)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="+")
    shared = models.BooleanField(_("shared"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import template")
        verbose_name_plural = _("import templates")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "entity", "name"], name="import_template_unique_name")]

    def __str__(self):
        return self.name


class ImportRun(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Mapping columns")
        DRY_RUN = "dry_run", _("Checking")
        READY = "ready", _("Checked")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Decision(models.TextChoices):
        SKIP = "skip", _("Skip")
        UPDATE = "update", _("Update the existing record")
        CREATE = "create", _("Create a new record")

    entity = models.CharField(_("record type"), max_length=60)
    file = models.FileField(_("file"), upload_to=import_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    file_kind = models.CharField(max_length=8)  # csv / xlsx / xls, detected from the content
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)  # column index (str) → field name
    decision = models.CharField(_("duplicates"), max_length=10, choices=Decision.choices, default=Decision.SKIP)
    row_decisions = models.JSONField(default=dict, blank=True)  # row number (str) → decision
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    # What the last job did: "check" (dry run) or "import"; a failed import may be resumed.
    stage = models.CharField(max_length=8, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # The last data row whose batch is committed: a resumed import continues after it.
    last_row = models.PositiveIntegerField(default=0)
    report = models.FileField(_("error report"), upload_to=import_file_path, max_length=255, blank=True)
    message = models.CharField(max_length=300, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey("core.JobProgress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-id"]
        indexes = [models.Index(fields=["started_by", "-id"], name="import_run_user_idx")]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("core:import_detail", args=[self.pk])


class ImportIssue(models.Model):
    """One finding about one row: an error (the row is not imported), a duplicate, or a skip."""

    class Kind(models.TextChoices):
        ERROR = "error", _("Error")
        DUPLICATE = "duplicate", _("Duplicate")
        SKIPPED = "skipped", _("Skipped")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="issues")
    phase = models.CharField(max_length=8)  # "check" (dry run) or "import"
    kind = models.CharField(max_length=10, choices=Kind.choices)
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    # For a duplicate: what matched and what the user may be told about it (never hidden details).
    match = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["run", "phase", "kind", "row"], name="import_issue_run_idx")]
