"""The kanban board's cards (sales/board_cards.py) and column totals: what a card shows, what it hides,
and that the gate alone decides which cards and counts exist for the viewer."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.testing import PASSWORD
from org.models import FieldRule
from sales import services
from sales.models import Opportunity, StageRule

from .world import build_world, opportunity, stage


@pytest.fixture
def world(db):
    return build_world()


def board(client, user, **params) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("sales:opportunity_board"), params)
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, opp) -> str:
    """The markup of one card."""
    return next(piece for piece in html.split('<div class="card card-sm') if f'data-id="{opp.pk}"' in piece)


def test_a_card_escapes_its_text_and_shows_its_state(world, client):
    plain = opportunity(world, subject="<b>加粗</b> & 报价")
    ended = services.opportunity_terminate(actor=world.seller, instance=opportunity(world, subject="已终止"))
    stalled = opportunity(world, subject="停滞商机")
    StageRule.objects.create(stage=stage("initial"), max_days=10)
    Opportunity.objects.filter(pk=stalled.pk).update(stage_entered_at=timezone.now() - datetime.timedelta(days=40))
    html = board(client, world.seller)
    first = card(html, plain)
    assert "&lt;b&gt;加粗&lt;/b&gt; &amp; 报价" in first and "<b>加粗" not in html
    assert 'draggable="true"' in first and f'href="{reverse("sales:opportunity_detail", args=[plain.pk])}"' in first
    assert plain.amount and f"¥{plain.amount:,.2f}" in first
    assert world.mine.name in first and "0 days" in first and "bg-secondary-lt" in first
    assert "zg-red" in card(html, ended) and "Terminated" in card(html, ended)
    late = card(html, stalled)
    assert "40 days" in late and "bg-orange-lt" in late  # past the stage's 10-day limit


def test_hidden_fields_stay_off_the_cards(world, client):
    opp = opportunity(world, subject="保密的商机")
    role = world.seller.roles.get()
    for field in ("subject", "customer"):
        FieldRule.objects.create(role=role, module="sales.opportunity", field=field, mode="hidden")
    html = board(client, world.seller)
    assert "保密的商机" not in html and world.mine.name not in html
    assert opp.code in card(html, opp)  # the card is titled by its code instead


def test_columns_count_and_show_only_what_the_gate_allows(world, client):
    mine = opportunity(world, subject="我的商机")
    theirs = opportunity(world, actor=world.outsider, subject="别人的商机", customer=world.theirs)
    html = board(client, world.seller)
    assert "我的商机" in html and "别人的商机" not in html and "1 opportunity" in html
    # Asking for the other salesperson's board shows nothing of theirs, not even a count.
    html = board(client, world.seller, owner=world.outsider.pk)
    assert "别人的商机" not in html and "1 opportunity" not in html and f'data-id="{theirs.pk}"' not in html
    client.logout()
    html = board(client, world.boss)
    assert "我的商机" in html and "别人的商机" in html and "2 opportunities" in html
    html = board(client, world.boss, owner=world.seller.pk)
    assert f'data-id="{mine.pk}"' in html and f'data-id="{theirs.pk}"' not in html and "1 opportunity" in html
