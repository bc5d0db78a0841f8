"""Sales contracts (销售合同) and orders (订单): one document shape, one line and plan implementation.

Lines and plan periods belong to either a contract or an order (exactly one); they have no scope of
their own and are read through their document. Amounts are computed by contracts.lines, never typed.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BusinessModel


def money(label, **extra):
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=Decimal("0.00"), **extra)


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    EXECUTING = "executing", _("Executing")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class SalesDocument(BusinessModel):
    """What a contract and an order share: number, customer, links, amount, status and approval."""

    code = models.CharField(_("number"), max_length=40, blank=True, db_index=True,
                            help_text=_("Leave empty to number it by the numbering rule."))
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="+")
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey("sales.Project", verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    amount = money(_("amount"), editable=False)
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices,
                              default=DocumentStatus.DRAFT, editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.code or f"#{self.pk}"

    @property
    def approved(self) -> bool:
        return self.status != DocumentStatus.DRAFT and self.approved_at is not None

    def clean(self):
        super().clean()
        errors = {}
        for name in ("opportunity", "project"):
            linked = getattr(self, name)
            if linked is not None and self.customer_id and linked.customer_id != self.customer_id:
                errors[name] = _("This belongs to another customer.")
        if errors:
            raise ValidationError(errors)


class Contract(SalesDocument):
    class Type(models.TextChoices):
        SALES = "sales", _("Sales")
        SERVICE = "service", _("Service")
        FRAMEWORK = "framework", _("Framework")
        OTHER = "other", _("Other")

    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    contract_type = models.CharField(_("contract type"), max_length=12, choices=Type.choices, default=Type.SALES)
    our_signer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("our signer"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    their_signer = models.ForeignKey("customers.Contact", verbose_name=_("their signer"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    sign_date = models.DateField(_("sign date"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    expected_margin = models.DecimalField(_("expected margin (%)"), max_digits=5, decimal_places=2, null=True,
                                          blank=True, validators=[MinValueValidator(-100), MaxValueValidator(100)])
    terms = models.TextField(_("terms"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.code} {self.title}".strip()

    def clean(self):
        super().clean()
        if self.their_signer_id and self.customer_id and self.their_signer.customer_id != self.customer_id:
            raise ValidationError({"their_signer": _("This contact belongs to another customer.")})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class Order(SalesDocument):
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    contract = models.ForeignKey(Contract, verbose_name=_("contract"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="orders")
    order_date = models.DateField(_("order date"))
    payment_terms = models.TextField(_("payment terms"), blank=True)
    delivery_terms = models.TextField(_("delivery terms"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("sales order", "order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]

    def clean(self):
        super().clean()
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            raise ValidationError({"contact": _("This contact belongs to another customer.")})
        if self.contract_id and self.customer_id and self.contract.customer_id != self.customer_id:
            raise ValidationError({"contract": _("This belongs to another customer.")})


def _one_parent(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(models.Q(contract__isnull=False, order__isnull=True)
                   | models.Q(contract__isnull=True, order__isnull=False)),
        name=name)


class DocumentLine(models.Model):
    """A product line of a contract or an order."""

    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.CASCADE, related_name="lines")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("products.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    unit = models.ForeignKey("products.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    discount = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    amount = money(_("line amount"))

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["id"]
        constraints = [_one_parent("line_one_document")]


class PlanPeriod(models.Model):
    """One period (期) of the payment plan of a contract or an order."""

    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.CASCADE, related_name="plan")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="plan")
    period = models.PositiveSmallIntegerField(_("period"))
    due_date = models.DateField(_("due date"))
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("payment plan period")
        verbose_name_plural = _("payment plan")
        ordering = ["period", "id"]
        constraints = [_one_parent("plan_one_document")]


def attachment_path(instance, filename: str) -> str:
    from django.utils.crypto import get_random_string

    # A random folder: the file is served only through the gated view, never by a guessable path.
    return f"contracts/{get_random_string(20)}/{filename}"


class ContractAttachment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["id"]

    def __str__(self):
        return self.name
