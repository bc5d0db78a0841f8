"""/api/v1/leads/: list, detail and actions through the gate; out of scope is absent, 404 and traceless."""

import pytest
from rest_framework.test import APIClient

from core.basedata import get_item
from core.models import AuditLog
from customers.models import Contact, Customer
from marketing.models import Lead
from sales.models import Opportunity

from .world import build_world, customer_of, lead, reason

pytestmark = pytest.mark.django_db
URL = "/api/v1/leads/"


@pytest.fixture
def w():
    return build_world()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_detail_create_for_the_owner(w):
    row = lead(w.seller_a)
    client = api(w.seller_a)
    listed = client.get(URL).json()
    assert [r["id"] for r in listed["results"]] == [row.pk]
    assert client.get(f"{URL}{row.pk}/").json()["status"] == "new"
    created = client.post(URL, {"contact_name": "王芳", "mobile": "13900139000", "company": "广州远航物流"},
                          format="json")
    assert created.status_code == 201 and created.json()["owner"] == w.seller_a.pk
    refused = client.post(URL, {"contact_name": "王芳", "status": "converted", "mobile": "13900139001"}, format="json")
    assert refused.status_code == 400
    assert client.post(URL, {"contact_name": "x", "mobile": "139", "customer": 1}, format="json").status_code == 400


def test_outsider_sees_nothing_and_changes_nothing(w):
    row = lead(w.seller_a)
    client = api(w.outsider)
    audit_before = AuditLog.objects.count()
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{row.pk}/").status_code == 404
    assert client.patch(f"{URL}{row.pk}/", {"notes": "x"}, format="json").status_code == 404
    assert client.delete(f"{URL}{row.pk}/").status_code == 404
    assert client.get(f"{URL}{row.pk}/duplicates/").status_code == 404
    assert client.post(f"{URL}{row.pk}/lose/", {"reason": reason().pk}, format="json").status_code == 404
    assert client.post(f"{URL}{row.pk}/assign/", {"owner": w.outsider.pk}, format="json").status_code == 404
    assert client.post(f"{URL}{row.pk}/reopen/").status_code == 404
    assert client.post(f"{URL}{row.pk}/merge/", {"other": row.pk}, format="json").status_code == 404
    assert client.get(f"{URL}{row.pk}/history/").status_code == 404
    convert = {"customer": {"name": "x"}, "contact": {"name": "y"}}
    assert client.post(f"{URL}{row.pk}/convert/", convert, format="json").status_code == 404
    rr = client.post(f"{URL}round-robin/", {"ids": [row.pk], "team": w.team.pk}, format="json")
    assert rr.status_code in (403, 404)
    row.refresh_from_db()
    assert (row.status, row.owner, row.version, row.notes) == ("new", w.seller_a, 1, "")
    assert AuditLog.objects.count() == audit_before and Customer.objects.count() == 0


