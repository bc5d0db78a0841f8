"""Claim, release, transfer, limits and the gate's view of pool customers."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from core import access
from core import services as core_services
from core.models import AuditLog
from customers import dedup
from customers.models import Contact, Customer, CustomerAssignment
from customers.pools import selectors, services

from .pool_world import create, make_pools, make_world

pytestmark = pytest.mark.django_db
Kind = CustomerAssignment.Kind


@pytest.fixture
def world():
    return make_world()


def kinds(customer):
    return list(CustomerAssignment.objects.filter(customer=customer).order_by("at", "id").values_list("kind", flat=True))


def test_create_records_history_and_starts_the_clock(world):
    customer = create(world.alice, "甲公司")
    assert kinds(customer) == [Kind.CREATE]
    move = customer.assignments.get()
    assert move.to_owner == world.alice and move.to_department == world.north and move.actor == world.alice
    assert Customer.objects.get(pk=customer.pk).owned_since is not None


def test_release_puts_customer_in_nearest_pool_and_hides_it_from_its_owner(world):
    north, company = make_pools(world)
    customer = create(world.alice, "甲公司", phone="13812345678")
    Contact.objects.create(customer=customer, name="张三", mobile="13900001111", owner=world.alice,
                           department=world.north, created_by=world.alice)
    services.release(actor=world.alice, customer=customer, reason="没有需求")
    row = Customer.objects.get(pk=customer.pk)
    assert row.pool == north and row.owner is None and row.previous_owner == world.alice
    assert row.department == world.north and row.pool_entered_at is not None
    move = row.assignments.order_by("-id").first()
    assert move.kind == Kind.RELEASE and move.from_owner == world.alice and move.pool == north and move.reason == "没有需求"
    assert AuditLog.objects.filter(object_id=row.pk, action="assign").exists()
    # Creator and previous owner no longer reach it (nor its contacts) through the gate...
    assert not access.visible_to(world.alice, "read", Customer).filter(pk=row.pk).exists()
    assert not access.visible_to(world.alice, "read", Contact).filter(customer=row).exists()
    with pytest.raises(Http404):
        access.get_visible(world.alice, "read", Customer, pk=row.pk)
    # ...while the department-scoped manager still does.
    assert access.visible_to(world.manager, "read", Customer).filter(pk=row.pk).exists()
    # A pool member sees it in the pool; bob (南区) is not a member of the north pool.
    assert selectors.pool_customers(world.alice, north).filter(pk=row.pk).exists()
    assert not selectors.pool_customers(world.bob, north).exists()
    assert list(selectors.pools_for(world.bob)) == [company]


def test_release_needs_reason_and_update_scope(world):
    make_pools(world)
    customer = create(world.alice, "甲公司")
    with pytest.raises(ValidationError):
        services.release(actor=world.alice, customer=customer, reason="  ")
    with pytest.raises(Http404):
        services.release(actor=world.bob, customer=customer, reason="x")
    assert Customer.objects.get(pk=customer.pk).owner == world.alice
    assert kinds(customer) == [Kind.CREATE]


def test_release_without_any_pool_is_refused(world):
    customer = create(world.alice, "甲公司")
    with pytest.raises(ValidationError, match="No public pool"):
        services.release(actor=world.alice, customer=customer, reason="x")
    assert Customer.objects.get(pk=customer.pk).owner == world.alice


def test_customer_of_other_department_goes_to_company_pool(world):
    _north, company = make_pools(world)
    customer = create(world.bob, "乙公司")
    services.release(actor=world.bob, customer=customer, reason="x")
    assert Customer.objects.get(pk=customer.pk).pool == company


def test_claim_by_member_and_refusals_outside(world):
    north, _company = make_pools(world)
    customer = create(world.alice, "甲公司")
    services.release(actor=world.alice, customer=customer, reason="x")
    with pytest.raises(Http404):
        services.claim(actor=world.bob, customer_id=customer.pk)
    with pytest.raises(Http404):
        services.claim(actor=world.nobody, customer_id=customer.pk)
    carol = _north_user(world)
    claimed = services.claim(actor=carol, customer_id=customer.pk, reason="有意向")
    assert claimed.owner == carol and claimed.pool is None and claimed.department == world.north
    assert claimed.owned_since is not None and claimed.pool_warned_at is None
    assert kinds(customer) == [Kind.CREATE, Kind.RELEASE, Kind.CLAIM]
    assert customer.assignments.order_by("-id").first().pool == north
    # A second claim of the same customer: already claimed, nothing changes.
    with pytest.raises(ValidationError, match="already been claimed"):
        services.claim(actor=world.alice, customer_id=customer.pk)
    assert Customer.objects.get(pk=customer.pk).owner == carol


def _north_user(world, name="carol"):
    from core.testing import make_user

    return make_user(name, department=world.north, roles=list(world.alice.roles.all()))


def test_cooldown_refuses_previous_owner_with_date(world):
    make_pools(world, cooldown_days=7)
    customer = create(world.alice, "甲公司")
    services.release(actor=world.alice, customer=customer, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.claim(actor=world.alice, customer_id=customer.pk)
    allowed = timezone.localtime(timezone.now() + timedelta(days=7)).strftime("%Y-%m-%d")
    assert "claim it again from" in exc.value.messages[0] and allowed in exc.value.messages[0]
    assert Customer.objects.get(pk=customer.pk).owner is None
    # Someone else may claim it; after the cooldown the previous owner may too.
    CustomerAssignment.objects.filter(customer=customer, kind=Kind.RELEASE).update(at=timezone.now() - timedelta(days=8))
    assert services.claim(actor=world.alice, customer_id=customer.pk).owner == world.alice


def test_hold_limit_refuses_with_reason_and_changes_nothing(world):
    make_pools(world, hold_limit=2)
    carol = _north_user(world)
    create(carol, "丙一")
    create(carol, "丙二")
    customer = create(world.alice, "甲公司")
    services.release(actor=world.alice, customer=customer, reason="x")
    before = CustomerAssignment.objects.count()
    with pytest.raises(ValidationError, match="already hold 2 customers"):
        services.claim(actor=carol, customer_id=customer.pk)
    assert Customer.objects.get(pk=customer.pk).pool is not None
    assert CustomerAssignment.objects.count() == before


def test_daily_claim_limit(world):
    make_pools(world, daily_claim_limit=1)
    first, second = create(world.alice, "甲一"), create(world.alice, "甲二")
    services.release_many(actor=world.alice, customer_ids=[first.pk, second.pk], reason="x")
    carol = _north_user(world)
    result = services.claim_many(actor=carol, customer_ids=[first.pk, second.pk], reason="")
    assert [c.pk for c in result.done] == [first.pk]
    assert result.refused[0][0] == second.pk and "daily limit" in result.refused[0][1]
    assert Customer.objects.get(pk=second.pk).pool is not None
    # Yesterday's claims do not count.
    CustomerAssignment.objects.filter(kind=Kind.CLAIM).update(at=timezone.now() - timedelta(days=1, hours=1))
    assert services.claim(actor=carol, customer_id=second.pk).owner == carol


def test_transfer_and_assign_record_history(world, admin_user):
    north, _company = make_pools(world)
    customer = create(world.alice, "甲公司")
    with pytest.raises(Exception):  # noqa: B017 - bob has no assign scope on alice's customer
        services.transfer(actor=world.bob, customer_ids=[customer.pk], owner=world.bob)
    services.transfer(actor=world.manager, customer_ids=[customer.pk], owner=world.bob, reason="调整区域")
    move = customer.assignments.order_by("-id").first()
    assert move.kind == Kind.TRANSFER and move.from_owner == world.alice and move.to_owner == world.bob
    assert move.to_department == world.south and move.reason == "调整区域"
    # Assigning a pool customer takes it out of the pool (kind "assign": it had no owner).
    services.release(actor=world.bob, customer=customer, reason="x")
    core_services.assign_records(actor=admin_user, model=Customer, pks=[customer.pk], owner=world.alice)
    row = Customer.objects.get(pk=customer.pk)
    assert row.pool is None and row.owner == world.alice and row.owned_since is not None
    assert customer.assignments.order_by("-id").first().kind == Kind.ASSIGN


def test_transfer_to_disabled_user_refused(world):
    customer = create(world.alice, "甲公司")
    world.bob.is_active = False
    world.bob.save()
    with pytest.raises(ValidationError):
        services.transfer(actor=world.manager, customer_ids=[customer.pk], owner=world.bob)
    assert Customer.objects.get(pk=customer.pk).owner == world.alice


def test_leaving_user_customers_go_to_pool_or_colleague(world, admin_user):
    from org import services as org_services

    north, _company = make_pools(world)
    one = create(world.alice, "甲一")
    org_services.user_leave(actor=admin_user, user=world.alice, release_to_pool=True)
    row = Customer.objects.get(pk=one.pk)
    assert row.pool == north and row.assignments.order_by("-id").first().kind == Kind.LEAVE
    two = create(world.bob, "乙一")
    heir = _north_user(world, "heir")
    org_services.user_leave(actor=admin_user, user=world.bob, transfer_to=heir)
    move = two.assignments.order_by("-id").first()
    assert move.kind == Kind.LEAVE and move.to_owner == heir and Customer.objects.get(pk=two.pk).owner == heir


def test_duplicate_check_names_the_pool_without_details(world):
    make_pools(world)
    customer = create(world.alice, "甲公司", phone="13812345678")
    services.release(actor=world.alice, customer=customer, reason="x")
    matches = dedup.find_duplicates(user=world.alice, phone="13812345678")
    assert len(matches) == 1 and matches[0].pool == "北区公海" and not matches[0].visible
    data = matches[0].as_dict()
    assert "北区公海" in data["message"] and "甲公司" not in str(data) and "id" not in data


@pytest.mark.postgres
def test_two_claims_at_once_one_wins_on_postgres(transactional_db):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    world = make_world()
    make_pools(world)
    customer = create(world.alice, "甲公司")
    services.release(actor=world.alice, customer=customer, reason="x")
    people = [_north_user(world, f"rival{i}") for i in range(4)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def work(user) -> None:
        try:
            barrier.wait()
            services.claim(actor=user, customer_id=customer.pk)
            outcomes.append("won")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1
    assert all("already been claimed" in o for o in outcomes if o != "won")
    assert CustomerAssignment.objects.filter(customer=customer, kind=Kind.CLAIM).count() == 1


def test_gate_own_scope_needs_the_condition_but_shares_and_departments_do_not(world):
    """core.access own_only_if: creator/owner "own" is narrowed; shares and department scopes are unchanged."""
    north, _company = make_pools(world)
    customer = create(world.alice, "甲公司")
    core_services.share_records(actor=world.alice, model=Customer, pks=[customer.pk], users=[world.bob])
    services.release(actor=world.alice, customer=customer, reason="x")
    assert access.spec_for(Customer).own_only_if == (("pool__isnull", True),)
    assert not access.visible_to(world.alice, "read", Customer).filter(pk=customer.pk).exists()  # creator
    assert access.visible_to(world.bob, "read", Customer).filter(pk=customer.pk).exists()  # share
    assert access.visible_to(world.manager, "update", Customer).filter(pk=customer.pk).exists()  # subtree
    # Contacts follow their customer through the same narrowed condition.
    assert "pool__isnull" in str(access.scope_q(world.alice, Contact, 1))
    services.claim(actor=world.alice, customer_id=customer.pk)
    assert access.visible_to(world.alice, "read", Customer).filter(pk=customer.pk).exists()


def test_pool_naming_two_ancestors_is_listed_once_with_the_right_count(world):
    north, _company = make_pools(world)
    north.departments.add(world.north.parent)
    for name in ("甲一", "甲二"):
        services.release(actor=world.alice, customer=create(world.alice, name), reason="x")
    pools = selectors.pools_with_counts(world.alice)
    assert [(p.name, p.customer_count) for p in pools] == [("北区公海", 2), ("公司公海", 0)]
    # The nearest named department decides where a customer goes: 北区 is nearer than 销售部.
    assert selectors.target_pool(world.north) == north and selectors.target_pool(world.south) == north
