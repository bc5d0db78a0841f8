"""Related-record choosers: forms render only the chosen option; suggestions come through the gate."""

import pytest
from django.urls import reverse

from customers.models import Customer
from customers.tests.customer_world import create, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def suggestions(client, user, key="customers.customer", **params):
    client.force_login(user)
    response = client.get(reverse("core:autocomplete", args=[key]), params)
    return response


def test_suggestions_are_searched_through_the_gate(world, client):
    mine = create(world.alice, "北京科技有限公司")
    create(world.alice, "上海贸易有限公司")
    theirs = create(world.bob, "北京科技发展有限公司")
    reply = suggestions(client, world.alice, q="bjkj")
    assert reply.status_code == 200
    assert [row["value"] for row in reply.json()["results"]] == [mine.pk]
    assert reply.json()["results"][0]["text"] == "北京科技有限公司"
    # The manager sees both departments; bob never sees alice's customer.
    assert {r["value"] for r in suggestions(client, world.manager, q="北京").json()["results"]} == {mine.pk, theirs.pk}
    assert [r["value"] for r in suggestions(client, world.bob, q="北京").json()["results"]] == [theirs.pk]


def test_no_read_grant_or_unknown_model_is_not_found(world, client):
    create(world.alice, "北京科技有限公司")
    assert suggestions(client, world.nobody, q="北京").status_code == 404
    assert suggestions(client, world.alice, key="org.user").status_code == 404
    assert suggestions(client, world.alice, key="nothing.here").status_code == 404


def test_forms_render_only_the_chosen_customer(world, client):
    chosen = create(world.alice, "北京科技有限公司")
    for n in range(5):
        create(world.alice, f"客户{n}号")
    client.force_login(world.alice)
    page = client.get(reverse("customers:contact_create"), {"customer": chosen.pk}).content.decode()
    assert 'data-autocomplete="/autocomplete/customers.customer/"' in page
    assert "北京科技有限公司" in page
    assert "客户3号" not in page  # the other customers are not rendered as options
    # An edit form of a customer shows its parent company only.
    child = create(world.alice, "北京科技南京分公司", parent=chosen)
    page = client.get(reverse("customers:customer_update", args=[child.pk])).content.decode()
    assert "北京科技有限公司" in page and "客户3号" not in page


def test_a_customer_outside_the_scope_cannot_be_chosen(world, client):
    theirs = create(world.bob, "北京科技发展有限公司")
    client.force_login(world.alice)
    before = Customer.objects.count()
    response = client.post(reverse("customers:contact_create"), {"customer": theirs.pk, "name": "张伟"})
    assert response.status_code == 400  # the form again, with the error
    assert "北京科技发展有限公司" not in response.content.decode()
    assert theirs.contacts.count() == 0 and Customer.objects.count() == before