def test_lose_needs_a_lead_lost_reason(w):
    row = lead(w.seller_a)
    client = api(w.seller_a)
    assert client.post(f"{URL}{row.pk}/lose/", {}, format="json").status_code == 400
    other_kind = get_item("customer_source", "website").pk
    assert client.post(f"{URL}{row.pk}/lose/", {"reason": other_kind}, format="json").status_code == 400
    assert Lead.objects.get(pk=row.pk).status == "new"
    response = client.post(f"{URL}{row.pk}/lose/", {"reason": reason().pk, "note": "无需求"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "lost"


def test_round_robin_and_manual_assign(w):
    rows = [lead(w.marketer, company=f"公司{i}", mobile=f"1390013900{i}") for i in range(3)]
    client = api(w.marketer)
    response = client.post(f"{URL}round-robin/", {"ids": [r.pk for r in rows], "team": w.team.pk}, format="json")
    assert response.status_code == 200
    assert response.json() == {"count": 3, "owners": {str(w.seller_a.pk): 2, str(w.seller_b.pk): 1}}
    assert client.post(f"{URL}{rows[0].pk}/assign/", {"owner": w.seller_b.pk}, format="json").status_code == 200
    assert Lead.objects.get(pk=rows[0].pk).owner == w.seller_b


def test_convert_and_converted_is_immutable(w):
    row = lead(w.seller_a)
    client = api(w.seller_a)
    response = client.post(f"{URL}{row.pk}/convert/", {
        "customer": {"name": "上海明远精密机械有限公司", "phone": "13800138000"},
        "contact": {"name": "张伟", "mobile": "13800138000"},
        "opportunity": {"subject": "改造项目", "expected_amount": "50000.00",
                        "stage": get_item("sales_stage", "initial").pk}}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["new_customer"] and Opportunity.objects.get().pk == body["opportunity"]
    assert Contact.objects.get().pk == body["contact"]
    assert client.patch(f"{URL}{row.pk}/", {"company": "改名"}, format="json").status_code == 400
    assert client.patch(f"{URL}{row.pk}/", {"notes": "已成交"}, format="json").status_code == 200
    assert client.delete(f"{URL}{row.pk}/").status_code == 400
    assert Lead.objects.get(pk=row.pk).company == "上海明远精密机械有限公司"


def test_convert_duplicate_refusal_is_all_or_nothing(w):
    customer_of(w.outsider, "别人的客户", phone="13800138000")
    row = lead(w.seller_a)
    response = api(w.seller_a).post(f"{URL}{row.pk}/convert/", {
        "customer": {"name": "上海明远", "phone": "13800138000"}, "contact": {"name": "张伟"}}, format="json")
    assert response.status_code == 400
    assert Customer.objects.count() == 1 and Contact.objects.count() == 0
    assert Lead.objects.get(pk=row.pk).status == "new"


def test_convert_into_out_of_scope_customer_is_not_found(w):
    theirs = customer_of(w.outsider, "别人的客户")
    row = lead(w.seller_a)
    response = api(w.seller_a).post(f"{URL}{row.pk}/convert/", {"existing_customer": theirs.pk,
                                                               "contact": {"name": "张伟"}}, format="json")
    assert response.status_code == 404 and Contact.objects.count() == 0


def test_duplicates_never_reveal_out_of_scope_customer(w):
    customer_of(w.outsider, "成都天府软件有限公司", phone="13800138000", code="KH-HIDDEN-2")
    row = lead(w.seller_a)
    body = api(w.seller_a).get(f"{URL}{row.pk}/duplicates/").json()
    assert body["customers"] and body["customers"][0]["visible"] is False
    assert "id" not in body["customers"][0] and "天府" not in str(body) and "KH-HIDDEN-2" not in str(body)


def test_reopen_and_merge(w):
    client = api(w.marketer)
    lost = lead(w.marketer, company="流失公司", mobile="13700137000")
    client.post(f"{URL}{lost.pk}/lose/", {"reason": reason().pk}, format="json")
    assert client.post(f"{URL}{lost.pk}/reopen/").json()["status"] == "new"
    kept, other = lead(w.marketer, email=""), lead(w.marketer, mobile="13900139000", email="x@y.cn")
    merged = client.post(f"{URL}{kept.pk}/merge/", {"other": other.pk}, format="json")
    assert merged.status_code == 200 and merged.json()["email"] == "x@y.cn"
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    theirs = lead(w.outsider, mobile="13600136000")
    assert client.post(f"{URL}{kept.pk}/merge/", {"other": 999999}, format="json").status_code == 404
    assert api(w.seller_a).post(f"{URL}{kept.pk}/merge/", {"other": theirs.pk}, format="json").status_code == 404
    assert Lead.objects.filter(pk=theirs.pk).exists()


def test_converted_lead_cannot_be_restored_to_an_older_version(w):
    from marketing import conversion

    row = lead(w.seller_a)
    conversion.lead_convert(actor=w.seller_a, lead=row, customer_data={"name": "上海明远"},
                            contact_data={"name": "张伟"})
    response = api(w.seller_a).post(f"{URL}{row.pk}/restore-version/", {"number": 1}, format="json")
    assert response.status_code == 400
    assert Lead.objects.get(pk=row.pk).status == "converted"
