from django.db import models
from django.utils.translation import gettext_lazy as _


class PriceLevel(models.Model):
    """A price strategy level (零售价, 批发价, 经销商价, VIP价); products carry one price per level."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    sort = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    roles = models.ManyToManyField("org.Role", verbose_name=_("roles that may quote at this level"), blank=True,
                                   through="products.PriceLevelGrant", related_name="price_levels")

    class Meta:
        verbose_name = _("price level")
        verbose_name_plural = _("price levels")
        ordering = ["sort", "id"]

    def __str__(self):
        return self.name


class ProductPrice(models.Model):
    """The price of a product at one level, per base unit."""

    product = models.ForeignKey("products.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="prices")
    level = models.ForeignKey(PriceLevel, verbose_name=_("price level"), on_delete=models.PROTECT,
                              related_name="prices")
    price = models.DecimalField(_("price"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("product price")
        verbose_name_plural = _("product prices")
        ordering = ["level__sort", "level_id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "level"], name="product_price_unique_level"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.product} · {self.level}: {self.price}"


class PriceLevelGrant(models.Model):
    """A role may quote at a price level: its users may go down to that level's price without approval."""

    role = models.ForeignKey("org.Role", verbose_name=_("role"), on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey(PriceLevel, verbose_name=_("price level"), on_delete=models.CASCADE,
                              related_name="grants")

    class Meta:
        verbose_name = _("price level grant")
        verbose_name_plural = _("price level grants")
        constraints = [models.UniqueConstraint(fields=["role", "level"], name="price_level_grant_unique")]

    def __str__(self):
        return f"{self.role} → {self.level}"
