"""/api/v1/opportunities/, /contact-records/, /projects/, /maintenance-records/: the same services as the UI."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from sales.models import ContactRecord, Opportunity, Project

from .world import build_world, opportunity, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_computes_rate_and_amount_and_refuses_a_typed_amount(world):
    client = api(world.seller)
    body = {"subject": "MES 系统", "customer": world.mine.pk, "stage": stage("proposal").pk, "expected_amount": "88888.88"}
    response = client.post("/api/v1/opportunities/", {**body, "amount": "1.00"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()["error"]["fields"]
    assert not Opportunity.objects.exists()
    response = client.post("/api/v1/opportunities/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert Decimal(data["win_rate"]) == 50 and data["amount"] == "44444.44" and data["code"].startswith("SJ-")


def test_records_flow_over_the_api(world):
    opp = opportunity(world)
    client = api(world.seller)
    first = client.post("/api/v1/contact-records/", {"opportunity": opp.pk, "date": "2026-11-01", "content": "拜访",
                                                     "stage": stage("needs").pk}, format="json").json()
    second = client.post("/api/v1/contact-records/", {"opportunity": opp.pk, "date": "2026-11-05", "content": "方案",
                                                      "stage": stage("proposal").pk}, format="json").json()
    assert (first["seq"], second["seq"]) == (1, 2)
    refused = client.post(f"/api/v1/contact-records/{second['id']}/complete/")
    assert refused.status_code == 400 and "Complete record #1 first" in refused.json()["error"]["message"] + str(refused.json())
    assert client.post(f"/api/v1/contact-records/{first['id']}/complete/").status_code == 200
    assert client.patch(f"/api/v1/contact-records/{first['id']}/", {"content": "改"}, format="json").status_code == 400
    assert client.post(f"/api/v1/contact-records/{second['id']}/complete/").status_code == 200
    listed = client.get(f"/api/v1/contact-records/?opportunity={opp.pk}").json()
    assert [r["seq"] for r in listed["results"]] and all(r["completed"] for r in listed["results"])
    assert client.delete(f"/api/v1/contact-records/{first['id']}/").status_code == 400  # not the latest completed
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "proposal"
    assert client.delete(f"/api/v1/contact-records/{second['id']}/").status_code == 204
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "needs"  # back-filled from #1


def test_audit_convert_unaudit_and_move_stage_over_the_api(world):
    opp = opportunity(world)
    client = api(world.seller)
    base = f"/api/v1/opportunities/{opp.pk}"
    assert client.post(f"{base}/convert/").status_code == 400
    moved = client.post(f"{base}/move-stage/", {"stage": stage("negotiation").pk}, format="json")
    assert moved.status_code == 200 and moved.json()["amount"] == "75000.00"
    assert client.post(f"{base}/audit/").json()["audited"] is True
    refused = client.post(f"{base}/move-stage/", {"stage": stage("needs").pk}, format="json")
    assert refused.status_code == 400
    project = client.post(f"{base}/convert/")
    assert project.status_code == 201 and project.json()["win_rate"] == "75.00"
    assert client.post(f"{base}/unaudit/").status_code == 400
    assert client.delete(f"/api/v1/projects/{project.json()['id']}/").status_code == 204
    assert client.post(f"{base}/unaudit/").json()["audited"] is False
    assert client.post(f"{base}/terminate/").json()["terminated"] is True
    assert client.post(f"{base}/reactivate/").json()["terminated"] is False


def test_decision_chain_competitors_and_tasks(world):
    opp = opportunity(world)
    client = api(world.seller)
    base = f"/api/v1/opportunities/{opp.pk}"
    row = client.post(f"{base}/participants/", {"contact": world.contact.pk, "role": "技术负责人", "attitude": "supporter"},
                      format="json")
    assert row.status_code == 201, row.content
    assert client.post(f"{base}/competitors/", {"name": "金蝶", "offer": "90000", "moves": "降价"}, format="json").status_code == 201
    task = client.post(f"{base}/tasks/", {"title": "安排演示"}, format="json").json()
    done = client.patch(f"{base}/tasks/{task['id']}/", {"done": True}, format="json")
    assert done.status_code == 200 and done.json()["done"] is True
    assert len(client.get(f"{base}/participants/").json()) == 1
    assert client.delete(f"{base}/competitors/{opp.competitors.get().pk}/").status_code == 204
    assert not opp.competitors.exists()


def test_project_copy_terminate_and_maintenance_records(world):
    client = api(world.seller)
    project = client.post("/api/v1/projects/", {"subject": "维保", "customer": world.mine.pk, "stage": stage("needs").pk,
                                                "expected_amount": "1000"}, format="json").json()
    assert project["amount"] == "250.00"
    record = client.post("/api/v1/maintenance-records/", {"project": project["id"], "date": "2026-11-03", "content": "巡检",
                                                          "stage": stage("proposal").pk}, format="json").json()
    assert client.post(f"/api/v1/maintenance-records/{record['id']}/complete/").status_code == 200
    assert Project.objects.get(pk=project["id"]).stage.code == "proposal"
    copy = client.post(f"/api/v1/projects/{project['id']}/copy-to-opportunity/")
    assert copy.status_code == 201 and copy.json()["from_project"] == project["id"]
    assert client.post(f"/api/v1/projects/{project['id']}/terminate/").json()["terminated"] is True


def test_an_outsider_sees_nothing_and_changes_nothing_over_the_api(world):
    opp = opportunity(world)
    record = ContactRecord.objects.create(opportunity=opp, seq=1, date="2026-11-01", content="x", owner=world.seller)
    client = api(world.outsider)
    assert client.get("/api/v1/opportunities/").json()["count"] == 0
    assert client.get("/api/v1/contact-records/").json()["count"] == 0
    assert client.get(f"/api/v1/opportunities/{opp.pk}/").status_code == 404
    for url in ("audit", "terminate", "convert", "participants"):
        assert client.post(f"/api/v1/opportunities/{opp.pk}/{url}/", {}, format="json").status_code == 404, url
    assert client.post(f"/api/v1/opportunities/{opp.pk}/move-stage/", {"stage": stage("won").pk}, format="json").status_code == 404
    assert client.post(f"/api/v1/contact-records/{record.pk}/complete/").status_code == 404
    assert client.delete(f"/api/v1/opportunities/{opp.pk}/").status_code == 404
    assert client.post("/api/v1/contact-records/", {"opportunity": opp.pk, "date": "2026-11-01", "content": "x"},
                       format="json").status_code == 400  # the opportunity is not a choice for them
    fresh = Opportunity.objects.get(pk=opp.pk)
    assert (fresh.version, fresh.audited, fresh.terminated, fresh.participants.count()) == (opp.version, False, False, 0)
    assert ContactRecord.objects.filter(opportunity=opp).count() == 1


def test_a_get_body_can_be_put_back_and_edits_recompute(world):
    opp = opportunity(world)
    client = api(world.seller)
    body = client.get(f"/api/v1/opportunities/{opp.pk}/").json()
    body["expected_amount"] = "50000.00"
    response = client.put(f"/api/v1/opportunities/{opp.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "5000.00"
    body = response.json()
    body["terminated"] = True
    assert client.put(f"/api/v1/opportunities/{opp.pk}/", body, format="json").status_code == 400
    assert not Opportunity.objects.get(pk=opp.pk).terminated
