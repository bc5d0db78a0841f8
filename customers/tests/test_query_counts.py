"""Pinned SQL query counts of the hot customer pages: a change that adds a query per request (or per
row) fails here first. Transaction control (savepoints) is not counted. The counts are the same for
5 rows and for 30, so nothing is fetched row by row.

Where the queries go (list page): session; user with department; the user's roles with their grants,
field rules and address lists in one query (core.access, also read by the org middleware; the security
policy is cached per process); custom fields, column preference; total, rows, saved filters; unread
notifications. The filter builder's user and related-record options are fetched when a field is picked
(``?choices=``), and the assign/share dialogs' people when a dialog opens (core:recipients), not with
the page.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import LookupItem
from customers.models import Contact, Customer, FollowUp

from .customer_world import create, make_world

pytestmark = pytest.mark.django_db

LIST_QUERIES = 10
API_QUERIES = 7
# Token: the token with its user and department; roles with the subtree's departments; shares; total;
# rows; tags and collaborators (one statement for both link tables). The custom field definitions are
# read only when a row has custom values.
API_TOKEN_QUERIES = 6
DETAIL_360_QUERIES = 10


def counted(client, url: str) -> int:
    client.get(url)  # the first request of a session creates it; later ones are the steady state
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")
    queries = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(skip)]
    return Counted(len(queries), queries)


class Counted(int):
    """A query count whose repr lists the queries, so a failing pin says what was added."""

    def __new__(cls, value: int, queries: list[str]):
        obj = super().__new__(cls, value)
        obj.queries = queries
        return obj

    def __repr__(self):
        return f"{int(self)} queries:\n" + "\n".join(q[:300] for q in self.queries)


@pytest.fixture
def world():
    return make_world()


def fill(world, n: int) -> Customer:
    first = None
    for i in range(n):
        customer = create(world.alice, f"北京华盛电子{i}有限公司", phone=f"139{i:08d}")
        Contact.objects.create(customer=customer, name=f"联系人{i}", owner=world.alice, department=world.north,
                               created_by=world.alice)
        FollowUp.objects.create(customer=customer, content="电话沟通", owner=world.alice, department=world.north,
                                created_by=world.alice)
        first = first or customer
    return first


@pytest.mark.parametrize("rows", [5, 30])
def test_list_page_query_count(client, world, rows):
    fill(world, rows)
    client.force_login(world.manager)
    assert counted(client, reverse("customers:customer_list")) == LIST_QUERIES
    assert counted(client, reverse("customers:customer_list") + "?q=bjhs") == LIST_QUERIES


def test_list_rows_load_only_what_the_page_shows(client, world):
    """The row query reads the shown columns and, of an owner, what its name is made of: no notes, no
    search keys, and never an owner's password hash. The cells still read right."""
    fill(world, 3)
    client.force_login(world.manager)
    count = counted(client, reverse("customers:customer_list"))
    rows_sql = next(q for q in count.queries if q.startswith('SELECT "customers_customer"."id"') and "LIMIT" in q)
    for column in ('"customers_customer"."notes"', '"customers_customer"."search_text"', '"org_user"."password"',
                   '"org_user"."totp_secret"'):
        assert column not in rows_sql
    assert '"customers_customer"."name"' in rows_sql and '"org_user"."last_name"' in rows_sql
    page = client.get(reverse("customers:customer_list")).content.decode()
    assert "北京华盛电子2有限公司" in page and str(world.alice) in page


@pytest.mark.parametrize("rows", [5, 30])
def test_api_list_query_count(client, world, rows):
    fill(world, rows)
    client.force_login(world.manager)
    assert counted(client, "/api/v1/customers/?page_size=50") == API_QUERIES


@pytest.mark.parametrize("rows", [5, 30])
def test_api_list_with_a_token_reads_token_and_roles_once(client, world, rows):
    from rest_framework.authtoken.models import Token

    fill(world, rows)
    key = Token.objects.create(user=world.manager).key
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    count = counted(client, "/api/v1/customers/?page_size=50")
    assert count == API_TOKEN_QUERIES
    assert sum("authtoken_token" in q for q in count.queries) == 1
    assert sum('"org_role"' in q for q in count.queries) == 1


@pytest.mark.parametrize("rows", [5, 30])
def test_360_page_query_count(client, world, rows):
    customer = fill(world, rows)
    client.force_login(world.alice)
    assert counted(client, reverse("customers:customer_360", args=[customer.pk])) == DETAIL_360_QUERIES


def test_360_page_reads_reference_data_in_batches(client, world):
    """Nine lookups, regions and a category on the customer: three queries more, not one per field."""
    from core.basedata import ensure_default_lookups
    from customers.models import CustomerCategory, Region

    kinds = {"type": "customer_type", "level": "customer_level", "industry": "industry", "source": "customer_source",
             "relationship": "relationship", "size": "company_size"}
    ensure_default_lookups(list(kinds.values()))
    items = {field: LookupItem.objects.filter(kind=kind).order_by("sort", "id").first() for field, kind in kinds.items()}
    district = Region.objects.filter(level=3).select_related("parent__parent").first()
    customer = fill(world, 1)
    Customer.objects.filter(pk=customer.pk).update(
        **items, category=CustomerCategory.objects.create(name="重点行业"), district=district,
        city=district.parent, province=district.parent.parent)
    client.force_login(world.alice)
    assert counted(client, reverse("customers:customer_360", args=[customer.pk])) == DETAIL_360_QUERIES + 3
    page = client.get(reverse("customers:customer_360", args=[customer.pk])).content.decode()
    for shown in [*(str(item) for item in items.values()), "重点行业", district.name, district.parent.parent.name]:
        assert shown in page, shown


def test_out_of_scope_user_sees_nothing_at_the_same_cost(client, world):
    customer = fill(world, 5)
    client.force_login(world.bob)
    response = client.get("/api/v1/customers/?page_size=50")
    assert response.json()["count"] == 0
    assert client.get(reverse("customers:customer_360", args=[customer.pk])).status_code == 404
