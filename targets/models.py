"""Sales targets (销售目标): one amount per measure × subject × period.

The subject is the whole company, a department (its whole subtree counts towards it) or one person.
The period is a year, a quarter or a month of a fiscal year (the calendar year). The scope fields
the access gate reads are the subject itself: a person's target is owned by that person (and sits in
their department, so department heads see it), a department's target sits in that department, and
a company target has neither, so only users with "all" scope see it.

Targets are hard-deleted: a row is a planning figure keyed by (measure, subject, period), so a
binned row would block setting that cell again; the audit entry of the delete keeps the old amount.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    CONTRACT_AMOUNT = "contract_amount", _("Contract amount")
    RECEIPTS = "receipts", _("Receipts")


class Level(models.TextChoices):
    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    PERSON = "person", _("Person")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


# The numbers each kind of period allows; a year is number 0 so the key never holds a NULL.
PERIOD_NUMBERS = {PeriodKind.YEAR: range(0, 1), PeriodKind.QUARTER: range(1, 5), PeriodKind.MONTH: range(1, 13)}


def period_label(kind: str, number: int, year: int | None = None) -> str:
    if kind == PeriodKind.MONTH:
        text = str(MONTHS_3[number]).capitalize()
    elif kind == PeriodKind.QUARTER:
        text = str(_("Q%(n)s") % {"n": number})
    else:
        text = str(_("Full year"))
    return f"{year} {text}" if year else text


class SalesTarget(models.Model):
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    number = models.PositiveSmallIntegerField(_("number"), default=0,
                                              help_text=_("0 for the year, 1–4 for a quarter, 1–12 for a month."))
    amount = models.DecimalField(_("target"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency, as on every business record: a change based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["year", "measure", "level", "period", "number", "id"]
        constraints = [
            # One row per (measure, subject, period). The subject columns are NULL for the levels that
            # do not use them, and NULLs never collide in a unique index, so each level has its own.
            models.UniqueConstraint(fields=["measure", "year", "period", "number"], condition=Q(level="company"),
                                    name="target_unique_company"),
            models.UniqueConstraint(fields=["measure", "department", "year", "period", "number"],
                                    condition=Q(level="department"), name="target_unique_department"),
            models.UniqueConstraint(fields=["measure", "owner", "year", "period", "number"],
                                    condition=Q(level="person"), name="target_unique_person"),
            models.CheckConstraint(name="target_subject_matches_level", condition=(
                Q(level="company", owner__isnull=True, department__isnull=True)
                | Q(level="department", owner__isnull=True, department__isnull=False)
                | Q(level="person", owner__isnull=False))),
            models.CheckConstraint(name="target_period_number", condition=(
                Q(period="year", number=0) | Q(period="quarter", number__gte=1, number__lte=4)
                | Q(period="month", number__gte=1, number__lte=12))),
            models.CheckConstraint(name="target_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(name="target_measure_known", condition=Q(measure__in=Measure.values)),
        ]
        indexes = [models.Index(fields=["year", "measure", "level"], name="target_year_measure_idx")]

    def __str__(self):
        return f"{self.subject_label()} · {period_label(self.period, self.number, self.year)} · {self.get_measure_display()}"

    def subject_label(self) -> str:
        if self.level == Level.PERSON:
            return str(self.owner)
        if self.level == Level.DEPARTMENT:
            return str(self.department)
        return str(_("Whole company"))

    def subject_key(self) -> str:
        return subject_key(self.level, self.owner_id or self.department_id)


def subject_key(level: str, pk: int | None) -> str:
    """A short stable key for a subject: "c" (company), "d12" (department 12), "u7" (person 7)."""
    if level == Level.PERSON:
        return f"u{pk}"
    if level == Level.DEPARTMENT:
        return f"d{pk}"
    return "c"
