from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import Notification
from sales import services
from sales.models import StageChange, StageRule
from sales.services_stage import stage_rules_save
from sales.tasks import alert_stalled

from .world import build_world, opportunity, stage


@pytest.fixture
def world(db):
    return build_world()


def age(opp, days: int) -> None:
    StageChange.objects.filter(opportunity=opp, left_at__isnull=True).update(
        entered_at=timezone.now() - timedelta(days=days))


def test_the_owner_is_alerted_once_per_stint(world):
    stalled, fresh = opportunity(world), opportunity(world, subject="新商机")
    age(stalled, 31)
    age(fresh, 5)
    assert alert_stalled() == 1
    notes = Notification.objects.filter(user=world.seller)
    assert notes.count() == 1 and stalled.code in notes.get().title
    assert alert_stalled() == 0  # a second run sends nothing twice
    assert Notification.objects.count() == 1
    # A new stage is a new stint: it is alerted again once it too runs long.
    services.opportunity_move_stage(actor=world.seller, instance=stalled, stage=stage("needs"))
    age(stalled, 40)
    assert alert_stalled() == 1


def test_per_stage_limit_and_closed_opportunities(world):
    opp = opportunity(world)
    age(opp, 8)
    assert alert_stalled() == 0
    stage_rules_save(actor=world.boss, limits={stage("initial").pk: "7"})
    assert StageRule.objects.get().max_days == 7
    terminated = services.opportunity_terminate(actor=world.seller, instance=opportunity(world, subject="停"))
    age(terminated, 100)
    assert alert_stalled() == 1
    assert Notification.objects.get().url.endswith(f"/sales/opportunity/{opp.pk}/")


def test_stage_rules_are_for_administrators_and_validated(world):
    with pytest.raises(PermissionDenied):
        stage_rules_save(actor=world.seller, limits={stage("initial").pk: "7"})
    with pytest.raises(ValidationError):
        stage_rules_save(actor=world.boss, limits={stage("initial").pk: "0"})
    assert not StageRule.objects.exists()
