"""The daily pool job: exactly the customers its rules match, a warning first (once), every move logged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.basedata import ensure_default_lookups
from core.models import AuditLog, LookupItem, Notification
from core.periodic import registered
from customers import services_followup
from customers.models import Customer, CustomerAssignment
from customers.pools import rules

from .pool_world import backdate, create, level, make_pools, make_world, rule

pytestmark = pytest.mark.django_db
Kind = CustomerAssignment.Kind


@pytest.fixture
def setup():
    world = make_world()
    north, company = make_pools(world)
    level_a = level("A")
    rule(north, level_item=level_a, followup=30)       # A-level customers: 30 days without follow-up
    rule(north, followup=10, deal=60)                   # everyone else: 10 days, or 60 days without a deal
    c = {
        "a_level_20": backdate(create(world.alice, "A级二十天"), owned_days=100, followup_days=20),
        "plain_20": backdate(create(world.alice, "普通二十天"), owned_days=100, followup_days=20),
        "plain_8": backdate(create(world.alice, "普通八天"), owned_days=30, followup_days=8),
        "plain_2": backdate(create(world.alice, "普通两天"), owned_days=30, followup_days=2),
        "deal_old": backdate(create(world.alice, "老成交"), owned_days=100, followup_days=1, status="deal"),
        "no_deal_70": backdate(create(world.alice, "七十天未成交"), owned_days=70, followup_days=1),
        "south_old": backdate(create(world.bob, "南区老客户"), owned_days=300, followup_days=300),
    }
    Customer.objects.filter(pk=c["a_level_20"].pk).update(level=level_a)
    return world, north, company, c


def fresh(customer):
    return Customer.all_objects.get(pk=customer.pk)


def test_job_is_registered_daily():
    job = registered()["customer_pool_rules"]
    assert job.daily_at is not None and job.func is rules.apply_pool_rules


def test_first_run_warns_once_and_releases_nothing(setup):
    world, north, _company, c = setup
    counts = rules.apply_rules()
    warned = {name for name, row in c.items() if fresh(row).pool_warned_at is not None}
    # plain_8 is due in 2 days (inside the 3 warning days); a_level_20 follows its own 30-day rule.
    assert warned == {"plain_20", "plain_8", "no_deal_70"}
    assert counts == {"warned": 3, "released": 0, "cleared": 0}
    assert Customer.objects.filter(pool__isnull=False).count() == 0
    notes = Notification.objects.filter(user=world.alice)
    assert notes.count() == 3 and any("普通二十天" in n.title and "北区公海" in n.title for n in notes)
    # Idempotent: a second run the same day sends nothing more and moves nothing.
    assert rules.apply_rules() == {"warned": 0, "released": 0, "cleared": 0}
    assert Notification.objects.count() == 3


def test_release_after_warning_days_logs_each_move(setup):
    world, north, _company, c = setup
    rules.apply_rules()
    later = timezone.now() + timedelta(days=3, hours=1)
    counts = rules.apply_rules(now=later)
    released = {name for name, row in c.items() if fresh(row).pool_id}
    assert released == {"plain_20", "plain_8", "no_deal_70"}
    assert counts["released"] == 3
    for name in released:
        row = fresh(c[name])
        assert row.pool == north and row.owner is None and row.previous_owner == world.alice
        move = row.assignments.order_by("-id").first()
        assert move.kind == Kind.AUTO_RELEASE and move.actor is None and move.from_owner == world.alice
        assert move.reason.startswith("Returned by rule")
        assert AuditLog.objects.filter(object_id=row.pk, action="assign", actor=None).exists()
    assert "60" in fresh(c["no_deal_70"]).assignments.order_by("-id").first().reason
    # Level A rule and deal status: not matched; bob's pool (company) has no rules.
    for name in ("a_level_20", "deal_old", "south_old", "plain_2"):
        assert fresh(c[name]).owner is not None
    # Nothing happens twice.
    assert rules.apply_rules(now=later)["released"] == 0
    assert CustomerAssignment.objects.filter(kind=Kind.AUTO_RELEASE).count() == 3


def test_due_customer_never_warned_is_warned_before_release(setup):
    _world, _north, _company, c = setup
    # Even long overdue, the first run only warns; the release waits for the warning days.
    rules.apply_rules()
    assert fresh(c["plain_20"]).pool_id is None
    rules.apply_rules(now=timezone.now() + timedelta(days=1))
    assert fresh(c["plain_20"]).pool_id is None
    rules.apply_rules(now=timezone.now() + timedelta(days=3))
    assert fresh(c["plain_20"]).pool_id is not None


def test_follow_up_clears_the_warning_and_restarts_the_clock(setup):
    world, _north, _company, c = setup
    ensure_default_lookups(["contact_method"])
    rules.apply_rules()
    customer = c["plain_20"]
    assert fresh(customer).pool_warned_at is not None
    services_followup.followup_create(actor=world.alice, data={
        "customer": fresh(customer), "method": LookupItem.objects.filter(kind="contact_method").first(),
        "content": "电话回访", "occurred_at": timezone.now()})
    assert fresh(customer).pool_warned_at is None
    rules.apply_rules(now=timezone.now() + timedelta(days=4))
    assert fresh(customer).pool_id is None and fresh(customer).owner == world.alice


def test_warning_dropped_when_rule_switched_off(setup):
    _world, north, _company, c = setup
    rules.apply_rules()
    north.rules.update(active=False)
    counts = rules.apply_rules(now=timezone.now() + timedelta(days=5))
    assert counts["released"] == 0 and counts["cleared"] == 3
    assert not Customer.objects.filter(pool_warned_at__isnull=False).exists()


def test_warn_days_zero_releases_on_the_due_day(setup):
    _world, north, _company, c = setup
    north.warn_days = 0
    north.save()
    rules.apply_rules()
    assert fresh(c["plain_20"]).pool_id == north.pk and fresh(c["plain_8"]).pool_id is None
    assert not Notification.objects.exists()
