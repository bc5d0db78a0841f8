import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import ImageFieldFile
from django.utils.translation import gettext_lazy as _

from core.models import BusinessModel, LiveManager

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp", "gif")
# The columns the stored search key is computed from (see products.search).
KEY_SOURCES = frozenset({"name", "code", "spec", "model", "brand", "barcode"})


def validate_image_size(file) -> None:
    if file and getattr(file, "size", 0) > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is too large (at most 2 MB)."))


def image_path(instance, filename: str) -> str:
    # A fresh name: the uploader's file name is neither trusted nor kept.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"products/{uuid.uuid4().hex}.{extension}"


class OptionalImageFile(ImageFieldFile):
    """An image that may be absent: ``url`` is empty instead of raising, so audit snapshots and
    templates can read a product without an image like any other field."""

    @property
    def url(self):
        return super().url if self else ""


class OptionalImageField(models.ImageField):
    attr_class = OptionalImageFile


class ProductQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # The demo seeder and imports write rows in bulk; their search key must be right too.
        from products.search import fill_search_text

        for obj in objs:
            fill_search_text(obj)
        return super().bulk_create(objs, *args, **kwargs)


class ProductManager(LiveManager.from_queryset(ProductQuerySet)):
    pass


class Product(BusinessModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("On sale")
        DISCONTINUED = "discontinued", _("Discontinued")

    code = models.CharField(_("product code"), max_length=40, blank=True, db_index=True,
                            help_text=_("Leave empty to number it by the numbering rule."))
    name = models.CharField(_("product name"), max_length=120)
    spec = models.CharField(_("specification"), max_length=120, blank=True)
    model = models.CharField(_("model"), max_length=80, blank=True)
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    origin = models.CharField(_("origin"), max_length=60, blank=True)
    category = models.ForeignKey("products.ProductCategory", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="products",
                                 limit_choices_to={"active": True})
    base_unit = models.ForeignKey("products.Unit", verbose_name=_("base unit"), on_delete=models.PROTECT,
                                  related_name="+", limit_choices_to={"active": True})
    list_price = models.DecimalField(_("list price"), max_digits=16, decimal_places=2, default=Decimal("0"),
                                     validators=[MinValueValidator(Decimal("0"))])
    cost_price = models.DecimalField(_("cost price"), max_digits=16, decimal_places=2, null=True, blank=True,
                                     validators=[MinValueValidator(Decimal("0"))])
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("13"),
                                   validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    barcode = models.CharField(_("barcode"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    description = models.TextField(_("description"), blank=True)
    image = OptionalImageField(_("image"), upload_to=image_path, blank=True, max_length=255,
                               validators=[FileExtensionValidator(IMAGE_EXTENSIONS), validate_image_size])

    # Derived, never typed: name, code, spec … with pinyin and initials, lower case (products.search).
    search_text = models.CharField(max_length=1000, blank=True, default="", editable=False)

    SYSTEM_FIELDS = (*BusinessModel.SYSTEM_FIELDS, "search_text")

    objects = ProductManager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code", "id"]
        constraints = [
            # Codes never repeat, deleted records included (their history names them).
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="product_unique_code"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} {self.spec}".strip()

    def save(self, *args, **kwargs):
        # The search key is a cache of this row's own columns; keeping it here means every writer
        # (services, imports, the shell) leaves it right.
        from products.search import fill_search_text

        fill_search_text(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and KEY_SOURCES & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)
