"""The assign and share dialogs of a list fetch their options when opened (core:recipients): working
users (with their department) and active departments, only for someone who may assign or share that
model's records; the list page itself no longer carries them."""

import pytest
from django.urls import reverse

from core.testing import full_grants, make_department, make_role, make_user
from org.models import Scope, User

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"
URL = reverse("core:recipients")


@pytest.fixture
def people():
    sales = make_department("销售部")
    closed = make_department("旧部门")
    closed.active = False
    closed.save()
    may = make_role("may", grants=full_grants(MODULE, Scope.OWN, actions=["read", "assign", "share"]))
    reader = make_role("reader", grants=full_grants(MODULE, Scope.ALL, actions=["read"]))
    boss = make_user("boss", department=sales, roles=[may], first_name="总", last_name="王")
    make_user("gone", department=sales, status=User.Status.LEFT)
    make_user("off", department=sales, is_active=False)
    return {"boss": boss, "reader": make_user("reader", department=sales, roles=[reader]), "sales": sales,
            "closed": closed}


def test_users_and_departments_for_someone_who_may_assign_and_share(client, people):
    client.force_login(people["boss"])
    users = client.get(URL, {"model": MODULE, "for": "assign"})
    assert users.status_code == 200
    html = users.content.decode()
    assert f'value="{people["boss"].pk}"' in html and "销售部" in html
    assert "gone" not in html and "off" not in html  # left or disabled accounts are no recipients
    sharing = client.get(URL, {"model": MODULE, "for": "share"}).content.decode()
    assert f'value="{people["boss"].pk}"' not in sharing  # no share with yourself
    departments = client.get(URL, {"model": MODULE, "for": "share", "what": "departments"}).content.decode()
    assert f'value="{people["sales"].pk}"' in departments and "旧部门" not in departments


@pytest.mark.parametrize("params", [
    {"model": MODULE, "for": "assign"}, {"model": MODULE, "for": "share"},
    {"model": MODULE, "for": "share", "what": "departments"},
])
def test_someone_who_may_not_assign_or_share_gets_nothing(client, people, params):
    client.force_login(people["reader"])
    response = client.get(URL, params)
    assert response.status_code == 404 and b"<option" not in response.content


@pytest.mark.parametrize("params", [
    {"model": "customers.nothing", "for": "assign"}, {"model": "org.user", "for": "assign"},
    {"model": MODULE, "for": "delete"}, {"model": "", "for": "assign"},
    {"model": MODULE, "for": "assign", "what": "departments"},
])
def test_unknown_models_and_actions_are_not_found(client, people, params):
    client.force_login(people["boss"])
    assert client.get(URL, params).status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(client, people):
    response = client.get(URL, {"model": MODULE, "for": "assign"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_page_asks_for_them_when_a_dialog_opens(client, people):
    client.force_login(people["boss"])
    html = client.get(reverse("customers:customer_list")).content.decode()
    assert 'hx-trigger="show.bs.modal from:#zg-assign-modal once"' in html
    assert "总" not in html.split('id="zg-assign-owner"')[1].split("</select>")[0]


def test_a_detail_pages_share_card_fetches_its_options_after_the_page(client, people):
    """The share card of a record asks core:recipients once the page is there; the page itself carries no
    person or department, and its queries do not grow with the number of people."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.models import Customer

    boss = people["boss"]
    customer = Customer.objects.create(name="华盛电子", owner=boss, department=boss.department, created_by=boss)
    client.force_login(boss)
    url = reverse("customers:customer_detail", args=[customer.pk])
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    before, html = queries()
    card = html.split('id="share-users"')[1].split("</select>")[0]
    assert "<option" not in card and 'hx-trigger="load"' in card
    assert f'{URL}?model={MODULE}&amp;for=share"' in card
    for i in range(5):
        make_user(f"more{i}", department=people["sales"])
    assert queries()[0] == before
