from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core import services as core_services
from core.basedata import get_item
from customers import services as customer_services
from sales import services, services_project, services_records
from sales.models import ContactRecord, Opportunity, Project, StageChange
from sales.models.pipeline import compute_amount

from .world import build_world, opportunity, stage


@pytest.fixture
def world(db):
    return build_world()


def test_rate_defaults_from_the_stage_and_amount_is_expected_times_rate(world):
    opp = opportunity(world, stage=stage("proposal"), expected_amount=Decimal("12345.67"))
    assert opp.win_rate == 50
    assert opp.amount == Decimal("6172.84")  # 12345.67 × 50 % = 6172.835, half up
    assert opp.code.startswith("SJ-")
    assert opp.owner == world.seller


def test_amount_is_exact_decimal_for_an_edited_rate(world):
    opp = opportunity(world, win_rate=Decimal("33.33"), expected_amount=Decimal("12345.67"))
    assert opp.win_rate == Decimal("33.33")  # a rate given with the stage is kept
    assert opp.amount == Decimal("4114.81")
    assert compute_amount(Decimal("0.10"), Decimal("50")) == Decimal("0.05")
    assert compute_amount(None, Decimal("50")) == Decimal("0.00")


def test_stage_change_brings_its_rate_unless_the_rate_is_changed_too(world):
    opp = opportunity(world)
    opp = services.opportunity_update(actor=world.seller, instance=opp, data={"stage": stage("negotiation"), "win_rate": opp.win_rate})
    assert opp.win_rate == 75 and opp.amount == Decimal("75000.00")
    opp = services.opportunity_update(actor=world.seller, instance=opp, data={"stage": stage("proposal"), "win_rate": Decimal("60")})
    assert opp.win_rate == 60 and opp.amount == Decimal("60000.00")
    assert [s.stage.code for s in StageChange.objects.filter(opportunity=opp)] == ["initial", "negotiation", "proposal"]
    assert StageChange.objects.filter(opportunity=opp, left_at__isnull=True).count() == 1


def test_the_amount_cannot_be_typed(world):
    with pytest.raises(PermissionDenied):
        opportunity(world, amount=Decimal("1"))
    opp = opportunity(world)
    with pytest.raises(PermissionDenied):
        services.opportunity_update(actor=world.seller, instance=opp, data={"audited": True})
    assert not Opportunity.objects.get(pk=opp.pk).audited


def test_lost_needs_a_reason_and_won_sets_the_close_date(world):
    opp = opportunity(world)
    with pytest.raises(ValidationError) as exc:
        services.opportunity_move_stage(actor=world.seller, instance=opp, stage=stage("lost"))
    assert "lost_reason" in exc.value.message_dict
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "initial"
    opp = services.opportunity_update(actor=world.seller, instance=opp,
                                      data={"stage": stage("lost"), "lost_reason": get_item("lost_reason", "price")})
    assert opp.status == Opportunity.Status.LOST and opp.win_rate == 0 and opp.amount == Decimal("0.00")
    assert opp.customer.__class__.objects.get(pk=opp.customer_id).last_deal_at is None
    opp = services.opportunity_move_stage(actor=world.seller, instance=opp, stage=stage("won"))
    assert opp.status == Opportunity.Status.WON and opp.actual_close is not None
    # A won opportunity is a deal: the customer's public-pool "no deal" clock restarts.
    assert opp.customer.__class__.objects.get(pk=opp.customer_id).last_deal_at is not None


def test_the_customer_must_be_one_the_actor_may_read(world):
    with pytest.raises(ValidationError):
        opportunity(world, customer=world.theirs)
    assert not Opportunity.objects.exists()


def test_audit_locks_and_unaudit_unlocks(world):
    opp = services.opportunity_audit(actor=world.seller, instance=opportunity(world))
    assert opp.audited and opp.audited_by == world.seller
    with pytest.raises(ValidationError, match="audited"):
        services.opportunity_update(actor=world.seller, instance=opp, data={"subject": "x"})
    with pytest.raises(ValidationError, match="already audited"):
        services.opportunity_audit(actor=world.seller, instance=opp)
    opp = services.opportunity_unaudit(actor=world.seller, instance=opp)
    assert not opp.audited and opp.audited_by is None
    services.opportunity_update(actor=world.seller, instance=opp, data={"subject": "新主题"})
    assert Opportunity.objects.get(pk=opp.pk).subject == "新主题"


def test_only_an_audited_opportunity_converts_and_unaudit_needs_the_project_deleted(world):
    opp = opportunity(world, stage=stage("negotiation"), cost_estimate=Decimal("20000"))
    with pytest.raises(ValidationError, match="Only an audited"):
        services.opportunity_convert(actor=world.seller, instance=opp)
    assert not Project.objects.exists()
    services.opportunity_audit(actor=world.seller, instance=opp)
    project = services.opportunity_convert(actor=world.seller, instance=opp)
    assert (project.opportunity_id, project.customer, project.stage.code, project.win_rate) == (opp.pk, world.mine, "negotiation", 75)
    assert project.amount == Decimal("75000.00") and project.cost_estimate == Decimal("20000.00")
    assert Opportunity.objects.get(pk=opp.pk).converted
    with pytest.raises(ValidationError, match="already been converted"):
        services.opportunity_convert(actor=world.seller, instance=opp)
    with pytest.raises(ValidationError, match="delete the project first"):
        services.opportunity_unaudit(actor=world.seller, instance=opp)
    assert Opportunity.objects.get(pk=opp.pk).audited
    services_project.project_delete(actor=world.seller, instance=project)
    opp = services.opportunity_unaudit(actor=world.seller, instance=Opportunity.objects.get(pk=opp.pk))
    assert not opp.audited and not opp.converted


