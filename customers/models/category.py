from django.utils.translation import gettext_lazy as _

from core.models.tree import TreeNode


class CustomerCategory(TreeNode):
    """A node of the customer category tree (客户分类)."""

    class Meta(TreeNode.Meta):
        verbose_name = _("customer category")
        verbose_name_plural = _("customer categories")
