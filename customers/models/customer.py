from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BusinessModel, LiveManager


def lookup(kind: str, verbose_name, *, db_index: bool = True):
    return models.ForeignKey(
        "core.LookupItem", verbose_name=verbose_name, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", limit_choices_to={"kind": kind, "active": True}, db_index=db_index,
    )


def region(level: int, verbose_name, *, db_index: bool = True):
    # A db_index on a text key adds a second, pattern-ops index: Customer indexes its regions in Meta.
    return models.ForeignKey(
        "customers.Region", verbose_name=verbose_name, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", limit_choices_to={"level": level}, db_index=db_index,
    )


# The columns the stored search keys are computed from (see customers.search.own_keys).
KEY_SOURCES = frozenset({"name", "short_name", "code", "phone"})
KEY_FIELDS = ("search_text", "phone_norm", "name_key")


class CustomerQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # Imports and the demo seeder write rows in bulk; their search keys must be right too.
        from customers.search import fill_own_keys

        for obj in objs:
            fill_own_keys(obj)
        return super().bulk_create(objs, *args, **kwargs)


class CustomerManager(LiveManager.from_queryset(CustomerQuerySet)):
    pass


class Customer(BusinessModel):
    """A customer (客户).

    Indexes are chosen for a table of millions of rows: every index is work on each insert and each
    statement's planning. Owner, department and pool are led by the composite indexes in Meta; text keys
    get plain b-tree indexes (no pattern-ops twins: substring search uses the trigram indexes of the
    stored search keys); low-cardinality lookups (type, industry, source, relationship, size) and
    previous_owner / deleted_by have none, since no page filters on them alone in a way an index serves.
    """

    # Led by customer_owner_idx / customer_dept_idx (owner or department first, then id).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_index=False,
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_index=False,
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False, db_index=False,
    )

    class Status(models.TextChoices):
        POTENTIAL = "potential", _("Potential")
        INTENT = "intent", _("Intent")
        DEAL = "deal", _("Deal")
        LOST = "lost", _("Lost")

    name = models.CharField(_("customer name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    code = models.CharField(_("customer code"), max_length=40, blank=True,
                            help_text=_("Leave empty to number it by the numbering rule."))
    type = lookup("customer_type", _("customer type"), db_index=False)
    level = lookup("customer_level", _("level"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.POTENTIAL)
    category = models.ForeignKey("customers.CustomerCategory", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="customers")
    industry = lookup("industry", _("industry"), db_index=False)
    source = lookup("customer_source", _("source"), db_index=False)
    relationship = lookup("relationship", _("relationship"), db_index=False)
    size = lookup("company_size", _("company size"), db_index=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    province = region(1, _("province"), db_index=False)
    city = region(2, _("city"), db_index=False)
    district = region(3, _("district"), db_index=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    # Invoice details (开票信息) as they go on a VAT invoice.
    invoice_title = models.CharField(_("invoice title"), max_length=120, blank=True)
    tax_number = models.CharField(_("taxpayer ID"), max_length=20, blank=True)
    invoice_address = models.CharField(_("invoice address"), max_length=200, blank=True)
    invoice_phone = models.CharField(_("invoice phone"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    tags = models.ManyToManyField("customers.Tag", verbose_name=_("tags"), blank=True, related_name="customers")
    collaborators = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("collaborators"), blank=True,
                                           related_name="collaborating_customers")
    parent = models.ForeignKey("self", verbose_name=_("parent company"), null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries")
    amount = models.DecimalField(_("annual purchase amount"), max_digits=16, decimal_places=2, default=0)
    next_followup_on = models.DateField(_("next follow-up"), null=True, blank=True)
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Derived keys, never typed: search and duplicate checks read these instead of scanning names.
    search_text = models.CharField(max_length=1000, blank=True, default="", editable=False)
    contact_search = models.CharField(max_length=2000, blank=True, default="", editable=False)
    phone_norm = models.CharField(max_length=20, blank=True, default="", editable=False)
    name_key = models.CharField(max_length=120, blank=True, default="", editable=False)
    # Ownership and the public pool (customers.pools): a customer in a pool has no owner.
    pool = models.ForeignKey("customers.Pool", verbose_name=_("public pool"), null=True, blank=True, editable=False,
                             on_delete=models.PROTECT, related_name="customers", db_index=False)
    pool_entered_at = models.DateTimeField(_("entered pool at"), null=True, blank=True, editable=False)
    previous_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("previous owner"), null=True,
                                       blank=True, editable=False, on_delete=models.SET_NULL, related_name="+",
                                       db_index=False)
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True, editable=False)
    last_deal_at = models.DateTimeField(_("last deal"), null=True, blank=True, editable=False)
    pool_warned_at = models.DateTimeField(_("pool warning sent"), null=True, blank=True, editable=False)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True, editable=False,
                                    on_delete=models.SET_NULL, related_name="merged_from")

    POOL_FIELDS = ("pool", "pool_entered_at", "previous_owner", "owned_since", "last_deal_at", "pool_warned_at")
    SYSTEM_FIELDS = (*BusinessModel.SYSTEM_FIELDS, *KEY_FIELDS, "contact_search", "merged_into", "merged_into_id",
                     *POOL_FIELDS)

    objects = CustomerManager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["owner", "-id"], name="customer_owner_idx"),
            # A salesperson's follow-ups due (home page, due list); rows with no next date stay out.
            models.Index(fields=["owner", "next_followup_on"], condition=Q(next_followup_on__isnull=False),
                         name="customer_owner_due_idx"),
            models.Index(fields=["department", "-id"], name="customer_dept_idx"),
            models.Index(fields=["pool", "-pool_entered_at"], name="customer_pool_idx"),
            models.Index(fields=["code"], name="customer_code_idx"),
            models.Index(fields=["credit_code"], name="customer_credit_code_idx"),
            models.Index(fields=["phone_norm"], name="customer_phone_norm_idx"),
            models.Index(fields=["name_key"], name="customer_name_key_idx"),
            models.Index(fields=["province"], name="customer_province_idx"),
            models.Index(fields=["city"], name="customer_city_idx"),
            models.Index(fields=["district"], name="customer_district_idx"),
        ]
        constraints = [
            # Codes never repeat, deleted and merged records included (their history names them).
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="customer_unique_code"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The search keys are a cache of this row's own columns; keeping them here means every
        # writer (services, imports, the shell) leaves them right. Contacts' part is refreshed by
        # customers.search.refresh_search_keys.
        from customers.search import fill_own_keys

        fill_own_keys(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and KEY_SOURCES & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *KEY_FIELDS}
        super().save(*args, **kwargs)

    def clean(self):
        """The region chain must hang together: the city lies in the province, the district in the city."""
        errors = {}
        if self.city_id and self.city.parent_id != self.province_id:
            errors["city"] = _("This city is not in the chosen province.")
        if self.district_id and self.district.parent_id != self.city_id:
            errors["district"] = _("This district is not in the chosen city.")
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = _("A customer cannot be its own parent company.")
        if errors:
            raise ValidationError(errors)
