"""Quotes (报价单): product lines with quantity, unit, price, discount and tax, at most one per
contact or maintenance record; and the company's editable quote template for the PDF."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BusinessModel

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """10.0000 → "10", 2.5000 → "2.5" (never "1E+1")."""
    return format(Decimal(value).normalize(), "f")


def percent_field(label, default="0"):
    return models.DecimalField(label, max_digits=5, decimal_places=2, default=Decimal(default),
                               validators=[MinValueValidator(0), MaxValueValidator(100)])


class Quote(BusinessModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SENT = "sent", _("Sent")

    code = models.CharField(_("code"), max_length=40, blank=True, db_index=True,
                            help_text=_("Leave empty to number it by the numbering rule."))
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="quotes")
    contact_record = models.ForeignKey("sales.ContactRecord", verbose_name=_("contact record"), null=True,
                                       blank=True, on_delete=models.CASCADE, related_name="quotes")
    # CASCADE only matters when a binned record is purged for good: its (binned) quote goes too.
    maintenance_record = models.ForeignKey("sales.MaintenanceRecord", verbose_name=_("maintenance record"),
                                           null=True, blank=True, on_delete=models.CASCADE, related_name="quotes")
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    notes = models.TextField(_("notes"), blank=True)
    # Totals are computed from the lines by the services.
    subtotal = models.DecimalField(_("amount before discount"), max_digits=16, decimal_places=2,
                                   default=Decimal("0"), editable=False)
    discount_total = models.DecimalField(_("discount"), max_digits=16, decimal_places=2, default=Decimal("0"),
                                         editable=False)
    tax_total = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, default=Decimal("0"),
                                    editable=False)
    grand_total = models.DecimalField(_("grand total"), max_digits=16, decimal_places=2, default=Decimal("0"),
                                      editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+", editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(contact_record__isnull=False, maintenance_record__isnull=True)
                           | Q(contact_record__isnull=True, maintenance_record__isnull=False)),
                name="quote_one_record"),
            # One live quote per record; a quote in the recycle bin does not block a new one.
            models.UniqueConstraint(fields=["contact_record"], condition=Q(deleted_at__isnull=True),
                                    name="quote_unique_contact_record"),
            models.UniqueConstraint(fields=["maintenance_record"], condition=Q(deleted_at__isnull=True),
                                    name="quote_unique_maintenance_record"),
        ]

    def __str__(self):
        return self.code or f"#{self.pk}"

    @property
    def record(self):
        return self.contact_record or self.maintenance_record

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REJECTED, self.Status.APPROVED)


class QuoteLine(models.Model):
    """One product line. Prices exclude tax: amount = quantity × unit price; the discount comes off
    the amount, tax is charged on what is left; each step is rounded half up to the cent."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("no."), default=0)
    product = models.ForeignKey("products.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    unit = models.ForeignKey("products.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4,
                                   validators=[MinValueValidator(Decimal("0.0001"))])
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=4,
                                     validators=[MinValueValidator(0)])
    discount = percent_field(_("discount (%)"))
    tax_rate = percent_field(_("tax rate (%)"), "13")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=Decimal("0"), editable=False)
    discount_amount = models.DecimalField(_("discount"), max_digits=16, decimal_places=2, default=Decimal("0"),
                                          editable=False)
    tax = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, default=Decimal("0"), editable=False)
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=Decimal("0"), editable=False)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["position", "id"]

    def compute(self) -> None:
        self.amount = cents(self.quantity * self.unit_price)
        self.discount_amount = cents(self.amount * self.discount / HUNDRED)
        self.tax = cents((self.amount - self.discount_amount) * self.tax_rate / HUNDRED)
        self.total = self.amount - self.discount_amount + self.tax

    @property
    def quantity_plain(self) -> str:
        return plain(self.quantity)

    @property
    def unit_price_plain(self) -> str:
        return plain(self.unit_price)

    @property
    def net(self) -> Decimal:
        return self.amount - self.discount_amount

    @property
    def effective_price(self) -> Decimal:
        """The unit price after the line's discount: what the approval rule compares."""
        return self.unit_price * (HUNDRED - self.discount) / HUNDRED


DEFAULT_BODY = """<h1>{{ company.name }}</h1>
<div class="muted">{{ company.address }} {{ company.phone }}</div>
<div class="header">{{ company.header|linebreaksbr }}</div>
<h2>报价单 Quotation {{ quote.code }}</h2>
<table class="meta">
<tr><td>客户 Customer</td><td>{{ quote.customer }}</td><td>日期 Date</td><td>{{ quote.date }}</td></tr>
<tr><td>销售 Sales</td><td>{{ quote.owner }}</td><td>有效期至 Valid until</td><td>{{ quote.valid_until }}</td></tr>
</table>
<table class="lines">
<thead><tr><th>#</th><th>产品 Product</th><th>单位 Unit</th><th>数量 Qty</th><th>单价 Price</th>
<th>折扣% Disc.</th><th>税率% Tax</th><th>金额 Total</th></tr></thead>
<tbody>{% for line in lines %}<tr><td>{{ forloop.counter }}</td><td>{{ line.product }}</td><td>{{ line.unit }}</td>
<td class="num">{{ line.quantity }}</td><td class="num">{{ line.unit_price }}</td><td class="num">{{ line.discount }}</td>
<td class="num">{{ line.tax_rate }}</td><td class="num">{{ line.total }}</td></tr>{% endfor %}</tbody>
</table>
<table class="totals">
<tr><td>折前金额 Before discount</td><td class="num">{{ quote.subtotal }}</td></tr>
<tr><td>折扣 Discount</td><td class="num">{{ quote.discount_total }}</td></tr>
<tr><td>税额 Tax</td><td class="num">{{ quote.tax_total }}</td></tr>
<tr><td><b>合计 Total</b></td><td class="num"><b>¥{{ quote.grand_total }}</b></td></tr>
<tr><td>大写 In words</td><td>{{ quote.grand_total_words }}</td></tr>
</table>
<div class="terms">{{ company.terms|linebreaksbr }}</div>
<div class="footer">{{ company.footer|linebreaksbr }}</div>
"""


class QuoteTemplate(models.Model):
    """The company's quote layout (one row): letterhead fields and an HTML body that admins edit.
    The body is rendered in a sandbox (sales.quote_pdf): plain values only, autoescape on."""

    company_name = models.CharField(_("company name"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    logo = models.ImageField(_("logo"), upload_to="quote_logo/", blank=True)
    header = models.TextField(_("header text"), blank=True)
    footer = models.TextField(_("footer text"), blank=True)
    terms = models.TextField(_("terms"), blank=True)
    body = models.TextField(_("HTML body"), default=DEFAULT_BODY)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quote template")
        verbose_name_plural = _("quote templates")

    def __str__(self):
        return str(self._meta.verbose_name)
