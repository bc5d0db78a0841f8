"""Fields and arithmetic shared by opportunities and projects (they carry the same pipeline figures)."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")


def stage_field():
    return models.ForeignKey("core.LookupItem", verbose_name=_("sales stage"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"kind": "sales_stage", "active": True})


def rate_field():
    return models.DecimalField(_("completion rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0), MaxValueValidator(100)],
                               help_text=_("Empty or unchanged: the sales stage's win rate."))


def money_field(label):
    return models.DecimalField(label, max_digits=14, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0)])


def compute_amount(expected: Decimal | None, rate: Decimal | None) -> Decimal:
    """Opportunity amount = expected amount × completion rate, to the cent (half up)."""
    if expected is None or rate is None:
        return Decimal("0.00")
    return (Decimal(expected) * Decimal(rate) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


class PipelineFields(models.Model):
    """Stage, rate, money and dates: on the opportunity, the project and each of their records."""

    stage = stage_field()
    win_rate = rate_field()
    cost_estimate = money_field(_("cost estimate"))
    expected_amount = money_field(_("expected amount"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    planned_close = models.DateField(_("planned close"), null=True, blank=True)
    actual_close = models.DateField(_("actual close"), null=True, blank=True)

    # What a completed record copies onto its opportunity or project (back-fill).
    BACKFILL = ("stage", "win_rate", "cost_estimate", "expected_amount", "start_date", "planned_close", "actual_close")

    class Meta:
        abstract = True
