"""The opportunity roll-up gives exactly what the table gives: for every kind of scope, subject, period,
grouping and stage, after inserts, edits, owner and department moves, stage and status changes, soft
deletes, restores and hard deletes — and again after a rebuild (PostgreSQL; SQLite has no roll-up)."""

import datetime
import random
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from core.basedata import ensure_default_lookups
from core.models import LookupItem, RecordShare
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Scope
from reports import rollups
from reports.models import OpportunityDay
from reports.params import Subject, read_period
from reports.rollup_sql import EVER
from sales.models import Opportunity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
TZ = timezone.get_current_timezone


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the roll-up is kept by PostgreSQL triggers")
    rollups.rebuild()  # a flush by an earlier transactional test empties the state row, not the triggers


def _norm(rows, group):
    out = {}
    for r in rows:
        key = tuple(r[g] for g in group)
        out[key] = (r["n"], *(Decimal(r[k] or 0) for k in ("cost", "expected", "amount")))
    return {k: v for k, v in out.items() if v[0]}


def _world(seed: int):
    rng = random.Random(seed)
    ensure_default_lookups(["sales_stage"])
    stages = [*LookupItem.objects.filter(kind="sales_stage"), None]
    root = make_department("销售部")
    east, west = make_department("华东", root), make_department("华西", root)
    east1 = make_department("华东一组", east)
    module = "sales.opportunity"
    people = {
        "boss": make_user("boss", department=root, roles=[make_role(grants=full_grants(module, Scope.ALL))]),
        "subtree": make_user("subtree", department=east, roles=[make_role(grants=full_grants(module, Scope.SUBTREE))]),
        "dept": make_user("dept", department=east1, roles=[make_role(grants=full_grants(module, Scope.DEPARTMENT))]),
        "own": make_user("own", department=west, roles=[make_role(grants=full_grants(module, Scope.OWN))]),
        "other": make_user("other", department=west, roles=[make_role(grants=full_grants(module, Scope.OWN))]),
        "nodept": make_user("nodept", roles=[make_role(grants=full_grants(module, Scope.SUBTREE))]),
    }
    owners = [*people.values(), None]
    customer = Customer.objects.create(name="甲公司", owner=people["boss"], department=root)
    start = datetime.datetime(2025, 12, 30, tzinfo=TZ())
    rows = []
    for i in range(120):
        owner = rng.choice(owners)
        dept = rng.choice([east, west, east1, root, None]) if owner is None else (
            owner.department if rng.random() < 0.8 else rng.choice([east, west, east1, None]))
        money = lambda: None if rng.random() < 0.15 else Decimal(rng.randint(0, 10_000_000)) / 100  # noqa: E731
        opp = Opportunity.objects.create(
            subject=f"商机{i}", customer=customer, owner=owner, department=dept,
            created_by=rng.choice(owners), stage=rng.choice(stages), status=rng.choice(["open", "won", "lost", "terminated"]),
            cost_estimate=money(), expected_amount=money(), amount=money())
        # Creation times around local midnights and the turn of the year.
        created = start + datetime.timedelta(days=rng.randint(0, 400), hours=rng.choice([0, 0, 7, 15, 23]),
                                             minutes=rng.choice([0, 59]), seconds=rng.choice([0, 59]))
        Opportunity.all_objects.filter(pk=opp.pk).update(created_at=created)
        rows.append(opp.pk)
    # Changes after the fact: every path a row can take.
    for pk in rng.sample(rows, 30):
        Opportunity.all_objects.filter(pk=pk).update(stage=rng.choice(stages), status=rng.choice(["open", "won", "lost"]))
    for pk in rng.sample(rows, 20):
        Opportunity.all_objects.filter(pk=pk).update(owner=rng.choice(owners[:-1]), department=rng.choice([east, west]))
    for pk in rng.sample(rows, 20):
        Opportunity.all_objects.filter(pk=pk).update(amount=Decimal(rng.randint(0, 99999)), cost_estimate=None)
    binned = rng.sample(rows, 15)
    Opportunity.all_objects.filter(pk__in=binned).update(deleted_at=timezone.now())
    Opportunity.all_objects.filter(pk__in=binned[:5]).update(deleted_at=None)  # restored
    Opportunity.all_objects.filter(pk__in=rng.sample(rows, 8)).delete()
    Opportunity.all_objects.filter(pk=rows[0]).update(notes="只改备注")  # changes nothing the roll-up holds
    # Shares: to a person and to a department, for rows outside the sharer's scope.
    ct = ContentType.objects.get_for_model(Opportunity)
    for pk in rng.sample(rows, 10):
        RecordShare.objects.create(content_type=ct, object_id=pk, user=rng.choice([people["subtree"], people["own"],
                                                                                     people["dept"]]))
    for pk in rng.sample(rows, 5):
        RecordShare.objects.create(content_type=ct, object_id=pk, department=rng.choice([east, east1, west]))
    return people, {"root": root, "east": east, "west": west, "east1": east1}, [s for s in stages if s]


