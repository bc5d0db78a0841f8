"""The API's per-serializer output plan gives exactly DRF's own output, and the per-request caches
(roles and grants in one query, the security policy) keep the gate's answers and see changes."""

import pytest
from django.test import RequestFactory
from rest_framework import serializers as drf

from core import access
from core.api.serializers import _PROTOTYPES
from customers.api.serializers import CustomerSerializer
from customers.api.views_contacts import ContactSerializer
from customers.models import Customer, Tag
from org.models import FieldRule, SecurityPolicy

from .customer_world import api, create, make_world

pytestmark = pytest.mark.django_db


def _serializer(user, **kwargs):
    request = RequestFactory().get("/api/v1/customers/")
    request.user = user
    return CustomerSerializer(context={"request": request}, **kwargs)


def test_fast_output_equals_drf_output_row_by_row():
    world = make_world()
    red, blue = Tag.objects.create(name="重点"), Tag.objects.create(name="老客户")
    first = create(world.alice, "北京华盛电子有限公司", phone="13900000001")
    first.tags.set([red, blue])
    first.collaborators.set([world.bob])
    create(world.alice, "上海东方贸易有限公司")  # no tags, no phone
    rows = access.visible_to(world.manager, "read", Customer).prefetch_related("tags", "collaborators").order_by("id")
    serializer = _serializer(world.manager)
    fast = [serializer.to_representation(row) for row in rows]
    slow = [drf.ModelSerializer.to_representation(serializer, row) for row in rows]
    assert fast == slow
    assert sorted(fast[0]["tags"]) == sorted([red.pk, blue.pk]) and fast[0]["collaborators"] == [world.bob.pk]
    assert fast[0]["owner"] == world.alice.pk and fast[1]["phone"] == ""
    # Without a prefetch (one record) the lists come through DRF's own path, still the same.
    assert _serializer(world.manager).to_representation(Customer.objects.get(pk=first.pk)) == fast[0]


def test_hidden_field_is_absent_and_write_links_stay_gated():
    world = make_world()
    FieldRule.objects.create(role=world.manager.roles.get(), module="customers.customer", field="phone", mode="hidden")
    customer = create(world.alice, "北京华盛电子有限公司", phone="13900000001")
    data = api(world.manager).get("/api/v1/customers/?page_size=50").json()["results"]
    assert data and all("phone" not in row for row in data)
    # A link to a gated record is still limited to what the user may read when a write validates it.
    request = RequestFactory().post("/api/v1/contacts/")
    request.user = world.bob
    serializer = ContactSerializer(data={"customer": customer.pk, "name": "张三"}, context={"request": request})
    assert not serializer.fields["customer"].get_queryset().filter(pk=customer.pk).exists()
    assert not serializer.is_valid() and "customer" in serializer.errors
    request.user = world.alice
    serializer = ContactSerializer(data={"customer": customer.pk, "name": "张三"}, context={"request": request})
    assert serializer.fields["customer"].get_queryset().filter(pk=customer.pk).exists()
    # Each serializer's link field is a copy of its own: Alice's rows did not become Bob's, nor the reverse.
    request.user = world.bob
    serializer = ContactSerializer(data={"customer": customer.pk, "name": "张三"}, context={"request": request})
    assert not serializer.fields["customer"].get_queryset().filter(pk=customer.pk).exists()
    assert "get_queryset" not in vars(_PROTOTYPES[ContactSerializer]["customer"])


def test_roles_grants_and_field_rules_come_from_one_query(django_assert_num_queries):
    world = make_world()
    user = type(world.alice).objects.get(pk=world.alice.pk)
    with django_assert_num_queries(1):
        assert access.can(user, "read", Customer)
        assert access.hidden_fields(user, Customer) == set()
        assert access.role_allowlists(user) == [""]
    assert not access.can(world.nobody, "read", Customer)
    assert access.role_allowlists(world.nobody) == []


def test_policy_is_cached_until_saved(django_assert_num_queries):
    SecurityPolicy.current()
    with django_assert_num_queries(0):
        assert SecurityPolicy.current().lockout_after == 5
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"lockout_after": 9})
    assert SecurityPolicy.current().lockout_after == 9


def test_out_of_scope_user_sees_nothing_through_the_fast_path():
    world = make_world()
    create(world.alice, "北京华盛电子有限公司")
    assert api(world.nobody).get("/api/v1/customers/").status_code in (403, 200)
    response = api(world.bob).get("/api/v1/customers/?page_size=50")
    assert response.json()["count"] == 0 and response.json()["results"] == []


def test_policy_saved_in_a_rolled_back_savepoint_is_forgotten():
    from django.db import transaction

    SecurityPolicy.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        SecurityPolicy.objects.update_or_create(pk=1, defaults={"lockout_after": 7})
        assert SecurityPolicy.current().lockout_after == 7  # the saving transaction sees its change
        raise RuntimeError
    assert SecurityPolicy.current().lockout_after == 5


def test_list_rows_read_as_values_equal_each_records_own_page():
    """A list page is read with values() and no model instances; each of its rows is what the
    record's own page answers (tags, collaborators, custom values, money, times and hidden fields)."""
    from decimal import Decimal

    from core.models import CustomField

    world = make_world()
    CustomField.objects.create(module="customers.customer", code="budget", label="预算", type="money")
    CustomField.objects.create(module="customers.customer", code="secret", label="底价", type="number")
    FieldRule.objects.create(role=world.manager.roles.get(), module="customers.customer", field="custom.secret", mode="hidden")
    FieldRule.objects.create(role=world.manager.roles.get(), module="customers.customer", field="credit_code", mode="hidden")
    red, blue = Tag.objects.create(name="重点"), Tag.objects.create(name="老客户")
    first = create(world.alice, "北京华盛电子有限公司", phone="13900000001")
    first.tags.set([blue, red])
    first.collaborators.set([world.bob])
    Customer.objects.filter(pk=first.pk).update(amount=Decimal("1234.5"), custom={"budget": "12.50", "secret": 7})
    create(world.bob, "上海东方贸易有限公司")
    client = api(world.manager)
    page = client.get("/api/v1/customers/?page_size=50&ordering=id").json()["results"]
    assert [row["id"] for row in page] == sorted(row["id"] for row in page) and len(page) == 2
    for row in page:
        assert row == client.get(f"/api/v1/customers/{row['id']}/").json()
    assert page[0]["amount"] == "1234.50" and page[0]["custom"] == {"budget": "12.50"}
    assert "credit_code" not in page[0] and page[0]["collaborators"] == [world.bob.pk]
    assert sorted(page[0]["tags"]) == sorted([red.pk, blue.pk])


def test_value_columns_only_when_every_field_is_a_column():
    from core.api.serializers import value_columns

    class WithMethod(CustomerSerializer):
        label = drf.SerializerMethodField()

        class Meta(CustomerSerializer.Meta):
            fields = [*CustomerSerializer.Meta.fields, "label"]

        def get_label(self, obj) -> str:
            return obj.name

    world = make_world()
    request = RequestFactory().get("/api/v1/customers/")
    request.user = world.manager
    columns = value_columns(CustomerSerializer(context={"request": request}))
    assert columns[0] == "id" and {"name", "owner_id", "custom", "amount"} <= set(columns)
    assert "tags" not in columns and "search_text" not in columns
    assert value_columns(WithMethod(context={"request": request})) is None
