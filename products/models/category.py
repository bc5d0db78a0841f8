from django.utils.translation import gettext_lazy as _

from core.models.tree import TreeNode


class ProductCategory(TreeNode):
    """A node of the product category tree (产品分类)."""

    class Meta(TreeNode.Meta):
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
