"""Concurrent grids on PostgreSQL: one row per cell whatever the timing (the unique index is the backstop),
and of several saves based on the same version exactly one wins."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.models import AuditLog
from core.services import StaleVersion
from core.testing import run_together
from targets import services
from targets.models import Level, Measure, PeriodKind, SalesTarget
from targets.services import Cell

from .world import YEAR, build_world, target

pytestmark = pytest.mark.postgres


def _run(workers: int, work) -> list:
    return run_together(workers, work, expected=(ValidationError, StaleVersion))


@pytest.fixture
def world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    return build_world()


def test_concurrent_first_saves_make_one_row(world):
    def work(i):
        return services.targets_set(actor=world.boss, measure=Measure.CONTRACT_AMOUNT, year=YEAR, cells=[
            Cell(Level.COMPANY, None, PeriodKind.MONTH, 1, f"{100 + i}.00")])

    outcomes = _run(6, work)
    assert SalesTarget.objects.count() == 1
    assert all(isinstance(o, (dict, ValidationError)) for o in outcomes), outcomes
    assert AuditLog.objects.filter(content_type__app_label="targets", action="create").count() == 1


def test_saves_based_on_one_version_let_exactly_one_win(world):
    row = target(owner=world.seller, amount="1.00")

    def work(i):
        return services.target_update(actor=world.manager, target=row, amount=f"{10 + i}", expected_version=1)

    outcomes = _run(5, work)
    winners = [o for o in outcomes if isinstance(o, SalesTarget)]
    assert len(winners) == 1 and sum(isinstance(o, StaleVersion) for o in outcomes) == 4
    row.refresh_from_db()
    assert row.version == 2 and row.amount == winners[0].amount == Decimal(f"{row.amount}")
