"""The demo catalogue seeds coherent products, conversions, prices and grants."""

from decimal import Decimal

import pytest

from core.demo import DemoContext
from core.numbering import ensure_default_rules
from core.testing import make_role, make_user
from products import demo, selectors
from products.models import PriceLevel, PriceLevelGrant, Product, ProductCategory, UnitConversion

pytestmark = pytest.mark.django_db


def test_seed_builds_a_believable_catalogue():
    ensure_default_rules()
    roles = {code: make_role(code) for code in ("sales_rep", "sales_manager", "warehouse")}
    keeper, rep = make_user(roles=[roles["warehouse"]]), make_user(roles=[roles["sales_rep"]])
    ctx = DemoContext(password="x", log=lambda _m: None, admin=make_user(superuser=True), roles=roles,
                      users={keeper.username: keeper, rep.username: rep},
                      role_of={keeper.username: "warehouse", rep.username: "sales_rep"})
    demo.seed(ctx)
    products = Product.objects.all()
    assert products.count() == 40 and {p.owner for p in products} == {keeper}
    assert len({p.code for p in products}) == 40 and min(p.code for p in products) == "CP00001"
    assert ProductCategory.objects.filter(parent__isnull=False).count() >= 4
    assert all(c.path.startswith(c.parent.path) for c in ProductCategory.objects.filter(parent__isnull=False))
    coffee = products.get(name="挂耳咖啡")
    assert UnitConversion.objects.get(product=coffee, unit__name="箱").factor == 24
    assert selectors.min_allowed_price(rep, coffee) == Decimal("3.15")  # 批发价 = 90% of 3.50
    assert PriceLevel.objects.count() == 3 and PriceLevelGrant.objects.filter(role=roles["sales_manager"]).count() == 3
    assert Product.objects.filter(search_text__contains="gekf").exists()
