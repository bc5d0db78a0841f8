from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BusinessModel

from .pipeline import PipelineFields, money_field


class Opportunity(BusinessModel, PipelineFields):
    """A sales opportunity (商机/销售机会) of a customer; the owner is the salesperson."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        TERMINATED = "terminated", _("Terminated")

    code = models.CharField(_("code"), max_length=40, blank=True, db_index=True,
                            help_text=_("Leave empty to number it by the numbering rule."))
    subject = models.CharField(_("subject"), max_length=200)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="opportunities")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="opportunities")
    amount = money_field(_("opportunity amount"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    lost_reason = models.ForeignKey("core.LookupItem", verbose_name=_("lost reason"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    limit_choices_to={"kind": "lost_reason", "active": True})
    source = models.ForeignKey("core.LookupItem", verbose_name=_("source"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": "customer_source", "active": True})
    notes = models.TextField(_("notes"), blank=True)
    # Set only by the services (audit, terminate, convert, stage changes).
    audited = models.BooleanField(_("audited"), default=False)
    audited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("audited by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    audited_at = models.DateTimeField(_("audited at"), null=True, blank=True)
    terminated = models.BooleanField(_("terminated"), default=False)
    converted = models.BooleanField(_("converted to project"), default=False)
    stage_entered_at = models.DateTimeField(_("in stage since"), null=True, blank=True)
    from_project = models.ForeignKey("sales.Project", verbose_name=_("copied from project"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="copies")

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "status"], name="opportunity_customer_idx"),
            # The kanban: a column's newest cards are one index seek, for one salesperson or for all;
            # on PostgreSQL the first also covers the per-column totals (index-only scan).
            models.Index(fields=["owner", "stage", "-updated_at", "-id"], name="opportunity_board_owner_idx",
                         include=["amount", "created_by", "deleted_at"]),
            models.Index(fields=["stage", "-updated_at", "-id"], name="opportunity_board_stage_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.subject}".strip()

    def clean(self):
        super().clean()
        errors = {}
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = _("This contact belongs to another customer.")
        if self.status == self.Status.LOST and not self.lost_reason_id:
            errors["lost_reason"] = _("Give the reason the opportunity was lost.")
        if self.start_date and self.planned_close and self.planned_close < self.start_date:
            errors["planned_close"] = _("The planned close cannot be before the start date.")
        if errors:
            raise ValidationError(errors)

    @property
    def colour(self) -> str:
        """List and kanban colour: terminated red, converted blue (卓越精财)."""
        if self.terminated:
            return "red"
        if self.converted:
            return "blue"
        return ""


class StageChange(models.Model):
    """One stint of an opportunity in a stage: the dwell time and the too-long alert come from it."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.ForeignKey("core.LookupItem", verbose_name=_("sales stage"), null=True, on_delete=models.PROTECT,
                              related_name="+")
    entered_at = models.DateTimeField(_("entered"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage history")
        ordering = ["entered_at", "id"]

    def dwell(self, now):
        return (self.left_at or now) - self.entered_at


class StageRule(models.Model):
    """How long an opportunity may sit in a stage before its salesperson is alerted."""

    stage = models.OneToOneField("core.LookupItem", verbose_name=_("sales stage"), on_delete=models.CASCADE,
                                 related_name="sales_stage_rule", limit_choices_to={"kind": "sales_stage"})
    max_days = models.PositiveIntegerField(_("alert after days"))

    class Meta:
        verbose_name = _("stage rule")
        verbose_name_plural = _("stage rules")

    def __str__(self):
        return f"{self.stage}: {self.max_days}"


class OpportunityParticipant(models.Model):
    """A person in the customer's decision chain (决策链)."""

    class Attitude(models.TextChoices):
        SUPPORTER = "supporter", _("Supporter")
        NEUTRAL = "neutral", _("Neutral")
        OPPONENT = "opponent", _("Opponent")
        UNKNOWN = "unknown", _("Unknown")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="participants")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), on_delete=models.CASCADE,
                                related_name="+")
    role = models.CharField(_("role in decision"), max_length=60)
    attitude = models.CharField(_("attitude"), max_length=10, choices=Attitude.choices, default=Attitude.UNKNOWN)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("decision maker")
        verbose_name_plural = _("decision chain")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["opportunity", "contact"], name="participant_once")]


class Competitor(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="competitors")
    name = models.CharField(_("competitor"), max_length=120)
    offer = money_field(_("their offer"))
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    moves = models.TextField(_("moves"), blank=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["id"]


class OpportunityTask(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    due = models.DateField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["done", "due", "id"]
