"""Pages: list/detail/board through the gate, actions and the kanban move through the services."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from core.testing import PASSWORD
from sales import services, services_records
from sales.models import ContactRecord, Opportunity, Project

from .world import build_world, opportunity, stage


@pytest.fixture
def world(db):
    return build_world()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_list_detail_and_board_show_the_opportunity_to_its_owner(world, client):
    opp = opportunity(world)
    services_records.record_create(actor=world.seller, model=ContactRecord, data={"opportunity": opp, "content": "第一次拜访"})
    login(client, world.seller)
    assert opp.subject in client.get(reverse("sales:opportunity_list")).content.decode()
    page = client.get(reverse("sales:opportunity_detail", args=[opp.pk])).content.decode()
    assert "第一次拜访" in page and "Audit" in page
    board = client.get(reverse("sales:opportunity_board")).content.decode()
    assert opp.subject in board and 'draggable="true"' in board


def test_an_outsider_sees_nothing_and_changes_nothing(world, client):
    opp = opportunity(world)
    record = services_records.record_create(actor=world.seller, model=ContactRecord, data={"opportunity": opp, "content": "拜访"})
    login(client, world.outsider)
    assert opp.subject not in client.get(reverse("sales:opportunity_list")).content.decode()
    assert opp.subject not in client.get(reverse("sales:opportunity_board")).content.decode()
    assert client.get(reverse("sales:opportunity_detail", args=[opp.pk])).status_code == 404
    assert client.get(reverse("sales:contactrecord_detail", args=[record.pk])).status_code == 404
    posts = [reverse("sales:opportunity_move", args=[opp.pk]),
             reverse("sales:opportunity_action", args=[opp.pk, "audit"]),
             reverse("sales:opportunity_action", args=[opp.pk, "terminate"]),
             reverse("sales:opportunity_child_add", args=[opp.pk, "competitor"]),
             reverse("sales:record_complete", args=["contactrecord", record.pk]),
             reverse("sales:record_remove", args=["contactrecord", record.pk]),
             reverse("sales:opportunity_delete", args=[opp.pk])]
    for url in posts:
        assert client.post(url, {"stage": stage("won").pk, "name": "对手"}).status_code == 404, url
    fresh = Opportunity.objects.get(pk=opp.pk)
    assert (fresh.version, fresh.stage.code, fresh.audited, fresh.terminated) == (opp.version, "initial", False, False)
    assert not fresh.competitors.exists() and not ContactRecord.objects.get(pk=record.pk).completed


def test_kanban_move_goes_through_the_service(world, client):
    opp = opportunity(world)
    login(client, world.seller)
    response = client.post(reverse("sales:opportunity_move", args=[opp.pk]),
                           {"stage": stage("negotiation").pk, "version": opp.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    opp.refresh_from_db()
    assert opp.stage.code == "negotiation" and opp.win_rate == 75 and opp.amount == Decimal("75000.00")
    assert opp.stage_changes.count() == 2


def test_a_refused_kanban_move_changes_nothing_and_says_why(world, client):
    opp = services.opportunity_audit(actor=world.seller, instance=opportunity(world))
    login(client, world.seller)
    response = client.post(reverse("sales:opportunity_move", args=[opp.pk]),
                           {"stage": stage("proposal").pk, "version": opp.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "unaudit it first" in response.content.decode()
    fresh = Opportunity.objects.get(pk=opp.pk)
    assert (fresh.stage.code, fresh.version) == ("initial", opp.version)
    lost = opportunity(world, subject="丢单")
    response = client.post(reverse("sales:opportunity_move", args=[lost.pk]), {"stage": stage("lost").pk})
    assert response.status_code == 409 and "lost" in response.content.decode()
    assert Opportunity.objects.get(pk=lost.pk).stage.code == "initial"


def test_actions_on_the_detail_page(world, client):
    opp = opportunity(world)
    login(client, world.seller)
    client.post(reverse("sales:opportunity_action", args=[opp.pk, "convert"]))
    assert not Project.objects.exists()  # refused: not audited
    client.post(reverse("sales:opportunity_action", args=[opp.pk, "audit"]))
    response = client.post(reverse("sales:opportunity_action", args=[opp.pk, "convert"]))
    project = Project.objects.get()
    assert response.url == reverse("sales:project_detail", args=[project.pk])
    client.post(reverse("sales:opportunity_action", args=[opp.pk, "unaudit"]))
    assert Opportunity.objects.get(pk=opp.pk).audited
    page = client.get(reverse("sales:opportunity_detail", args=[opp.pk]), follow=True).content.decode()
    assert project.code in page


def test_form_creates_with_default_rate_and_records_and_children(world, client):
    login(client, world.seller)
    response = client.post(reverse("sales:opportunity_create"), {
        "subject": "ERP 项目", "customer": world.mine.pk, "stage": stage("proposal").pk,
        "expected_amount": "200000", "status": "open"})
    assert response.status_code == 302, response.content.decode()[:2000]
    opp = Opportunity.objects.get(subject="ERP 项目")
    assert opp.win_rate == 50 and opp.amount == Decimal("100000.00")
    response = client.post(reverse("sales:contactrecord_create"), {
        "opportunity": opp.pk, "date": "2026-11-02", "content": "需求调研", "stage": stage("needs").pk})
    assert response.status_code == 302 and response.url == reverse("sales:opportunity_detail", args=[opp.pk])
    record = ContactRecord.objects.get(opportunity=opp)
    client.post(reverse("sales:record_complete", args=["contactrecord", record.pk]))
    opp.refresh_from_db()
    assert opp.stage.code == "needs" and opp.win_rate == 25
    client.post(reverse("sales:opportunity_child_add", args=[opp.pk, "participant"]),
                {"contact": world.contact.pk, "role": "决策人", "attitude": "supporter"})
    client.post(reverse("sales:opportunity_child_add", args=[opp.pk, "competitor"]), {"name": "用友", "offer": "180000"})
    client.post(reverse("sales:opportunity_child_add", args=[opp.pk, "task"]), {"title": "发送方案"})
    assert (opp.participants.count(), opp.competitors.count(), opp.tasks.count()) == (1, 1, 1)
    assert opp.competitors.get().offer == Decimal("180000.00")


def test_customer_360_tab_lists_the_customers_opportunities(world, client):
    opp = opportunity(world)
    login(client, world.seller)
    url = reverse("customers:customer_360_tab", args=[world.mine.pk, "opportunities"])
    assert opp.subject in client.get(url).content.decode()


def test_editing_a_completed_record_in_the_form_is_refused(world, client):
    opp = opportunity(world)
    record = services_records.record_create(actor=world.seller, model=ContactRecord, data={"opportunity": opp, "content": "拜访"})
    services_records.record_complete(actor=world.seller, instance=record)
    login(client, world.seller)
    record.refresh_from_db()
    response = client.post(reverse("sales:contactrecord_update", args=[record.pk]), {
        "opportunity": opp.pk, "date": "2026-11-02", "content": "改", "version": record.version})
    assert response.status_code == 400 and "delete it and add it again" in response.content.decode()
    assert ContactRecord.objects.get(pk=record.pk).content == "拜访"


def test_project_pages_follow_the_gate(world, client):
    from sales import services_project

    project = services_project.project_create(actor=world.seller, data={"subject": "维保项目", "customer": world.mine})
    login(client, world.outsider)
    assert "维保项目" not in client.get(reverse("sales:project_list")).content.decode()
    assert client.get(reverse("sales:project_detail", args=[project.pk])).status_code == 404
    for name in ("terminate", "copy"):
        assert client.post(reverse("sales:project_action", args=[project.pk, name])).status_code == 404
    assert not Project.objects.get(pk=project.pk).terminated and not Opportunity.objects.exists()
    client.logout()
    login(client, world.seller)
    assert "维保项目" in client.get(reverse("sales:project_detail", args=[project.pk])).content.decode()
    response = client.post(reverse("sales:project_action", args=[project.pk, "copy"]))
    copy = Opportunity.objects.get(from_project=project)
    assert response.url == reverse("sales:opportunity_detail", args=[copy.pk])


def test_terminated_opportunities_are_red_in_the_list(world, client):
    live = opportunity(world)
    ended = services.opportunity_terminate(actor=world.seller, instance=opportunity(world))
    login(client, world.seller)
    html = client.get(reverse("sales:opportunity_list")).content.decode()
    assert html.count('class="table-danger"') == 1
    row = html[html.index('class="table-danger"'):]
    assert reverse("sales:opportunity_detail", args=[ended.pk]) in row.split("</tr>")[0]
    assert reverse("sales:opportunity_detail", args=[live.pk]) not in row.split("</tr>")[0]


def test_board_caps_each_column_and_counts_all(world, client, django_assert_num_queries, monkeypatch):
    from sales import views_board

    monkeypatch.setattr(views_board, "CARDS_PER_COLUMN", 2)
    made = {code: [opportunity(world, subject=f"{code}-{i}", stage=stage(code)) for i in range(3)]
            for code in ("initial", "needs", "proposal")}
    login(client, world.seller)
    client.get(reverse("sales:opportunity_board"))  # warm the session and per-process caches
    # The page's queries, then the cards: one statement on PostgreSQL (core.topn), one per column with
    # cards on SQLite (3 here).
    with django_assert_num_queries(9 if connection.vendor == "postgresql" else 8 + 3):
        html = client.get(reverse("sales:opportunity_board")).content.decode()
    for rows in made.values():
        # The two newest of each column are shown, the oldest is not; the column still counts all three.
        assert rows[2].subject in html and rows[1].subject in html and rows[0].subject not in html
    ctx = views_board.board_context(type("R", (), {"user": world.seller, "GET": {}, "POST": {}})())
    counts = {c["stage"].code: c["count"] for c in ctx["columns"] if c["stage"]}
    assert counts["initial"] == counts["needs"] == counts["proposal"] == 3
    assert [o.pk for o in ctx["owners"]] == [world.seller.pk]  # own scope: only oneself to filter by
