"""A lead (线索): a person or company that showed interest but is not a customer yet."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BusinessModel
from customers.models import lookup
from customers.models.customer import region

# The columns the stored keys are computed from (see marketing.keys.fill_keys).
KEY_SOURCES = frozenset({"company", "contact_name", "mobile", "phone", "email"})
KEY_FIELDS = ("search_text", "phone_norm", "phone2_norm", "email_norm", "name_key")


class Lead(BusinessModel):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        LOST = "lost", _("Lost")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        IMPORT = "import", _("Imported")
        WEB_FORM = "web_form", _("Web form")

    company = models.CharField(_("company"), max_length=120, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=60)
    title = models.CharField(pgettext_lazy("job", "title"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    province = region(1, _("province"))
    city = region(2, _("city"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    industry = lookup("industry", _("industry"))
    source = lookup("customer_source", _("source"))
    campaign = models.CharField(_("campaign"), max_length=120, blank=True)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True,
                                     help_text=_("Where exactly it came from: a page, a keyword, an event booth."))
    requirement = models.TextField(_("requirement"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, default=Origin.MANUAL, editable=False)
    web_form = models.ForeignKey("marketing.WebForm", verbose_name=_("web form"), null=True, blank=True,
                                 editable=False, on_delete=models.SET_NULL, related_name="leads")
    lost_reason = lookup("lead_lost_reason", _("lost reason"))
    lost_note = models.CharField(_("lost note"), max_length=200, blank=True)
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True, editable=False)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True, editable=False)
    converted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("converted by"), null=True, blank=True,
                                     editable=False, on_delete=models.SET_NULL, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("converted customer"), null=True, blank=True,
                                 editable=False, on_delete=models.SET_NULL, related_name="leads")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("converted contact"), null=True, blank=True,
                                editable=False, on_delete=models.SET_NULL, related_name="leads")
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("converted opportunity"), null=True,
                                    blank=True, editable=False, on_delete=models.SET_NULL, related_name="leads")
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True, editable=False,
                                    on_delete=models.SET_NULL, related_name="merged_from")
    # "May already be a customer": set when the lead is saved and an existing customer has its phone
    # or company name (which customer is shown only through customers.dedup, which follows the gate).
    customer_hint = models.BooleanField(_("possible existing customer"), default=False, editable=False)

    # Derived keys, never typed: search and duplicate checks read these.
    search_text = models.CharField(max_length=600, blank=True, default="", editable=False)
    phone_norm = models.CharField(max_length=20, blank=True, default="", editable=False, db_index=True)
    phone2_norm = models.CharField(max_length=20, blank=True, default="", editable=False, db_index=True)
    email_norm = models.CharField(max_length=254, blank=True, default="", editable=False, db_index=True)
    name_key = models.CharField(max_length=120, blank=True, default="", editable=False, db_index=True)

    # Set by the lead services only (assign, lose, convert, merge), never by a form or payload.
    SERVICE_FIELDS = ("origin", "web_form", "lost_at", "assigned_at", "converted_at", "converted_by", "customer",
                      "contact", "opportunity", "merged_into", "customer_hint")
    SYSTEM_FIELDS = (*BusinessModel.SYSTEM_FIELDS, *KEY_FIELDS, *SERVICE_FIELDS)
    OPEN = (Status.NEW, Status.CONTACTED, Status.QUALIFIED)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["owner", "-id"], name="lead_owner_idx"),
            models.Index(fields=["department", "-id"], name="lead_dept_idx"),
            models.Index(fields=["status", "-id"], name="lead_status_idx"),
        ]

    def __str__(self):
        return self.company or self.contact_name

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def save(self, *args, **kwargs):
        # The keys are a cache of this row's own columns; every writer (services, imports, the
        # shell) leaves them right this way, as customers do.
        from marketing.keys import fill_keys

        fill_keys(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and KEY_SOURCES & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *KEY_FIELDS}
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.city_id and self.city.parent_id != self.province_id:
            errors["city"] = _("This city is not in the chosen province.")
        if not (self.mobile or self.phone or self.email or self.wechat):
            errors["mobile"] = _("Enter at least one way to reach the lead: mobile, phone, email or WeChat.")
        if errors:
            raise ValidationError(errors)
