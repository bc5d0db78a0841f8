"""The shared filter definition: operators per type, AND/OR nesting, custom fields, refusals, ordering."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.lists import filters
from core.models import CustomField, LookupItem
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from customers.ui import CustomerUI
from org.models import FieldRule, Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"


@pytest.fixture
def cui():
    return CustomerUI


@pytest.fixture
def seller():
    dept = make_department("销售部")
    return make_user("seller", department=dept, roles=[make_role(grants=full_grants(MODULE, Scope.OWN))])


def customer(owner, name, **kw):
    return Customer.objects.create(name=name, owner=owner, department=owner.department, created_by=owner, **kw)


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def run(cui, user, definition):
    return names(filters.apply_definition(cui.queryset(user), cui, user, definition))


def rule(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


@pytest.fixture
def rows(seller):
    level_a = LookupItem.objects.create(kind="customer_level", code="A", name="A级")
    level_b = LookupItem.objects.create(kind="customer_level", code="B", name="B级")
    return {
        "bj": customer(seller, "北京科技", phone="010-1111", amount=Decimal("1500.50"), level=level_a,
                       status="deal", next_followup_on=datetime.date(2026, 3, 1)),
        "sh": customer(seller, "上海贸易", phone="021-2222", amount=Decimal("800"), level=level_b, status="intent"),
        "gz": customer(seller, "广州物流", phone="", amount=Decimal("0"), status="potential",
                       next_followup_on=datetime.date(2026, 5, 1)),
        "level_a": level_a, "level_b": level_b,
    }


def test_text_operators(cui, seller, rows):
    assert run(cui, seller, {"op": "and", "rules": [rule("name", "contains", "科技")]}) == ["北京科技"]
    assert run(cui, seller, {"rules": [rule("name", "eq", "上海贸易")]}) == ["上海贸易"]
    assert run(cui, seller, {"rules": [rule("name", "ne", "上海贸易")]}) == ["北京科技", "广州物流"]
    assert run(cui, seller, {"rules": [rule("phone", "empty", True)]}) == ["广州物流"]
    assert run(cui, seller, {"rules": [rule("phone", "empty", False)]}) == ["上海贸易", "北京科技"]
    assert run(cui, seller, {"rules": [rule("name", "in", "北京科技, 广州物流")]}) == ["北京科技", "广州物流"]


def test_number_date_choice_and_fk_operators(cui, seller, rows):
    assert run(cui, seller, {"rules": [rule("amount", "gt", "800")]}) == ["北京科技"]
    assert run(cui, seller, {"rules": [rule("amount", "gte", "800")]}) == ["上海贸易", "北京科技"]
    assert run(cui, seller, {"rules": [rule("amount", "lte", "1,500.50")]}) == ["上海贸易", "北京科技", "广州物流"]
    assert run(cui, seller, {"rules": [rule("next_followup_on", "lt", "2026-04-01")]}) == ["北京科技"]
    assert run(cui, seller, {"rules": [rule("next_followup_on", "empty")]}) == ["上海贸易"]
    assert run(cui, seller, {"rules": [rule("status", "in", ["deal", "intent"])]}) == ["上海贸易", "北京科技"]
    assert run(cui, seller, {"rules": [rule("level", "eq", rows["level_a"].pk)]}) == ["北京科技"]
    # "≠ A" keeps the customer with no level at all.
    assert run(cui, seller, {"rules": [rule("level", "ne", str(rows["level_a"].pk))]}) == ["上海贸易", "广州物流"]
    today = datetime.date.today().isoformat()
    assert run(cui, seller, {"rules": [rule("created_at", "eq", today)]}) == ["上海贸易", "北京科技", "广州物流"]


def test_or_groups_and_nesting(cui, seller, rows):
    either = {"op": "or", "rules": [rule("name", "contains", "北京"), rule("phone", "contains", "021")]}
    assert run(cui, seller, either) == ["上海贸易", "北京科技"]
    nested = {"op": "and", "rules": [
        rule("amount", "gte", "0"),
        {"op": "or", "rules": [
            rule("status", "eq", "potential"),
            {"op": "and", "rules": [rule("status", "eq", "deal"), rule("amount", "gt", "1000")]},
        ]},
    ]}
    assert run(cui, seller, nested) == ["北京科技", "广州物流"]
    assert run(cui, seller, {"op": "or", "rules": []}) == ["上海贸易", "北京科技", "广州物流"]


def test_filter_never_widens_the_scope(cui, seller, rows):
    other = make_user("other", department=seller.department, roles=[make_role(grants=full_grants(MODULE, Scope.OWN))])
    customer(other, "别人的北京客户")
    either = {"op": "or", "rules": [rule("name", "contains", "北京"), rule("name", "empty", False)]}
    assert run(cui, seller, either) == ["上海贸易", "北京科技", "广州物流"]
    assert run(cui, make_user("nobody"), either) == []


def test_custom_fields(cui, seller):
    CustomField.objects.create(module=MODULE, code="region", label="区域", type="choice",
                               choices=[{"value": "east", "label": "华东"}, {"value": "south", "label": "华南"}])
    CustomField.objects.create(module=MODULE, code="budget", label="预算", type="money")
    CustomField.objects.create(module=MODULE, code="since", label="合作始于", type="date")
    CustomField.objects.create(module=MODULE, code="vip", label="VIP", type="bool")
    CustomField.objects.create(module=MODULE, code="tags", label="标签", type="multi", choices=["老客户", "重点"])
    CustomField.objects.create(module=MODULE, code="memo", label="备注2", type="text")
    customer(seller, "甲", custom={"region": "east", "budget": "900.00", "since": "2025-01-02", "vip": True,
                                   "tags": ["老客户", "重点"], "memo": "Hello"})
    customer(seller, "乙", custom={"region": "south", "budget": "10000.00", "since": "2024-12-31", "vip": False,
                                   "tags": ["重点"]})
    customer(seller, "丙", custom={})
    assert run(cui, seller, {"rules": [rule("custom.region", "eq", "east")]}) == ["甲"]
    assert run(cui, seller, {"rules": [rule("custom.region", "ne", "east")]}) == ["丙", "乙"]
    assert run(cui, seller, {"rules": [rule("custom.region", "in", ["east", "south"])]}) == ["乙", "甲"]
    # Numbers compare as numbers, not as text ("10000" > "900").
    assert run(cui, seller, {"rules": [rule("custom.budget", "gt", "1000")]}) == ["乙"]
    assert run(cui, seller, {"rules": [rule("custom.budget", "lte", "900")]}) == ["甲"]
    assert run(cui, seller, {"rules": [rule("custom.since", "gte", "2025-01-01")]}) == ["甲"]
    assert run(cui, seller, {"rules": [rule("custom.vip", "eq", "true")]}) == ["甲"]
    assert run(cui, seller, {"rules": [rule("custom.vip", "ne", "true")]}) == ["丙", "乙"]
    assert run(cui, seller, {"rules": [rule("custom.tags", "contains", "老客户")]}) == ["甲"]
    assert run(cui, seller, {"rules": [rule("custom.memo", "contains", "hell")]}) == ["甲"]
    assert run(cui, seller, {"rules": [rule("custom.region", "empty")]}) == ["丙"]
    assert run(cui, seller, {"rules": [rule("custom.budget", "empty", False)]}) == ["乙", "甲"]
    ordered = filters.apply_ordering(cui.queryset(seller), cui, seller, "-custom.budget")
    assert [c.name for c in ordered] == ["乙", "甲", "丙"]
    with pytest.raises(ValidationError):
        run(cui, seller, {"rules": [rule("custom.region", "eq", "north")]})


@pytest.mark.parametrize("definition", [
    {"op": "xor", "rules": []},
    {"op": "and", "rules": "name"},
    {"op": "and", "rules": [rule("nope", "eq", "x")]},
    {"op": "and", "rules": [rule("name", "gt", "x")]},           # no order on text
    {"op": "and", "rules": [rule("name", "like", "x")]},
    {"op": "and", "rules": [rule("amount", "eq", "abc")]},
    {"op": "and", "rules": [rule("amount", "eq", "NaN")]},
    {"op": "and", "rules": [rule("next_followup_on", "eq", "2026-13-01")]},
    {"op": "and", "rules": [rule("status", "eq", "bogus")]},
    {"op": "and", "rules": [rule("level", "eq", "A")]},
    {"op": "and", "rules": [rule("name", "contains", "")]},
    {"op": "and", "rules": [rule("name", "in", [])]},
    {"op": "and", "rules": [rule("name", "contains", ["a"])]},
    {"op": "and", "rules": [rule("deleted_at", "empty")]},       # not a list field
    {"op": "and", "rules": [rule("owner__password", "contains", "a")]},
    {"op": "and", "rules": [{"op": "or", "rules": [{"op": "and", "rules": [{"op": "or", "rules": []}]}]}]},
    {"op": "or", "rules": [rule("name", "contains", str(i)) for i in range(31)]},
    {"op": "and", "rules": [42]},
])
def test_malformed_definitions_are_refused(cui, seller, rows, definition):
    with pytest.raises(ValidationError):
        filters.apply_definition(cui.queryset(seller), cui, seller, definition)


def test_parse_definition():
    assert filters.parse_definition("") is None
    assert filters.parse_definition('{"op":"and","rules":[]}') == {"op": "and", "rules": []}
    for bad in ("{", "[1]", "x" * 30000):
        with pytest.raises(ValidationError):
            filters.parse_definition(bad)


def test_hidden_fields_are_not_offered_or_accepted(cui, seller, rows):
    role = seller.roles.get()
    FieldRule.objects.create(role=role, module=MODULE, field="phone", mode="hidden")
    CustomField.objects.create(module=MODULE, code="secret", label="机密", type="text")
    FieldRule.objects.create(role=role, module=MODULE, field="custom.secret", mode="hidden")
    user = type(seller).objects.get(pk=seller.pk)  # fresh object: field rules are cached per user object
    offered = {f.name for f in filters.allowed_fields(cui, user)}
    assert "phone" not in offered and "custom.secret" not in offered and "name" in offered
    for definition in ({"rules": [rule("phone", "contains", "010")]}, {"rules": [rule("custom.secret", "empty")]}):
        with pytest.raises(ValidationError):
            filters.apply_definition(cui.queryset(user), cui, user, definition)
    with pytest.raises(ValidationError):
        filters.apply_ordering(cui.queryset(user), cui, user, "phone")


def test_allowed_fields_describe_types_and_choices(cui, seller, rows):
    fields = {f.name: f for f in filters.allowed_fields(cui, seller)}
    assert fields["amount"].type == "money"
    assert fields["status"].type == "choice" and ("deal", str(Customer.Status.DEAL.label)) in fields["status"].choices
    assert fields["level"].type == "fk"
    assert (str(rows["level_a"].pk), "A级") in fields["level"].choices
    assert fields["next_followup_on"].type == "date" and fields["created_at"].type == "datetime"
    assert "contains" not in fields["amount"].operators and "gt" not in fields["name"].operators


def test_fk_choices_to_business_records_follow_the_access_gate(seller, rows):
    other = make_user("other2", roles=[make_role(grants=full_grants(MODULE, Scope.OWN))])
    hidden_parent = customer(other, "别人的集团")
    cui = CustomerUI
    original = cui.filter_fields
    cui.filter_fields = ["parent"]
    try:
        parent = next(f for f in filters.allowed_fields(cui, seller) if f.name == "parent")
        labels = {label for _v, label in parent.choices}
    finally:
        cui.filter_fields = original
    assert "北京科技" in labels and hidden_parent.name not in labels


def test_ordering(cui, seller, rows):
    def order(spec):
        return [c.name for c in filters.apply_ordering(cui.queryset(seller), cui, seller, spec)]

    assert order("amount") == ["广州物流", "上海贸易", "北京科技"]
    assert order("-amount") == ["北京科技", "上海贸易", "广州物流"]
    assert order("-next_followup_on") == ["广州物流", "北京科技", "上海贸易"]  # empty last going down
    assert order("level") == ["广州物流", "北京科技", "上海贸易"]  # by the lookup's own order, empty first
    assert order("") == ["广州物流", "上海贸易", "北京科技"]  # the UI's default: newest first
    qs = filters.apply_ordering(cui.queryset(seller), cui, seller, "status,-name")
    assert qs.query.order_by[-1] == "id"
    assert filters.apply_ordering(cui.queryset(seller), cui, seller, "-status").query.order_by[-1] == "-id"
    for bad in ("nope", "-password", "owner__password", "a,b,c,d,e,f"):
        with pytest.raises(ValidationError):
            filters.apply_ordering(cui.queryset(seller), cui, seller, bad)


def test_foreign_keys_keyed_by_code_and_matched_by_name(cui, seller):
    from customers.models import Region

    beijing, _new = Region.objects.get_or_create(code="110000", defaults={"name": "北京市", "level": 1})
    city, _new = Region.objects.get_or_create(code="110100", defaults={"name": "北京城区", "level": 2, "parent": beijing})
    customer(seller, "北京客户", province=beijing, city=city)
    customer(seller, "外地客户")
    assert run(cui, seller, {"rules": [rule("city", "eq", "110100")]}) == ["北京客户"]
    assert run(cui, seller, {"rules": [rule("city", "in", ["110100", "999999"])]}) == ["北京客户"]
    assert run(cui, seller, {"rules": [rule("city", "contains", city.name[:2])]}) == ["北京客户"]
    assert run(cui, seller, {"rules": [rule("province", "empty")]}) == ["外地客户"]
    fields = {f.name: f for f in filters.allowed_fields(cui, seller)}
    assert "contains" in fields["city"].operators and "contains" not in fields["owner"].operators
    assert ("110000", beijing.name) in fields["province"].choices
    with pytest.raises(ValidationError):
        run(cui, seller, {"rules": [rule("owner", "contains", "王")]})


def test_a_category_filter_takes_its_subcategories(cui, seller):
    from customers.models import CustomerCategory

    def node(name, parent=None):
        cat = CustomerCategory.objects.create(name=name, parent=parent)
        cat.path = f"{parent.path if parent else '/'}{cat.pk}/"
        cat.save(update_fields=["path"])
        return cat

    machinery = node("机械")
    tools = node("机床", machinery)
    lathes = node("车床", tools)
    food = node("食品")
    customer(seller, "甲", category=machinery)
    customer(seller, "乙", category=lathes)
    customer(seller, "丙", category=food)
    customer(seller, "丁")
    assert run(cui, seller, {"rules": [rule("category", "eq", str(machinery.pk))]}) == ["乙", "甲"]
    assert run(cui, seller, {"rules": [rule("category", "eq", str(tools.pk))]}) == ["乙"]
    assert run(cui, seller, {"rules": [rule("category", "in", [str(tools.pk), str(food.pk)])]}) == ["丙", "乙"]
    assert run(cui, seller, {"rules": [rule("category", "ne", str(machinery.pk))]}) == ["丁", "丙"]
