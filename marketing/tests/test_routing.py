"""Assignment: manual through the gate, round-robin in a team (fair, all or nothing, concurrent-safe)."""

import threading
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.testing import make_user
from marketing import routing, services
from marketing.models import Lead, LeadTeam
from org.models import User

from .world import build_world, lead, reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def pool_leads(actor, n: int) -> list[Lead]:
    rows = []
    for i in range(n):
        row = lead(actor, company=f"线索公司{i}", mobile=f"1380013{i:04d}")
        Lead.objects.filter(pk=row.pk).update(owner=None, department=None, assigned_at=None)
        rows.append(row)
    return rows


def test_members_are_working_users_of_the_department_subtree(w):
    left = make_user("left", department=w.east)
    left.status = User.Status.LEFT
    left.save()
    make_user("disabled", department=w.east, is_active=False)
    assert routing.team_members(w.team) == [w.seller_a, w.seller_b]
    w.team.members.set([w.seller_b, w.outsider])
    assert routing.team_members(w.team) == [w.seller_b, w.outsider]


def test_round_robin_is_fair_and_continues_where_it_stopped(w):
    rows = pool_leads(w.marketer, 5)
    given = routing.lead_assign_round_robin(actor=w.marketer, team=w.team, pks=[r.pk for r in rows[:3]])
    assert given == Counter({w.seller_a: 2, w.seller_b: 1})
    given = routing.lead_assign_round_robin(actor=w.marketer, team=w.team, pks=[r.pk for r in rows[3:]])
    # The pointer stood at seller_a after a, b, a: the next two go to b, then a.
    assert given == Counter({w.seller_b: 1, w.seller_a: 1})
    owners = Counter(Lead.objects.values_list("owner__username", flat=True))
    assert owners == Counter({"seller_a": 3, "seller_b": 2})
    w.team.refresh_from_db()
    assert w.team.last_assignee == w.seller_a and w.team.assigned_count == 5
    assert all(Lead.objects.values_list("assigned_at", flat=True))


def test_round_robin_outside_assign_scope_changes_nothing(w):
    mine = pool_leads(w.marketer, 1)[0]
    theirs = lead(w.outsider, mobile="13900139000")
    with pytest.raises(PermissionDenied):
        routing.lead_assign_round_robin(actor=w.seller_a, team=w.team, pks=[mine.pk, theirs.pk])
    w.team.refresh_from_db()
    assert w.team.last_assignee is None and w.team.assigned_count == 0
    assert Lead.objects.get(pk=mine.pk).owner is None
    assert Lead.objects.get(pk=theirs.pk).owner == w.outsider


def test_round_robin_refuses_whole_batch_with_a_converted_lead(w):
    rows = pool_leads(w.marketer, 2)
    Lead.objects.filter(pk=rows[1].pk).update(status="converted")
    with pytest.raises(ValidationError):
        routing.lead_assign_round_robin(actor=w.marketer, team=w.team, pks=[r.pk for r in rows])
    assert not Lead.objects.filter(owner__isnull=False).exists()
    w.team.refresh_from_db()
    assert w.team.assigned_count == 0


def test_team_without_members_or_inactive_refuses(w):
    empty = LeadTeam.objects.create(name="空组", department=None)
    row = pool_leads(w.marketer, 1)[0]
    with pytest.raises(ValidationError):
        routing.lead_assign_round_robin(actor=w.marketer, team=empty, pks=[row.pk])
    LeadTeam.objects.filter(pk=w.team.pk).update(active=False)
    with pytest.raises(ValidationError):
        routing.lead_assign_round_robin(actor=w.marketer, team=w.team, pks=[row.pk])
    assert Lead.objects.get(pk=row.pk).owner is None


def test_manual_assign_needs_a_working_user(w):
    row = pool_leads(w.marketer, 1)[0]
    left = make_user("left2", department=w.east)
    User.objects.filter(pk=left.pk).update(status=User.Status.LEFT)
    with pytest.raises(ValidationError):
        routing.lead_assign(actor=w.marketer, pks=[row.pk], owner=left)
    routing.lead_assign(actor=w.marketer, pks=[row.pk], owner=w.seller_b)
    row.refresh_from_db()
    assert row.owner == w.seller_b and row.department == w.east and row.assigned_at is not None


def test_assigned_lead_is_visible_to_its_new_owner_only(w):
    row = pool_leads(w.marketer, 1)[0]
    from core import access

    assert not access.visible_to(w.seller_b, "read", Lead).filter(pk=row.pk).exists()
    services.lead_update(actor=w.marketer, instance=row, data={"notes": "优先"})
    routing.lead_assign(actor=w.marketer, pks=[row.pk], owner=w.seller_b)
    assert access.visible_to(w.seller_b, "read", Lead).filter(pk=row.pk).exists()
    assert not access.visible_to(w.seller_a, "read", Lead).filter(pk=row.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_round_robin_takes_consecutive_turns():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    w = build_world()
    members = [w.seller_a, w.seller_b] + [make_user(f"east{i}", department=w.east) for i in range(2)]
    turns: list[int] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                turns.extend(u.pk for u in routing.take_turns(w.team, 1))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # 40 turns over 4 members: exactly 10 each, nobody skipped or doubled under contention.
    assert Counter(turns) == Counter({m.pk: 10 for m in members})
    w.team.refresh_from_db()
    assert w.team.assigned_count == 40


def test_leaving_user_leads_go_to_successor_or_back_to_the_pool(w):
    from core import offboarding

    open_lead = lead(w.seller_a)
    lost = services.lead_lose(actor=w.seller_a, lead=lead(w.seller_a, mobile="13900139000"), reason=reason())
    moved = offboarding.hand_over(actor=w.boss, user=w.seller_a, release_to_pool=True)
    assert moved["marketing.Lead"] == 1
    open_lead.refresh_from_db()
    lost.refresh_from_db()
    assert open_lead.owner is None and open_lead.department == w.east and lost.owner == w.seller_a
    offboarding.hand_over(actor=w.boss, user=w.seller_a, transfer_to=w.seller_b)
    lost.refresh_from_db()
    assert lost.owner == w.seller_b and lost.assigned_at is not None
