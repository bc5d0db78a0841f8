"""The public customer pool (公海): pools with their rules, and the history of every change of owner.

A customer is "in a pool" when ``Customer.pool`` is set; it then has no owner. Who may see a pool and
claim from it, the rules that return customers to it and the limits on claiming live in
``customers.pools`` (services, selectors, the daily job); these are only the stored facts.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Pool(models.Model):
    """A public pool. Its members are the users of its departments (and their sub-departments);
    a pool with no departments is open to everyone who may read customers."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    departments = models.ManyToManyField("org.Department", verbose_name=_("departments"), blank=True,
                                         related_name="customer_pools")
    active = models.BooleanField(_("active"), default=True)
    # Limits that apply to the members of this pool.
    hold_limit = models.PositiveIntegerField(
        _("customers a member may hold"), default=0, help_text=_("0 means no limit."))
    daily_claim_limit = models.PositiveIntegerField(
        _("claims per member per day"), default=0, help_text=_("0 means no limit."))
    cooldown_days = models.PositiveIntegerField(
        _("cooldown days"), default=0, help_text=_("Days before the previous owner may claim a customer back."))
    warn_days = models.PositiveIntegerField(
        _("warning days"), default=3, help_text=_("Owners are warned this many days before a customer returns."))
    mask_contacts = models.BooleanField(_("mask phone and contacts"), default=True)
    sort = models.IntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("public pool")
        verbose_name_plural = _("public pools")
        ordering = ["sort", "id"]

    def __str__(self):
        return self.name


class PoolRule(models.Model):
    """Return a member's customer to the pool after so many days without a follow-up or without a deal.
    A rule with a level applies to customers of that level only; one without applies to the rest."""

    pool = models.ForeignKey(Pool, verbose_name=_("public pool"), on_delete=models.CASCADE, related_name="rules")
    level = models.ForeignKey("core.LookupItem", verbose_name=_("customer level"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              limit_choices_to={"kind": "customer_level", "active": True})
    no_followup_days = models.PositiveIntegerField(
        _("days without follow-up"), null=True, blank=True, validators=[MinValueValidator(1)])
    no_deal_days = models.PositiveIntegerField(
        _("days without a deal"), null=True, blank=True, validators=[MinValueValidator(1)])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pool rule")
        verbose_name_plural = _("pool rules")
        ordering = ["pool", "level_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "level"], name="pool_rule_unique_level"),
            models.UniqueConstraint(fields=["pool"], condition=models.Q(level=None), name="pool_rule_unique_default"),
        ]

    def __str__(self):
        return f"{self.pool} · {self.level or _('all levels')}"


class CustomerAssignment(models.Model):
    """One change of a customer's owner (客户分配记录). Append-only, written by the services that
    change owners: create, assign, transfer, claim, release, the pool job, merge and a user leaving."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Created")
        ASSIGN = "assign", _("Assigned")
        TRANSFER = "transfer", _("Transferred")
        CLAIM = "claim", _("Claimed from pool")
        RELEASE = "release", _("Released to pool")
        AUTO_RELEASE = "auto_release", _("Returned to pool by rule")
        LEAVE = "leave", _("Handed over on leaving")
        MERGE = "merge", _("Merged")

    # Every import and owner change writes a row here: the composite indexes in Meta lead with customer,
    # to_owner, from_owner and actor; departments and pools are only looked up when one is deleted.
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="assignments", db_index=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    from_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", db_index=False)
    from_department = models.ForeignKey("org.Department", verbose_name=_("from department"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+", db_index=False)
    to_department = models.ForeignKey("org.Department", verbose_name=_("to department"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+", db_index=False)
    pool = models.ForeignKey(Pool, verbose_name=_("public pool"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="assignments", db_index=False)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_index=False)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("customer assignment")
        verbose_name_plural = _("customer assignments")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="assignment_customer_idx"),
            models.Index(fields=["to_owner", "-at"], name="assignment_to_idx"),
            models.Index(fields=["from_owner", "kind", "-at"], name="assignment_from_idx"),
            models.Index(fields=["actor", "kind", "-at"], name="assignment_actor_idx"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.get_kind_display()} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("_allow_update", False):
            raise ValueError("Customer assignments are append-only.")
        super().save(*args, **kwargs)
