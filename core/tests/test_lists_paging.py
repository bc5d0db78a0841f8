"""Deep pages by cursor (seek) and marked estimates of large totals (core.lists.paging)."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from core.lists import paging
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"
LIST = reverse("customers:customer_list")


@pytest.fixture
def world():
    dept = make_department("销售一部")
    role = make_role("sales", grants=full_grants(MODULE, Scope.OWN))
    seller = make_user("seller", department=dept, roles=[role])
    other = make_user("other", department=dept, roles=[role])
    mine = [Customer(name=f"客户{i:03d}", owner=seller, department=dept, created_by=seller,
                     amount=i % 7) for i in range(95)]
    theirs = [Customer(name=f"别人{i:03d}", owner=other, department=dept, created_by=other) for i in range(30)]
    Customer.objects.bulk_create(mine + theirs)
    return seller, other


def names(response) -> list[str]:
    return re.findall(r'<a href="/customers/customer/\d+/">([^<]*)</a>', response.content.decode())


def next_link(response) -> str:
    match = re.search(r'href="\?([^"]*)" hx-get="[^"]*" aria-label="Next page"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else ""


def walk(client, url: str) -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(names(response))
        query = next_link(response)
        url = f"{LIST}?{query}" if query else ""
    return pages


@pytest.mark.parametrize("sort", ["", "name", "-amount"])
def test_cursor_pages_show_the_same_rows_as_numbered_pages(client, world, monkeypatch, sort):
    seller, _other = world
    client.force_login(seller)
    base = f"{LIST}?per_page=20" + (f"&sort={sort}" if sort else "")
    by_number = [names(client.get(f"{base}&page={n}")) for n in range(1, 6)]
    monkeypatch.setattr(paging, "OFFSET_LIMIT", 20)  # cursors from page 3 on
    by_cursor = walk(client, base)
    assert by_cursor == by_number
    assert sum(len(p) for p in by_cursor) == 95
    assert not any(n.startswith("别人") for p in by_cursor for n in p)


def test_deep_links_carry_a_cursor_and_going_back_returns_the_same_page(client, world, monkeypatch):
    seller, _other = world
    monkeypatch.setattr(paging, "OFFSET_LIMIT", 20)
    client.force_login(seller)
    page2 = client.get(f"{LIST}?per_page=20&page=2")
    to_page3 = next_link(page2)
    assert "after=" in to_page3 and to_page3.endswith("page=3")
    page3 = client.get(f"{LIST}?{to_page3}")
    assert names(page3) == names(client.get(f"{LIST}?per_page=20&page=3"))
    page4 = client.get(f"{LIST}?{next_link(page3)}")
    back = re.search(r'href="\?([^"]*)" hx-get="[^"]*" aria-label="Previous page"', page4.content.decode()).group(1)
    assert "before=" in back
    assert names(client.get(f"{LIST}?{back.replace('&amp;', '&')}")) == names(page3)


def test_a_cursor_never_reaches_rows_outside_the_scope(client, world):
    seller, other = world
    client.force_login(other)
    top = Customer.objects.filter(owner=seller).order_by("-id").first()
    cursor = paging.SortKeys.of(Customer.objects.order_by("-id")).encode(top)
    response = client.get(f"{LIST}?after={cursor}&page=2")
    assert response.status_code == 200
    assert all(n.startswith("别人") for n in names(response))


def test_a_broken_cursor_falls_back_to_the_page_number(client, world):
    seller, _other = world
    client.force_login(seller)
    plain = names(client.get(f"{LIST}?per_page=20&page=2"))
    for junk in ("%%%", "bm90IGpzb24", "WzEsMiwzXQ", "x" * 900):
        response = client.get(f"{LIST}?per_page=20&page=2&after={junk}")
        assert response.status_code == 200
        assert names(response) == plain


def test_sorts_by_related_fields_keep_numbered_pages(client, world, monkeypatch):
    seller, _other = world
    monkeypatch.setattr(paging, "OFFSET_LIMIT", 0)
    client.force_login(seller)
    response = client.get(f"{LIST}?per_page=20&sort=owner")
    assert next_link(response).endswith("page=2") and "after=" not in next_link(response)


def test_small_totals_are_exact_and_not_marked(client, world):
    seller, _other = world
    client.force_login(seller)
    response = client.get(LIST)
    assert response.context["page"].paginator.count == 95
    assert response.context["total_estimated"] is False
    assert "of about" not in response.content.decode()


@pytest.mark.postgres
def test_large_totals_are_estimated_and_marked_on_postgresql(client, world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    seller, _other = world
    monkeypatch.setattr(paging, "EXACT_LIMIT", 50)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    client.force_login(seller)
    response = client.get(LIST)
    assert response.context["total_estimated"] is True
    assert response.context["page"].paginator.count > 50
    assert "of about" in response.content.decode()
    api = client.get("/api/v1/customers/")
    assert api["X-Count-Estimated"] == "true"


def test_a_condition_no_row_meets_counts_zero():
    from core.lists.paging import count_rows
    from core.models import SavedFilter

    assert count_rows(SavedFilter.objects.filter(pk__in=[])) == (0, False)
    assert count_rows(SavedFilter.objects.none()) == (0, False)


@pytest.mark.postgres
def test_an_estimate_is_asked_of_the_planner_once_a_minute(world, monkeypatch):
    """The planner's estimate follows the table's statistics, not each row: the same statement and
    values within a minute reuse it, while the bounded exact count runs every time."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from django.test.utils import CaptureQueriesContext

    seller, other = world
    monkeypatch.setattr(paging, "EXACT_LIMIT", 50)
    monkeypatch.setattr(paging, "_ESTIMATES", {})
    clock = [1000.0]
    monkeypatch.setattr(paging.time, "monotonic", lambda: clock[0])
    rows = Customer.objects.filter(owner=seller)

    def statements():
        with CaptureQueriesContext(connection) as ctx:
            total, estimated = paging.count_rows(rows)
        assert estimated and total >= 51
        return [q["sql"].split()[0] for q in ctx.captured_queries]

    assert statements() == ["SELECT", "EXPLAIN"]
    clock[0] += 59
    assert statements() == ["SELECT"]
    assert paging.count_rows(Customer.objects.filter(owner=other))[1] is False  # other values: their own count
    clock[0] += 2
    assert statements() == ["SELECT", "EXPLAIN"]
