"""The demo company: structure, permissions that hold through the access gate, idempotence."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from core import access
from core.demo.names import credit_code_is_valid
from core.demo.org import PEOPLE
from core.models import LookupItem, NumberingRule
from core.testing import make_user
from customers.models import Contact, Customer
from org.models import Department, Grant, Role, Scope, User

pytestmark = pytest.mark.django_db
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-[2-8]\d{7}$")


@pytest.fixture(autouse=True)
def default_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)  # make sets it; the tests check the default


@pytest.fixture
def demo():
    call_command("seed_demo", "--customers", "60", verbosity=0)


def user(username: str) -> User:
    return User.objects.get(username=username)


def visible(username: str) -> set[int]:
    return set(access.visible_to(user(username), "read", Customer).values_list("pk", flat=True))


def test_department_tree(demo):
    depts = {d.name: d for d in Department.objects.all()}
    assert set(depts) == {"总经办", "销售中心", "华东销售部", "上海组", "杭州组", "华南销售部", "华北销售部", "客户服务部",
                          "仓储物流部", "财务部", "市场部"}
    assert depts["上海组"].parent == depts["杭州组"].parent == depts["华东销售部"]
    assert depts["华东销售部"].parent == depts["华南销售部"].parent == depts["销售中心"]
    assert depts["销售中心"].parent is None and depts["财务部"].parent is None
    assert depts["上海组"].path.startswith(depts["华东销售部"].path) and depts["华东销售部"].path.startswith(depts["销售中心"].path)
    assert depts["上海组"].manager.username == "zhangwei"


def test_people_and_admin(demo):
    admin = user("admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("zhanggui123")
    people = User.objects.exclude(username="admin")
    assert 18 <= people.count() <= 25
    for person in people:
        assert person.department_id and person.title and MOBILE.match(person.phone)
        assert len(person.last_name) == 1 and person.first_name and person.roles.count() == 1
    assert user("lina").check_password("zhanggui123") and user("lina").get_full_name() == "李娜"
    assert user("lina").superior.username == "zhangwei" and user("zhangwei").superior.username == "liuyang"
    assert user("wangjianguo").superior is None
    assert len({p.phone for p in people}) == people.count()


def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Another-pass-9")
    call_command("seed_demo", "--customers", "0", verbosity=0)
    assert user("admin").check_password("Another-pass-9") and user("lina").check_password("Another-pass-9")


def test_roles_have_grant_matrices(demo):
    modules = set(access.MODULES)
    assert modules  # the apps' modules are registered
    boss = Role.objects.get(code="boss")
    assert {(g.module, g.action, g.scope) for g in boss.grants.all()} == {
        (m, a, Scope.ALL) for m in modules for a in access.ACTIONS}
    scopes = {(g.role.code, g.action): g.scope for g in Grant.objects.filter(module="customers.customer").select_related("role")}
    assert scopes[("sales_rep", "read")] == Scope.OWN and ("sales_rep", "assign") not in scopes
    assert scopes[("sales_manager", "read")] == Scope.SUBTREE
    assert scopes[("sales_director", "read")] == Scope.ALL and scopes[("sales_director", "update")] == Scope.SUBTREE
    assert scopes[("service", "read")] == Scope.DEPARTMENT
    assert scopes[("finance", "read")] == scopes[("finance", "export")] == Scope.ALL
    assert ("finance", "update") not in scopes and ("warehouse", "read") not in scopes
    assert {p[5] for p in PEOPLE} <= set(Role.objects.values_list("code", flat=True))


def test_customers_are_believable(demo):
    customers = list(Customer.objects.select_related("owner", "level", "industry", "source", "district", "city", "province"))
    assert len(customers) == 60
    assert len({c.name for c in customers}) == 60 and len({c.code for c in customers}) == 60
    for c in customers:
        assert re.match(r"^.{2,4}.+(有限公司|有限责任公司)$", c.name)
        holder = c.owner or c.previous_owner  # customers in the public pool have no owner, only a previous one
        assert holder and (c.owner_id or c.pool_id)
        assert c.department_id == holder.department_id and c.created_by_id == holder.pk
        assert c.level and c.industry and c.source and c.type_id
        assert MOBILE.match(c.phone) or LANDLINE.match(c.phone)
        assert not c.credit_code or credit_code_is_valid(c.credit_code)
        assert c.code.startswith("KH" + c.created_at.strftime("%Y"))
        assert 1 <= c.contacts.count() <= 3
        # 省 / 市 / 区 form one chain at their own levels (a city with no districts has none), and the
        # address names them.
        assert c.province.level == 1 and c.city.level == 2 and c.city.parent_id == c.province_id
        assert c.district is None or (c.district.level == 3 and c.district.parent_id == c.city_id)
        assert c.province.name in c.address and c.city.name.rstrip("市") in c.address
        assert c.district is None or c.district.name in c.address
    statuses = {c.status for c in customers}
    assert statuses >= {"potential", "intent", "deal"}
    assert all(c.amount > 0 for c in customers if c.status == "deal")
    ages = sorted(c.created_at for c in customers)
    assert (ages[-1] - ages[0]).days > 200  # spread over the past year
    for contact in Contact.objects.select_related("customer")[:50]:
        customer = contact.customer
        assert contact.owner_id == (customer.owner_id or customer.previous_owner_id) and MOBILE.match(contact.mobile)
    assert LookupItem.objects.filter(kind="industry").exists() and NumberingRule.objects.filter(doc_type="customer").exists()


@pytest.mark.django_db
def test_a_city_without_districts_is_the_city():
    """东莞市 (441900) has no districts: a demo customer there is 广东省 / 东莞市 with no district."""
    from core.demo.customers import _region_chain
    from customers.models import Region

    regions = {r.code: r for r in Region.objects.filter(code__in=["440000", "441900", "440100", "440106"])}
    assert [r and r.code for r in _region_chain(regions, "441900")] == ["440000", "441900", None]
    assert [r and r.code for r in _region_chain(regions, "440106")] == ["440000", "440100", "440106"]


def test_each_role_sees_its_own_customers_through_the_gate(demo):
    def owned_in(*depts):
        return set(Customer.objects.filter(department__name__in=depts).values_list("pk", flat=True))

    everyone = set(Customer.objects.values_list("pk", flat=True))
    lina = visible("lina")
    assert lina and lina == set(Customer.objects.filter(owner__username="lina").values_list("pk", flat=True))
    assert visible("zhangwei") == owned_in("上海组")
    assert visible("liuyang") == owned_in("华东销售部", "上海组", "杭州组")
    assert visible("zhulin") == owned_in("客户服务部") != set()
    assert visible("chenzhiqiang") == visible("guofang") == visible("wangjianguo") == everyone
    assert visible("hubin") == set()
    # Someone outside every role sees nothing and may change nothing.
    outsider = make_user(department=Department.objects.get(name="上海组"))
    assert not access.visible_to(outsider, "read", Customer).exists()
    assert not access.visible_to(outsider, "update", Customer).exists()
    assert not access.visible_to(user("lina"), "assign", Customer).exists()


def test_if_empty_is_idempotent(demo):
    counts = (User.objects.count(), Department.objects.count(), Role.objects.count(), Customer.objects.count(),
              Contact.objects.count())
    call_command("seed_demo", "--if-empty", verbosity=0)
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)
    assert counts == (User.objects.count(), Department.objects.count(), Role.objects.count(), Customer.objects.count(),
                      Contact.objects.count())


def test_if_empty_seeds_an_empty_database():
    call_command("seed_demo", "--if-empty", "--customers", "10", verbosity=0)
    assert User.objects.filter(username="admin").exists() and Customer.objects.count() == 10


class Rollback(Exception):
    pass


def test_same_seed_gives_the_same_company():
    def one_run() -> list:
        rows = []
        with pytest.raises(Rollback), transaction.atomic():
            call_command("seed_demo", "--customers", "40", verbosity=0)
            rows = list(Customer.objects.order_by("name").values_list("name", "owner__username", "phone", "status"))
            raise Rollback
        return rows

    first, second = one_run(), one_run()
    assert len(first) == 40 and first == second