PERIODS = [{"period": "year", "year": "2026"}, {"period": "year", "year": "2025"},
           {"period": "quarter", "year": "2026", "quarter": "1"}, {"period": "month", "year": "2026", "month": "1"},
           {"period": "custom", "start": "2025-12-31", "end": "2026-01-01"}]


@pytest.mark.parametrize("seed", [1, 2])
def test_rollup_answers_like_the_table(seed):
    people, departments, stages = _world(seed)
    assert rollups.usable() and OpportunityDay.objects.exists()
    subjects = [Subject(), Subject(department=departments["east"]), Subject(department=departments["west"]),
                Subject(owner=people["own"]), Subject(owner=people["subtree"])]
    checked = 0
    for _state in ("as kept by the triggers", "rebuilt"):
        for user in people.values():
            for period in [*map(read_period, PERIODS), None]:  # None: all time, as the kanban asks
                for subject in [*subjects, Subject(owner=user)]:  # one's own: the roll-up at any scope
                    for group, stage in ((["stage_id", "status"], None), (["owner_id"], None),
                                         (["owner_id"], stages[0].pk)):
                        kw = dict(period=period, subject=subject, group=group, stage_id=stage)
                        fast = rollups.opportunity_groups(user, "read", **kw)
                        slow = rollups.opportunity_groups(user, "read", force_live=True, **kw)
                        assert _norm(fast, group) == _norm(slow, group), (user.username, period, subject, group)
                        checked += 1
        rollups.rebuild()
    assert checked > 500
    # The roll-up itself equals a fresh count of the live rows.
    total = sum(OpportunityDay.objects.exclude(day=EVER).values_list("n", flat=True))
    assert total == Opportunity.objects.count()
    assert sum(OpportunityDay.objects.filter(day=EVER).values_list("n", flat=True)) == total


def _receipts_world(seed: int):
    """Receivables of several salespeople and departments with receipts over two years, then moved,
    binned, restored and shared — every change the receipt roll-up must follow."""
    from contracts.models import Contract, Receipt, Receivable

    rng = random.Random(seed)
    people, departments, _stages = _world(seed)
    module = "contracts.receivable"
    for name, scope in (("boss", Scope.ALL), ("subtree", Scope.SUBTREE), ("dept", Scope.DEPARTMENT),
                        ("own", Scope.OWN), ("other", Scope.OWN), ("nodept", Scope.SUBTREE)):
        make_role_for = make_role(grants=full_grants(module, scope))
        people[name].roles.add(make_role_for)
    owners = [*people.values(), None]
    customer = Customer.objects.first()
    contract = Contract.objects.create(title="合同", customer=customer, owner=people["boss"],
                                       department=departments["root"])
    receivables = []
    for i in range(40):
        owner = rng.choice(owners)
        dept = owner.department if owner and rng.random() < 0.8 else rng.choice([*departments.values(), None])
        receivables.append(Receivable.objects.create(
            contract=contract, customer=customer, owner=owner, department=dept, created_by=rng.choice(owners),
            period=i + 1, due_date=datetime.date(2026, 1, 1), amount=Decimal("100000.00"),
            balance=Decimal("100000.00")))
    for i in range(150):
        Receipt.objects.create(receivable=rng.choice(receivables), amount=Decimal(rng.randint(1, 500000)) / 100,
                               date=datetime.date(2025, 12, 25) + datetime.timedelta(days=rng.randint(0, 400)),
                               idempotency_key=f"k{seed}-{i}")
    for r in rng.sample(receivables, 8):
        Receivable.all_objects.filter(pk=r.pk).update(owner=rng.choice(owners[:-1]), department=rng.choice(
            [departments["east"], departments["west"]]))
    Receivable.all_objects.filter(pk__in=[r.pk for r in receivables[:6]]).update(deleted_at=timezone.now())
    Receivable.all_objects.filter(pk__in=[r.pk for r in receivables[:2]]).update(deleted_at=None)
    Receipt.objects.filter(pk__in=list(Receipt.objects.values_list("pk", flat=True)[:10])).delete()
    first = Receipt.objects.order_by("pk").first()
    Receipt.objects.filter(pk=first.pk).update(date=datetime.date(2026, 6, 1), amount=Decimal("1.23"))
    ct = ContentType.objects.get_for_model(Receivable)
    for r in rng.sample(receivables, 6):
        RecordShare.objects.create(content_type=ct, object_id=r.pk, user=rng.choice([people["subtree"], people["dept"]]))
    return people, departments


