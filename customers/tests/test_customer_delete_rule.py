"""A customer that later modules say is in use cannot be deleted — in the UI, the API and batches."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditLog
from customers import services
from customers.models import Customer
from customers.usage import register_usage_check, unregister_usage_check, usage_reasons

from .customer_world import api, create, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def open_balance():
    """What the finance module will register: a customer with a balance other than zero is in use."""
    balances = {}

    def check(customer):
        amount = balances.get(customer.pk)
        return f"应收余额 {amount} 元未结清" if amount else None

    register_usage_check(check)
    yield balances
    unregister_usage_check(check)


def test_usage_check_blocks_delete_everywhere(world, open_balance, client):
    row = create(world.alice, "欠款客户")
    free = create(world.alice, "无欠款客户")
    open_balance[row.pk] = "1200.00"
    assert usage_reasons(row) == ["应收余额 1200.00 元未结清"]
    with pytest.raises(ValidationError) as info:
        services.customer_delete(actor=world.alice, instance=row)
    assert "1200.00" in str(info.value)
    client.force_login(world.alice)
    page = client.post(reverse("customers:customer_delete", args=[row.pk]))
    assert page.status_code == 400 and "1200.00" in page.content.decode()
    response = api(world.alice).delete(f"/api/v1/customers/{row.pk}/")
    assert response.status_code == 400 and "1200.00" in response.json()["error"]["message"]
    response = api(world.alice).post("/api/v1/customers/batch-delete/", {"ids": [free.pk, row.pk]}, format="json")
    assert response.status_code == 400
    assert Customer.objects.count() == 2 and not AuditLog.objects.filter(action="delete").exists()
    # Settled: now it may go to the recycle bin.
    open_balance[row.pk] = None
    services.customer_delete(actor=world.alice, instance=row)
    assert Customer.all_objects.get(pk=row.pk).deleted_at is not None


def test_without_checks_delete_works_and_out_of_scope_is_not_found(world):
    row = create(world.bob, "南区客户")
    response = api(world.alice).delete(f"/api/v1/customers/{row.pk}/")
    assert response.status_code == 404 and Customer.objects.filter(pk=row.pk).exists()
    assert api(world.bob).delete(f"/api/v1/customers/{row.pk}/").status_code == 204
