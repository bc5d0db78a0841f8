"""Setting targets: one row per measure × subject × period (also for the company, whose subject columns are
NULL), validation that changes nothing, audit entries, versions, and the gate on every write."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.models import AuditLog
from core.services import StaleVersion
from org.services import user_leave
from targets import services
from targets.models import Level, Measure, PeriodKind, SalesTarget
from targets.services import Cell

from .world import YEAR, build_world, target

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world():
    return build_world()


def months(subject, level=Level.PERSON, amounts=("100",) * 12, **extra):
    return [Cell(level=level, subject=subject, period=PeriodKind.MONTH, number=n, amount=a, **extra)
            for n, a in enumerate(amounts, start=1) if a is not ...]


def audit_count():
    return AuditLog.objects.filter(content_type__app_label="targets").count()


def test_grid_sets_a_year_of_months_with_audit(world):
    counts = services.targets_set(actor=world.manager, measure=Measure.CONTRACT_AMOUNT, year=YEAR,
                                  cells=months(world.seller, amounts=["1000.10"] * 11 + ["2,000"]))
    assert counts == {"created": 12, "updated": 0, "deleted": 0, "unchanged": 0}
    rows = SalesTarget.objects.filter(owner=world.seller).order_by("number")
    assert [r.amount for r in rows] == [D("1000.10")] * 11 + [D("2000.00")]
    # The person's target sits in their department (the gate's department), set by the manager.
    assert {(r.department_id, r.created_by_id, r.level) for r in rows} == {(world.east.pk, world.manager.pk, "person")}
    entries = AuditLog.objects.filter(content_type__app_label="targets", action="create")
    assert entries.count() == 12
    assert entries.filter(actor=world.manager, changes__amount=[None, "2000.00"]).count() == 1


def test_change_and_clear_cells(world):
    services.targets_set(actor=world.manager, measure=Measure.RECEIPTS, year=YEAR,
                         cells=months(world.seller, amounts=["10"] * 3 + [...] * 9))
    counts = services.targets_set(actor=world.manager, measure=Measure.RECEIPTS, year=YEAR, cells=[
        Cell(level=Level.PERSON, subject=world.seller, period=PeriodKind.MONTH, number=1, amount="10.00"),
        Cell(level=Level.PERSON, subject=world.seller, period=PeriodKind.MONTH, number=2, amount="12.5"),
        Cell(level=Level.PERSON, subject=world.seller, period=PeriodKind.MONTH, number=3, amount=None),
        Cell(level=Level.PERSON, subject=world.seller, period=PeriodKind.MONTH, number=4, amount=""),
    ])
    assert counts == {"created": 0, "updated": 1, "deleted": 1, "unchanged": 2}
    assert dict(SalesTarget.objects.values_list("number", "amount")) == {1: D("10.00"), 2: D("12.50")}
    changed = SalesTarget.objects.get(number=2)
    assert changed.version == 2
    update = AuditLog.objects.get(action="update", object_id=changed.pk)
    assert update.changes["amount"] == ["10.00", "12.50"]
    assert AuditLog.objects.get(action="delete").changes["snapshot"]["amount"] == "10.00"


@pytest.mark.parametrize("bad", ["-1", "abc", "1.005", "NaN", "1e20"])
def test_bad_cell_refuses_the_whole_grid(world, bad):
    target(owner=world.seller, amount="50.00", number=1)
    before = audit_count()
    cells = months(world.seller, amounts=["70"] * 11 + [bad])
    with pytest.raises(ValidationError) as exc:
        services.targets_set(actor=world.manager, measure=Measure.CONTRACT_AMOUNT, year=YEAR, cells=cells)
    assert "Dec" in " ".join(exc.value.messages)
    assert list(SalesTarget.objects.values_list("number", "amount")) == [(1, D("50.00"))]
    assert audit_count() == before


def test_bad_keys_are_refused(world):
    for cell, year in [(Cell(Level.PERSON, world.seller, PeriodKind.MONTH, 13, "1"), YEAR),
                       (Cell(Level.PERSON, world.seller, PeriodKind.YEAR, 1, "1"), YEAR),
                       (Cell(Level.PERSON, None, PeriodKind.MONTH, 1, "1"), YEAR),
                       (Cell(Level.COMPANY, world.east, PeriodKind.MONTH, 1, "1"), YEAR),
                       (Cell(Level.PERSON, world.seller, PeriodKind.MONTH, 1, "1"), 1999)]:
        with pytest.raises(ValidationError):
            services.targets_set(actor=world.boss, measure=Measure.CONTRACT_AMOUNT, year=year, cells=[cell])
    with pytest.raises(ValidationError, match="given twice"):
        services.targets_set(actor=world.boss, measure=Measure.CONTRACT_AMOUNT, year=YEAR,
                             cells=months(world.seller)[:1] * 2)
    with pytest.raises(ValidationError, match="Unknown measure"):
        services.targets_set(actor=world.boss, measure="expenses", year=YEAR, cells=months(world.seller))
    assert not SalesTarget.objects.exists()


@pytest.mark.parametrize("level", [Level.COMPANY, Level.DEPARTMENT, Level.PERSON])
def test_database_keeps_one_row_per_measure_subject_period(world, level):
    subject = {Level.COMPANY: {}, Level.DEPARTMENT: {"department": world.east},
               Level.PERSON: {"owner": world.seller}}[level]
    target(level, number=3, **subject)
    target(level, number=3, measure=Measure.RECEIPTS, **subject)  # another measure: fine
    target(level, number=3, year=YEAR + 1, **subject)  # another year: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        target(level, number=3, **subject)  # NULL subject columns must not let a company duplicate through
    with pytest.raises(ValidationError, match="set already"):
        services.target_create(actor=world.boss, measure=Measure.CONTRACT_AMOUNT, year=YEAR, level=level,
                               period=PeriodKind.MONTH, number=3, amount="5", **subject)


def test_database_refuses_inconsistent_rows(world):
    for bad in [dict(level=Level.COMPANY, department=world.east), dict(level=Level.DEPARTMENT),
                dict(level=Level.PERSON, department=world.east), dict(period=PeriodKind.QUARTER, number=5),
                dict(amount="-1.00")]:
        values = {"level": Level.COMPANY, "owner": None, "department": None, "period": PeriodKind.MONTH,
                  "number": 1, "amount": "1.00", **bad}
        with pytest.raises(IntegrityError), transaction.atomic():
            SalesTarget.objects.create(measure=Measure.CONTRACT_AMOUNT, year=YEAR, **values)


def test_stale_version_changes_nothing(world):
    row = target(owner=world.seller, amount="50.00")
    services.target_update(actor=world.manager, target=row, amount="60", expected_version=1)
    with pytest.raises(StaleVersion):
        services.target_update(actor=world.manager, target=row, amount="70", expected_version=1)
    with pytest.raises(StaleVersion):  # the grid saw no target in a cell that has one now
        services.targets_set(actor=world.manager, measure=Measure.CONTRACT_AMOUNT, year=YEAR,
                             cells=months(world.seller, amounts=["80"] + [...] * 11, expected_version=0))
    row.refresh_from_db()
    assert (row.amount, row.version) == (D("60.00"), 2)


def test_manager_sets_only_inside_the_subtree(world):
    before = audit_count()
    # One cell outside (the west salesperson) refuses the whole grid, the east cells included.
    with pytest.raises(PermissionDenied):
        services.targets_set(actor=world.manager, measure=Measure.CONTRACT_AMOUNT, year=YEAR,
                             cells=months(world.seller) + months(world.seller2))
    with pytest.raises(PermissionDenied):  # no "all" scope: no company target
        services.targets_set(actor=world.manager, measure=Measure.CONTRACT_AMOUNT, year=YEAR,
                             cells=months(None, level=Level.COMPANY))
    with pytest.raises(PermissionDenied):  # the parent department is outside the subtree of east
        services.target_create(actor=world.manager, measure=Measure.CONTRACT_AMOUNT, year=YEAR,
                               level=Level.DEPARTMENT, department=world.sales, period=PeriodKind.YEAR, number=0,
                               amount="1")
    west = target(owner=world.seller2, amount="9.00")
    with pytest.raises(PermissionDenied):  # an existing target outside the scope is neither changed nor revealed
        services.targets_set(actor=world.manager, measure=Measure.CONTRACT_AMOUNT, year=YEAR,
                             cells=months(world.seller2, amounts=["9.00"] + [...] * 11))
    assert list(SalesTarget.objects.all()) == [west]
    assert audit_count() == before
    services.target_create(actor=world.manager, measure=Measure.CONTRACT_AMOUNT, year=YEAR, level=Level.DEPARTMENT,
                           department=world.east, period=PeriodKind.QUARTER, number=2, amount="300")
    assert SalesTarget.objects.filter(level=Level.DEPARTMENT, department=world.east).count() == 1


def test_salesperson_cannot_set_targets(world):
    own = target(owner=world.seller, amount="5.00")
    with pytest.raises(PermissionDenied):
        services.targets_set(actor=world.seller, measure=Measure.CONTRACT_AMOUNT, year=YEAR,
                             cells=months(world.seller, amounts=[...] + ["1"] * 11))
    with pytest.raises(Exception) as exc:  # no update grant: the own target is not there to change
        services.target_update(actor=world.seller, target=own, amount="500")
    assert exc.type.__name__ in ("Http404", "PermissionDenied")
    own.refresh_from_db()
    assert own.amount == D("5.00") and SalesTarget.objects.count() == 1


def test_delete_is_audited(world):
    row = target(owner=world.seller, amount="5.00")
    services.target_delete(actor=world.manager, target=row)
    assert not SalesTarget.objects.exists()
    entry = AuditLog.objects.get(action="delete", object_id=row.pk)
    assert entry.changes["snapshot"]["amount"] == "5.00" and entry.actor == world.manager


def test_targets_stay_with_a_person_who_leaves(world):
    row = target(owner=world.seller)
    user_leave(actor=world.boss, user=world.seller, transfer_to=world.manager)
    row.refresh_from_db()
    assert row.owner == world.seller