@pytest.mark.parametrize("seed", [4, 5])
def test_receipt_rollup_answers_like_the_table(seed):
    people, departments = _receipts_world(seed)
    subjects = [Subject(), Subject(department=departments["east"]), Subject(owner=people["own"])]
    for _state in ("as kept by the triggers", "rebuilt"):
        for user in people.values():
            for params in PERIODS:
                for subject in subjects:
                    kw = dict(period=read_period(params), subject=subject)
                    fast = {r["owner_id"]: (r["n"], r["amount"]) for r in rollups.receipt_owner_sums(user, "read", **kw) if r["n"]}
                    slow = {r["owner_id"]: (r["n"], r["amount"]) for r in
                            rollups.receipt_owner_sums(user, "read", force_live=True, **kw) if r["n"]}
                    assert fast == slow, (user.username, params, subject)
        rollups.rebuild()


@pytest.mark.parametrize("seed", [6])
def test_receivable_rollup_answers_like_the_table(seed):
    from contracts import receipts
    from contracts.models import Receivable
    from reports.receivables import status_expr

    people, departments = _receipts_world(seed)
    rng = random.Random(seed)
    # Dates spread so every status occurs; some paid in full and partly through the service.
    for r in Receivable.all_objects.all():
        Receivable.all_objects.filter(pk=r.pk).update(due_date=datetime.date(2026, 1, 1) + datetime.timedelta(
            days=rng.randint(-200, 400)))
    for r in list(Receivable.objects.filter(owner__isnull=False))[:12]:
        amount = r.balance if rng.random() < 0.5 else Decimal("10.00")
        receipts.receipt_post(actor=people["boss"], receivable=r, amount=amount, date=datetime.date(2026, 3, 1),
                              idempotency_key=f"p{r.pk}")
    subjects = [Subject(), Subject(department=departments["east"]), Subject(owner=people["own"])]
    periods = [None, read_period({"period": "year", "year": "2026"})]
    for today in (datetime.date(2026, 1, 1), datetime.date(2026, 7, 15)):
        for _state in ("as kept by the triggers", "rebuilt"):
            for user in people.values():
                for subject in subjects:
                    for period in periods:
                        live = Receivable.objects.filter(subject.q())
                        if period is not None:
                            live = live.filter(due_date__gte=period.start, due_date__lte=period.end)
                        kw = dict(live=live, subject=subject, period=period, today=today, status_expr=status_expr)

                        def norm(found):
                            return {k: (v["n"], *(Decimal(v[f] or 0) for f in ("amount", "received", "balance")))
                                    for k, v in found.items() if v["n"]}

                        fast = norm(rollups.receivable_status_sums(user, "read", **kw))
                        slow = norm(rollups.receivable_status_sums(user, "read", force_live=True, **kw))
                        assert fast == slow, (user.username, subject, period, today)
            rollups.rebuild()


def test_funnel_and_analysis_read_the_rollup(django_assert_max_num_queries):
    from reports.analysis_opportunity import OPPORTUNITY_ANALYSIS
    from reports.funnel import build_funnel

    people, _departments, _stages = _world(3)
    boss = people["boss"]
    period = read_period({"period": "year", "year": "2026"})
    live = {(r["stage_id"], r["status"]): r["n"] for r in rollups.opportunity_groups(
        boss, "read", period=period, subject=Subject(), group=["stage_id", "status"], force_live=True)}
    funnel = build_funnel(boss, period, Subject())
    assert funnel.count == sum(live.values())
    query = OPPORTUNITY_ANALYSIS.read_query(boss, {"period": "year", "year": "2026", "by": "owner"})
    result = OPPORTUNITY_ANALYSIS.run(boss, query, paged=False)
    assert result.totals.figures["count"] == funnel.count


def test_rebuild_command_recomputes_after_a_time_zone_change(settings):
    from django.core.management import call_command

    people, _departments, _stages = _world(7)
    settings.TIME_ZONE = "Asia/Tokyo"
    rollups._usable.clear()
    assert not rollups.usable()  # cut in another time zone: the reports read the tables meanwhile
    call_command("rebuild_rollups")
    assert rollups.usable()
    period = read_period({"period": "custom", "start": "2026-01-01", "end": "2026-01-31"})
    kw = dict(period=period, subject=Subject(), group=["stage_id", "status"])
    assert _norm(rollups.opportunity_groups(people["boss"], "read", **kw), kw["group"]) == _norm(
        rollups.opportunity_groups(people["boss"], "read", force_live=True, **kw), kw["group"])
