"""Contact records and maintenance records: one set of rules, tested on both kinds."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from sales import services_project, services_records
from sales.models import ContactRecord, MaintenanceRecord, Opportunity, Project

from .world import build_world, opportunity, stage


@pytest.fixture
def world(db):
    return build_world()


def parent_of(world, kind):
    if kind is ContactRecord:
        return opportunity(world), "opportunity"
    project = services_project.project_create(actor=world.seller, data={
        "subject": "产线改造项目", "customer": world.mine, "stage": stage("initial"), "expected_amount": Decimal("100000")})
    return project, "project"


def add(world, kind, parent, field, **data):
    values = {field: parent, "content": "拜访", "date": date(2026, 11, 1)}
    values.update(data)
    return services_records.record_create(actor=world.seller, model=kind, data=values)


def reload(obj):
    return type(obj).all_objects.get(pk=obj.pk)


KINDS = [ContactRecord, MaintenanceRecord]


@pytest.mark.parametrize("kind", KINDS)
def test_records_are_numbered_and_start_from_the_parent(world, kind):
    parent, field = parent_of(world, kind)
    first = add(world, kind, parent, field)
    second = add(world, kind, parent, field, stage=stage("proposal"))
    assert (first.seq, second.seq) == (1, 2)
    assert first.stage.code == "initial" and first.expected_amount == Decimal("100000.00") and first.win_rate == 10
    assert second.win_rate == 50  # a stage given alone brings its rate


@pytest.mark.parametrize("kind", KINDS)
def test_completing_out_of_order_is_refused(world, kind):
    parent, field = parent_of(world, kind)
    first = add(world, kind, parent, field)
    second = add(world, kind, parent, field, stage=stage("proposal"))
    with pytest.raises(ValidationError, match="Complete record #1 first"):
        services_records.record_complete(actor=world.seller, instance=second)
    assert not reload(second).completed
    assert reload(parent).stage.code == "initial"
    services_records.record_complete(actor=world.seller, instance=first)
    services_records.record_complete(actor=world.seller, instance=second)
    assert reload(second).completed and reload(second).completed_at is not None


@pytest.mark.parametrize("kind", KINDS)
def test_a_completed_record_is_immutable(world, kind):
    parent, field = parent_of(world, kind)
    first = add(world, kind, parent, field)
    services_records.record_complete(actor=world.seller, instance=first)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services_records.record_update(actor=world.seller, instance=reload(first), data={"content": "改"})
    with pytest.raises(ValidationError, match="already completed"):
        services_records.record_complete(actor=world.seller, instance=reload(first))
    assert reload(first).content == "拜访"


@pytest.mark.parametrize("kind", KINDS)
def test_only_the_latest_completed_record_can_be_deleted(world, kind):
    parent, field = parent_of(world, kind)
    first, second = add(world, kind, parent, field), add(world, kind, parent, field)
    services_records.record_complete(actor=world.seller, instance=first)
    services_records.record_complete(actor=world.seller, instance=second)
    with pytest.raises(ValidationError, match="Only the latest completed record"):
        services_records.record_delete(actor=world.seller, instance=reload(first))
    assert not reload(first).is_deleted


@pytest.mark.parametrize("kind", KINDS)
def test_backfill_from_the_last_completed_record(world, kind):
    parent, field = parent_of(world, kind)
    first = add(world, kind, parent, field, stage=stage("needs"), expected_amount=Decimal("80000"),
                cost_estimate=Decimal("5000"), planned_close=date(2027, 1, 31))
    second = add(world, kind, parent, field, stage=stage("proposal"), win_rate=Decimal("55"),
                 expected_amount=Decimal("90000"), planned_close=date(2027, 2, 28))
    open_third = add(world, kind, parent, field, stage=stage("negotiation"), expected_amount=Decimal("1"))
    services_records.record_complete(actor=world.seller, instance=first)
    p = reload(parent)
    assert (p.stage.code, p.win_rate, p.expected_amount, p.cost_estimate, p.planned_close) == (
        "needs", 25, Decimal("80000.00"), Decimal("5000.00"), date(2027, 1, 31))
    assert p.amount == Decimal("20000.00")
    services_records.record_complete(actor=world.seller, instance=second)
    p = reload(parent)
    assert (p.stage.code, p.win_rate, p.expected_amount, p.planned_close) == ("proposal", 55, Decimal("90000.00"), date(2027, 2, 28))
    assert p.amount == Decimal("49500.00")  # the open third record does not count
    # Deleting the last completed record: back-filled from the one before.
    services_records.record_delete(actor=world.seller, instance=reload(second))
    p = reload(parent)
    assert (p.stage.code, p.win_rate, p.expected_amount, p.amount) == ("needs", 25, Decimal("80000.00"), Decimal("20000.00"))
    # An open record may be changed and deleted freely, without back-fill.
    services_records.record_update(actor=world.seller, instance=reload(open_third), data={"content": "谈判"})
    services_records.record_delete(actor=world.seller, instance=reload(open_third))
    assert reload(parent).stage.code == "needs"


@pytest.mark.parametrize("kind", KINDS)
def test_an_outsider_cannot_add_complete_or_delete_records(world, kind):
    parent, field = parent_of(world, kind)
    record = add(world, kind, parent, field)
    for call in (lambda: services_records.record_create(actor=world.outsider, model=kind, data={field: parent, "content": "x"}),
                 lambda: services_records.record_complete(actor=world.outsider, instance=record),
                 lambda: services_records.record_update(actor=world.outsider, instance=record, data={"content": "x"}),
                 lambda: services_records.record_delete(actor=world.outsider, instance=record)):
        with pytest.raises(Http404):
            call()
    assert kind.objects.filter(**{field: parent}).count() == 1 and not reload(record).completed


def test_records_of_an_audited_opportunity_cannot_change(world):
    from sales import services

    opp = opportunity(world)
    record = add(world, ContactRecord, opp, "opportunity")
    services.opportunity_audit(actor=world.seller, instance=opp)
    with pytest.raises(ValidationError, match="audited"):
        services_records.record_complete(actor=world.seller, instance=record)
    with pytest.raises(ValidationError, match="audited"):
        services_records.record_delete(actor=world.seller, instance=record)
    assert not reload(record).completed and not reload(record).is_deleted


def test_project_from_scratch_copy_back_and_terminate(world):
    project = services_project.project_create(actor=world.seller, data={
        "subject": "维保项目", "customer": world.mine, "stage": stage("proposal"), "expected_amount": Decimal("300")})
    assert project.win_rate == 50 and project.amount == Decimal("150.00") and project.code.startswith("XM-")
    copy = services_project.project_copy_to_opportunity(actor=world.seller, instance=project)
    assert (copy.from_project_id, copy.customer, copy.stage.code, copy.win_rate, copy.amount) == (
        project.pk, world.mine, "proposal", 50, Decimal("150.00"))
    assert Opportunity.objects.count() == 1
    project = services_project.project_terminate(actor=world.seller, instance=project)
    assert project.terminated and project.colour == "red"
    with pytest.raises(ValidationError, match="terminated"):
        services_records.record_create(actor=world.seller, model=MaintenanceRecord, data={"project": project, "content": "x"})
    with pytest.raises(ValidationError, match="terminated"):
        services_project.project_update(actor=world.seller, instance=project, data={"subject": "x"})
    project = services_project.project_reactivate(actor=world.seller, instance=project)
    assert not project.terminated
    with pytest.raises(Http404):
        services_project.project_copy_to_opportunity(actor=world.outsider, instance=project)
    assert Opportunity.objects.count() == 1 and Project.objects.count() == 1


def test_restoring_a_record_from_the_bin_keeps_the_order(world):
    from core import services as core_services

    opp = opportunity(world)
    first, second = add(world, ContactRecord, opp, "opportunity"), add(world, ContactRecord, opp, "opportunity")
    services_records.record_complete(actor=world.seller, instance=first)
    services_records.record_delete(actor=world.seller, instance=reload(first))
    with pytest.raises(ValidationError, match="between completed records"):
        core_services.restore_deleted(actor=world.seller, model=ContactRecord, pk=first.pk)
    services_records.record_delete(actor=world.seller, instance=reload(second))
    core_services.restore_deleted(actor=world.seller, model=ContactRecord, pk=second.pk)  # open: fine
    assert not reload(second).is_deleted
    add(world, ContactRecord, opp, "opportunity")  # takes number 3
    assert reload(first).is_deleted
