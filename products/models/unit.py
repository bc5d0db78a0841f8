from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """A unit of measure products are counted and priced in (个, 箱, 袋, 台, 套 …)."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    sort = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort", "id"]

    def __str__(self):
        return self.name


class UnitConversion(models.Model):
    """``factor`` base units make one ``unit`` of the product: 1 箱 = 24 袋 is (箱, 24) when 袋 is the base unit.

    The base unit itself has no row: its factor is 1 by definition.
    """

    product = models.ForeignKey("products.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="conversions")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    factor = models.DecimalField(_("base units per unit"), max_digits=14, decimal_places=4)

    class Meta:
        verbose_name = _("unit conversion")
        verbose_name_plural = _("unit conversions")
        ordering = ["factor", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "unit"], name="product_unit_conversion_unique"),
            models.CheckConstraint(condition=models.Q(factor__gt=0), name="product_unit_conversion_factor_positive"),
        ]

    def __str__(self):
        return f"1 {self.unit} = {self.factor.normalize():f} {self.product.base_unit}"
