"""The list page: search, filter, sort, pagination, HTMX partial, saved filters, columns, query count."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import ColumnPreference, CustomField, SavedFilter
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Contact, Customer
from org.models import FieldRule, Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"
LIST = reverse("customers:customer_list")


@pytest.fixture
def dept():
    return make_department("销售一部")


@pytest.fixture
def seller(dept):
    return make_user("seller", department=dept, roles=[make_role("sales", grants=full_grants(MODULE, Scope.OWN))])


@pytest.fixture
def colleague(dept):
    return make_user("colleague", department=dept, roles=[make_role("sales2", grants=full_grants(MODULE, Scope.OWN))])


def customer(owner, name, **kw):
    return Customer.objects.create(name=name, owner=owner, department=owner.department, created_by=owner, **kw)


def logged_in(client, user):
    client.force_login(user)
    return client


def f(*rules, op="and"):
    return json.dumps({"op": op, "rules": list(rules)}, ensure_ascii=False)


def row_names(response):
    """Names in the first column of the list table (the detail links)."""
    html = response.content.decode()
    return re.findall(r'<td class=""><a href="/customers/customer/\d+/">([^<]*)</a>', html)


def test_lists_only_rows_in_scope_and_searches(client, seller, colleague):
    customer(seller, "北京科技", phone="010-1")
    customer(seller, "上海贸易", phone="021-2")
    customer(colleague, "别人的北京客户")
    c = logged_in(client, seller)
    response = c.get(LIST)
    assert response.status_code == 200
    assert sorted(row_names(response)) == ["上海贸易", "北京科技"]
    assert "别人的北京客户" not in response.content.decode()
    assert row_names(c.get(LIST, {"q": "北京"})) == ["北京科技"]


def test_user_without_read_permission_is_refused(client, seller):
    customer(seller, "北京科技")
    c = logged_in(client, make_user("outsider"))
    assert c.get(LIST).status_code == 403
    assert c.get(reverse("customers:customer_export")).status_code == 403
    assert c.post(reverse("customers:customer_batch"), {"action": "delete", "ids": "1"}).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/org/login/" in response["Location"]


def test_or_filter_from_query_parameter(client, seller):
    customer(seller, "北京科技", phone="010-1")
    customer(seller, "上海贸易", phone="021-2")
    customer(seller, "广州物流", phone="020-3")
    c = logged_in(client, seller)
    definition = f({"field": "name", "operator": "contains", "value": "北京"},
                   {"field": "phone", "operator": "contains", "value": "021"}, op="or")
    response = c.get(LIST, {"f": definition})
    assert response.status_code == 200
    assert sorted(row_names(response)) == ["上海贸易", "北京科技"]
    # The builder is initialised from the same definition.
    assert "zg-filter-definition" in response.content.decode()


@pytest.mark.parametrize("params", [
    {"f": "{not json"},
    {"f": f({"field": "name", "operator": "gt", "value": "x"})},
    {"f": f({"field": "phone", "operator": "contains", "value": "0"})},   # hidden below
    {"sort": "phone"},                                                     # hidden below
    {"sort": "password"},
])
def test_malformed_or_hidden_filter_is_a_400_that_shows_no_rows(client, seller, params):
    FieldRule.objects.create(role=seller.roles.get(), module=MODULE, field="phone", mode="hidden")
    customer(seller, "北京科技", phone="010-1")
    response = logged_in(client, seller).get(LIST, params)
    assert response.status_code == 400
    assert 'data-testid="list-error"' in response.content.decode()
    assert row_names(response) == []


def test_hidden_field_is_not_a_column_or_filter_choice(client, seller):
    FieldRule.objects.create(role=seller.roles.get(), module=MODULE, field="phone", mode="hidden")
    customer(seller, "北京科技", phone="010-99999")
    html = logged_in(client, seller).get(LIST).content.decode()
    assert "010-99999" not in html
    fields = json.loads(re.search(r'id="zg-filter-fields" type="application/json">(.*?)</script>', html).group(1))
    assert "phone" not in {field["name"] for field in fields} and "name" in {field["name"] for field in fields}


def test_htmx_request_gets_only_the_table(client, seller):
    customer(seller, "北京科技")
    response = logged_in(client, seller).get(LIST, {"q": "北京"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="zg-list-table"') and "<html" not in html
    assert row_names(response) == ["北京科技"]


def test_sorting_and_pagination(client, seller):
    for i in range(25):
        customer(seller, f"客户{i:02d}", amount=Decimal(i))
    c = logged_in(client, seller)
    response = c.get(LIST, {"sort": "amount"})
    assert row_names(response)[:3] == ["客户00", "客户01", "客户02"]
    assert len(row_names(response)) == 20
    assert response.context["page"].paginator.count == 25
    assert re.search(r'data-testid="list-total">[^<]*25[^<]*<', response.content.decode())
    second = c.get(LIST, {"sort": "-amount", "page": 2})
    assert row_names(second) == ["客户04", "客户03", "客户02", "客户01", "客户00"]
    assert len(row_names(c.get(LIST, {"per_page": 50}))) == 25
    # The header link of the column sorted going up turns the order round.
    html = c.get(LIST, {"sort": "name"}).content.decode()
    assert 'href="?sort=-name"' in html and 'class="table-sort text-decoration-none asc"' in html


def test_money_right_aligned_choices_and_fk_by_label(client, seller):
    customer(seller, "北京科技", amount=Decimal("1234567.5"), status="deal")
    ColumnPreference.objects.create(user=seller, list_key="customers.customer",
                                    columns=["name", "status", "owner", "amount"], frozen=1, per_page=20)
    html = logged_in(client, seller).get(LIST).content.decode()
    assert str(Customer.Status.DEAL.label) in html
    assert re.search(r'<td class="text-end zg-num">1,234,567\.50</td>', html)
    assert f"<td class=\"\">{seller}</td>" in html


def test_list_query_count_does_not_grow_with_rows(client, seller, django_assert_max_num_queries):
    c = logged_in(client, seller)
    CustomField.objects.create(module=MODULE, code="buyer", label="采购人", type="user")
    # "parent" and "category" are not in the UI's select_related: the list adds shown foreign keys itself.
    ColumnPreference.objects.create(user=seller, list_key="customers.customer", per_page=50,
                                    columns=["name", "level", "owner", "department", "parent", "category", "custom.buyer"])
    group = customer(seller, "集团", custom={"buyer": seller.pk})
    with django_assert_max_num_queries(30) as few:
        c.get(LIST)
    for i in range(40):
        customer(seller, f"客户{i}", custom={"buyer": seller.pk}, parent=group)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = c.get(LIST)
    assert len(row_names(response)) == 41


def test_saved_filters_own_and_shared_only(client, seller, colleague):
    third = make_user("third", department=seller.department, roles=[make_role("s3", grants=full_grants(MODULE, Scope.OWN))])
    definition = {"op": "and", "rules": [{"field": "name", "operator": "contains", "value": "北京"}]}
    SavedFilter.objects.create(owner=colleague, list_key="customers.customer", name="同事共享", definition=definition, shared=True)
    SavedFilter.objects.create(owner=colleague, list_key="customers.customer", name="同事私有", definition=definition)
    SavedFilter.objects.create(owner=third, list_key="customers.contact", name="别的列表", definition=definition, shared=True)
    c = logged_in(client, seller)
    response = c.post(LIST, {"action": "save_filter", "name": "我的北京", "f": json.dumps(definition), "next": LIST + "?q=x"})
    assert response.status_code == 302 and response["Location"] == LIST + "?q=x"
    mine = SavedFilter.objects.get(owner=seller)
    assert mine.name == "我的北京" and mine.definition == definition and not mine.shared
    html = c.get(LIST).content.decode()
    assert "我的北京" in html and "同事共享" in html
    assert "同事私有" not in html and "别的列表" not in html
    # Sharing and deleting work on one's own filters only.
    c.post(LIST, {"action": "share_filter", "id": mine.pk, "shared": "1"})
    assert SavedFilter.objects.get(pk=mine.pk).shared
    theirs = SavedFilter.objects.get(name="同事共享")
    assert c.post(LIST, {"action": "delete_filter", "id": theirs.pk}).status_code == 404
    assert c.post(LIST, {"action": "share_filter", "id": theirs.pk, "shared": "0"}).status_code == 404
    assert SavedFilter.objects.get(pk=theirs.pk).shared
    c.post(LIST, {"action": "delete_filter", "id": mine.pk})
    assert not SavedFilter.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("payload", [
    {"name": "坏的", "f": "{oops"},
    {"name": "坏的", "f": f({"field": "nope", "operator": "eq", "value": "1"})},
    {"name": "坏的", "f": f({"field": "phone", "operator": "contains", "value": "1"})},  # hidden
    {"name": "", "f": f({"field": "name", "operator": "contains", "value": "北"})},
    {"name": "坏的", "f": f()},
])
def test_bad_saved_filter_is_refused_and_nothing_saved(client, seller, payload):
    FieldRule.objects.create(role=seller.roles.get(), module=MODULE, field="phone", mode="hidden")
    response = logged_in(client, seller).post(LIST, {"action": "save_filter", **payload})
    assert response.status_code == 400
    assert not SavedFilter.objects.exists()


def test_saving_under_the_same_name_replaces(client, seller):
    c = logged_in(client, seller)
    for value in ("北京", "上海"):
        c.post(LIST, {"action": "save_filter", "name": "城市", "f": f({"field": "name", "operator": "contains", "value": value})})
    saved = SavedFilter.objects.get(owner=seller)
    assert saved.definition["rules"][0]["value"] == "上海"


def test_column_preferences(client, seller):
    customer(seller, "北京科技", phone="010-77", code="KH-001")
    c = logged_in(client, seller)
    response = c.post(LIST, {"action": "columns", "cols": ["phone", "name"], "frozen": "2", "per_page": "50"})
    assert response.status_code == 302
    pref = ColumnPreference.objects.get(user=seller)
    assert (pref.columns, pref.frozen, pref.per_page) == (["phone", "name"], 2, 50)
    html = c.get(LIST).content.decode()
    headers = re.findall(r'<th class="[^"]*" data-col="([^"]+)"', html)
    assert headers == ["phone", "name"]
    assert 'data-frozen="2"' in html and "KH-001" not in html
    # Other users keep their own columns.
    other = make_user("other", roles=[make_role("o", grants=full_grants(MODULE, Scope.OWN))])
    assert ColumnPreference.objects.filter(user=other).count() == 0
    c.post(LIST, {"action": "reset_columns"})
    assert not ColumnPreference.objects.filter(user=seller).exists()


@pytest.mark.parametrize("payload", [
    {"cols": ["name", "password"], "frozen": "1", "per_page": "20"},
    {"cols": ["name", "phone"], "frozen": "1", "per_page": "20"},   # phone is hidden for this user
    {"cols": [], "frozen": "1", "per_page": "20"},
    {"cols": ["name"], "frozen": "9", "per_page": "20"},
    {"cols": ["name"], "frozen": "1", "per_page": "7"},
    {"cols": ["name"], "frozen": "x", "per_page": "20"},
])
def test_bad_column_preferences_are_refused(client, seller, payload):
    FieldRule.objects.create(role=seller.roles.get(), module=MODULE, field="phone", mode="hidden")
    response = logged_in(client, seller).post(LIST, {"action": "columns", **payload})
    assert response.status_code == 400
    assert not ColumnPreference.objects.exists()


def test_contact_list_follows_its_customer_scope(client, seller, colleague):
    mine = customer(seller, "北京科技")
    theirs = customer(colleague, "别人的公司")
    Contact.objects.create(customer=mine, name="张三", owner=seller, created_by=seller)
    Contact.objects.create(customer=theirs, name="李四", owner=colleague, created_by=colleague)
    c = logged_in(client, seller)
    html = c.get(reverse("customers:contact_list")).content.decode()
    assert "张三" in html and "李四" not in html
    # The FK column shows the customer by name, and filtering by it uses the id.
    filtered = c.get(reverse("customers:contact_list"),
                     {"f": f({"field": "customer", "operator": "eq", "value": mine.pk})}).content.decode()
    assert "张三" in filtered and "北京科技" in filtered


def test_module_batch_buttons_follow_permission_and_installed_pages(client, dept, seller, monkeypatch):
    from customers.ui import CustomerUI

    monkeypatch.setattr(CustomerUI, "batch_buttons", [
        {"url_name": "customers:customer_print", "icon": "printer", "label": "额外按钮", "needs": "delete"},
        {"url_name": "customers:no_such_page", "icon": "x", "label": "未安装", "needs": "read"},
    ])
    customer(seller, "北京科技")
    html = logged_in(client, seller).get(LIST).content.decode()
    assert f'data-zg-batch-link="{reverse("customers:customer_print")}"' in html and "额外按钮" in html
    assert "未安装" not in html
    reader = make_user("reader", department=dept, roles=[make_role("r", grants={MODULE: {"read": Scope.ALL}})])
    client.force_login(reader)
    assert "额外按钮" not in client.get(LIST).content.decode()