def test_terminate_and_reactivate(world):
    opp = services.opportunity_terminate(actor=world.seller, instance=opportunity(world))
    assert opp.terminated and opp.status == "terminated" and opp.colour == "red"
    for call in (lambda: services.opportunity_audit(actor=world.seller, instance=opp),
                 lambda: services.opportunity_move_stage(actor=world.seller, instance=opp, stage=stage("proposal")),
                 lambda: services_records.record_create(actor=world.seller, model=ContactRecord,
                                                        data={"opportunity": opp, "content": "x"})):
        with pytest.raises(ValidationError):
            call()
    with pytest.raises(ValidationError, match="already terminated"):
        services.opportunity_terminate(actor=world.seller, instance=opp)
    opp = services.opportunity_reactivate(actor=world.seller, instance=opp)
    assert not opp.terminated and opp.status == "open"
    with pytest.raises(ValidationError, match="not terminated"):
        services.opportunity_reactivate(actor=world.seller, instance=opp)


def test_a_converted_opportunity_shows_blue_and_cannot_be_terminated(world):
    opp = services.opportunity_audit(actor=world.seller, instance=opportunity(world))
    services.opportunity_convert(actor=world.seller, instance=opp)
    opp = Opportunity.objects.get(pk=opp.pk)
    assert opp.colour == "blue"
    with pytest.raises(ValidationError, match="terminate the project"):
        services.opportunity_terminate(actor=world.seller, instance=opp)


def test_deleting_an_opportunity_bins_its_records_but_not_its_project(world):
    calls = []
    from sales import cascades

    def hook(*, actor, record):
        calls.append(record.pk)

    cascades.on_record_deleted(hook)
    try:
        opp = opportunity(world)
        first = services_records.record_create(actor=world.seller, model=ContactRecord, data={"opportunity": opp, "content": "首次拜访"})
        services_records.record_complete(actor=world.seller, instance=first)
        second = services_records.record_create(actor=world.seller, model=ContactRecord, data={"opportunity": opp, "content": "方案"})
        services.opportunity_audit(actor=world.seller, instance=Opportunity.objects.get(pk=opp.pk))
        project = services.opportunity_convert(actor=world.seller, instance=opp)
        services.opportunity_delete(actor=world.seller, instance=opp)
    finally:
        cascades.forget(hook)
    assert not Opportunity.objects.filter(pk=opp.pk).exists()
    assert Opportunity.all_objects.get(pk=opp.pk).is_deleted
    assert ContactRecord.objects.filter(opportunity_id=opp.pk).count() == 0
    assert ContactRecord.all_objects.filter(opportunity_id=opp.pk, deleted_at__isnull=False).count() == 2
    assert sorted(calls) == sorted([first.pk, second.pk])  # the quotes module's hook hears of each record
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_customer_with_opportunities_cannot_be_deleted(world):
    opportunity(world)
    with pytest.raises(ValidationError, match="opportunities"):
        customer_services.customer_delete(actor=world.seller, instance=world.mine)
    assert type(world.mine).objects.filter(pk=world.mine.pk).exists()


def test_an_outsider_cannot_touch_the_opportunity(world):
    opp = opportunity(world)
    for call in (lambda: services.opportunity_update(actor=world.outsider, instance=opp, data={"subject": "x"}),
                 lambda: services.opportunity_audit(actor=world.outsider, instance=opp),
                 lambda: services.opportunity_terminate(actor=world.outsider, instance=opp),
                 lambda: services.opportunity_delete(actor=world.outsider, instance=opp),
                 lambda: services.opportunity_move_stage(actor=world.outsider, instance=opp, stage=stage("won"))):
        with pytest.raises(Http404):
            call()
    fresh = Opportunity.objects.get(pk=opp.pk)
    assert (fresh.subject, fresh.audited, fresh.terminated, fresh.version) == (opp.subject, False, False, opp.version)


def test_a_stale_version_is_refused(world):
    opp = opportunity(world)
    services.opportunity_update(actor=world.seller, instance=opp, data={"subject": "a"})
    with pytest.raises(core_services.StaleVersion):
        services.opportunity_move_stage(actor=world.seller, instance=opp, stage=stage("proposal"), expected_version=opp.version)
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "initial"


def test_stage_history_gives_dwell_time(world):
    opp = opportunity(world)
    StageChange.objects.filter(opportunity=opp).update(entered_at=opp.stage_entered_at - timedelta(days=12))
    services.opportunity_move_stage(actor=world.seller, instance=opp, stage=stage("needs"))
    first, second = StageChange.objects.filter(opportunity=opp)
    assert first.left_at is not None and first.dwell(None).days == 12
    assert second.stage.code == "needs" and second.left_at is None


def test_customer_360_figures_read_through_the_gate(world):
    from customers.figures import figures_for

    opportunity(world, stage=stage("proposal"), expected_amount=Decimal("1000"))
    opportunity(world, stage=stage("negotiation"), expected_amount=Decimal("2000"))
    mine = {f["key"]: f["value"] for f in figures_for(world.mine, world.seller)}
    assert mine["opportunity_count"] == 2 and mine["opportunity_amount"] == Decimal("2000.00")
    theirs = {f["key"]: f["value"] for f in figures_for(world.mine, world.outsider)}
    assert theirs["opportunity_count"] == 0 and theirs["opportunity_amount"] == Decimal("0.00")
