"""The filter builder's database-backed options are fetched per field (``?choices=``), not with the page."""

import json
import re

import pytest
from django.urls import reverse

from core.lists.fields import allowed_fields
from customers.models import Customer
from customers.ui import CustomerUI
from org.models import FieldRule

from .customer_world import make_world

pytestmark = pytest.mark.django_db
LIST = "customers:customer_list"


def _fields(html: str) -> dict:
    block = re.search(r'<script[^>]*id="zg-filter-fields"[^>]*>(.*?)</script>', html, re.S).group(1)
    return {f["name"]: f for f in json.loads(block)}


def test_page_leaves_database_options_out_and_the_field_url_gives_them(client):
    world = make_world()
    client.force_login(world.manager)
    fields = _fields(client.get(reverse(LIST)).content.decode())
    assert fields["owner"]["choices"] is None and fields["owner"]["choices_lazy"] is True
    assert fields["status"]["choices"] and "choices_lazy" not in fields["status"]  # fixed lists stay inline
    data = client.get(reverse(LIST), {"choices": "owner"}).json()
    assert [str(world.alice.pk), str(world.alice)] in data["choices"]


def test_every_lazy_field_answers_what_the_gate_allows(client):
    """The endpoint gives each field the same options the page used to carry (access-gated for
    business records, see core/tests/test_lists_filters.py)."""
    world = make_world()
    client.force_login(world.alice)
    fields = _fields(client.get(reverse(LIST)).content.decode())
    lazy = [name for name, f in fields.items() if f.get("choices_lazy")]
    assert {"owner", "level", "department"} <= set(lazy)
    expected = {f.name: f.choices for f in allowed_fields(CustomerUI, world.alice)}
    for name in lazy:
        got = client.get(reverse(LIST), {"choices": name}).json()["choices"]
        assert [tuple(c) for c in got] == expected[name], name


def test_hidden_unknown_and_out_of_scope_fields_answer_nothing(client):
    world = make_world()
    FieldRule.objects.create(role=world.alice.roles.get(), module="customers.customer", field="owner", mode="hidden")
    client.force_login(world.alice)
    assert client.get(reverse(LIST), {"choices": "owner"}).status_code == 404
    assert client.get(reverse(LIST), {"choices": "nonsense"}).status_code == 404
    assert client.get(reverse(LIST), {"choices": "name"}).status_code == 404  # free input has no options
    client.force_login(world.nobody)  # no grant on customers at all
    assert client.get(reverse(LIST), {"choices": "owner"}).status_code == 403
    assert Customer.objects.count() == 0
