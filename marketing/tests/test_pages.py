"""The lead pages: list, pool, detail with duplicates, convert page, batch actions, admin pages."""

import html
import re

import pytest
from django.urls import reverse

from core.basedata import get_item
from customers.models import Contact, Customer
from marketing import services
from marketing.models import Lead, LeadTeam, WebForm
from sales.models import Opportunity

from .world import build_world, customer_of, lead, reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def login(client, user):
    client.force_login(user)
    return client


def test_list_detail_and_pool_for_the_marketer(client, w):
    mine = lead(w.marketer, company="杭州新锐智能")
    pooled = lead(w.marketer, company="无主公司", mobile="13900139000")
    Lead.objects.filter(pk=pooled.pk).update(owner=None, department=None)
    services.lead_lose(actor=w.marketer, lead=lead(w.marketer, company="已流失公司", mobile="13700137000"),
                       reason=reason())
    login(client, w.marketer)
    listing = client.get(reverse("marketing:lead_list")).content.decode()
    assert "杭州新锐智能" in listing and reverse("marketing:lead_batch_actions") in listing
    detail = client.get(reverse("marketing:lead_detail", args=[mine.pk])).content.decode()
    assert 'data-testid="lead-duplicates"' in detail and 'data-testid="lead-convert"' in detail
    pool = client.get(reverse("marketing:lead_pool")).content.decode()
    assert "无主公司" in pool and "杭州新锐智能" not in pool
    new_link = re.search(r'href="([^"]+)" class="badge bg-blue-lt[^>]*>New <strong class="ms-1">2</strong>', pool)
    assert new_link, pool
    filtered = client.get(html.unescape(new_link.group(1)))
    assert filtered.status_code == 200 and "杭州新锐智能" in filtered.content.decode()
    assert "已流失公司" not in filtered.content.decode()
    assert "已流失公司" in client.get(reverse("marketing:lead_list")).content.decode()


def test_outsider_sees_nothing_and_changes_nothing(client, w):
    row = lead(w.seller_a, company="秘密线索公司")
    login(client, w.outsider)
    assert "秘密线索公司" not in client.get(reverse("marketing:lead_list")).content.decode()
    assert "秘密线索公司" not in client.get(reverse("marketing:lead_pool")).content.decode()
    for name in ("lead_detail", "lead_update", "lead_history", "lead_convert"):
        assert client.get(reverse(f"marketing:{name}", args=[row.pk])).status_code == 404, name
    posts = [("lead_lose", {"reason": reason().pk}), ("lead_reopen", {}), ("lead_merge", {"other": row.pk}),
             ("lead_assign_next", {"team": w.team.pk}), ("lead_convert", {"mode": "new", "customer_name": "x",
                                                                         "contact_name": "y"})]
    for name, data in posts:
        assert client.post(reverse(f"marketing:{name}", args=[row.pk]), data).status_code == 404, name
    batch = client.post(reverse("marketing:lead_batch_actions"), {"ids": str(row.pk), "action": "lose",
                                                                  "reason": reason().pk})
    assert batch.status_code == 404
    assert client.get(reverse("marketing:lead_batch_actions") + f"?ids={row.pk}").status_code == 404
    row.refresh_from_db()
    assert (row.status, row.owner, row.version) == ("new", w.seller_a, 1)
    assert Customer.objects.count() == 0


def test_detail_duplicates_panel_hides_out_of_scope_customer(client, w):
    customer_of(w.outsider, "成都天府软件有限公司", phone="13800138000", code="KH-HIDDEN-1")
    row = lead(w.seller_a)
    page = login(client, w.seller_a).get(reverse("marketing:lead_detail", args=[row.pk])).content.decode()
    assert "same phone number" in page and "outsider" in page
    assert "天府" not in page and "KH-HIDDEN-1" not in page


def test_convert_page_prefills_and_converts(client, w):
    row = lead(w.seller_a, title="厂长", requirement="年度维保方案")
    login(client, w.seller_a)
    page = client.get(reverse("marketing:lead_convert", args=[row.pk])).content.decode()
    assert 'value="上海明远精密机械有限公司"' in page and 'value="年度维保方案"' in page and 'value="厂长"' in page
    response = client.post(reverse("marketing:lead_convert", args=[row.pk]), {
        "mode": "new", "customer_name": "上海明远精密机械有限公司", "customer_phone": "13800138000",
        "contact_name": "张伟", "contact_mobile": "13800138000", "create_opportunity": "on",
        "subject": "年度维保方案", "expected_amount": "80000", "stage": get_item("sales_stage", "initial").pk,
        "version": row.version})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "converted" and row.customer.name == "上海明远精密机械有限公司"
    assert Contact.objects.get().customer == row.customer and Opportunity.objects.get().subject == "年度维保方案"
    detail = client.get(reverse("marketing:lead_detail", args=[row.pk])).content.decode()
    assert "Converted into" in detail and 'data-testid="lead-convert"' not in detail


def test_convert_page_duplicate_refusal_changes_nothing(client, w):
    customer_of(w.outsider, "别人的客户", phone="13800138000")
    row = lead(w.seller_a)
    response = login(client, w.seller_a).post(reverse("marketing:lead_convert", args=[row.pk]), {
        "mode": "new", "customer_name": "上海明远", "customer_phone": "13800138000", "contact_name": "张伟"})
    assert response.status_code == 400 and "same phone number" in response.content.decode()
    assert Customer.objects.count() == 1 and Contact.objects.count() == 0
    assert Lead.objects.get(pk=row.pk).status == "new"


def test_lose_from_detail_needs_a_reason(client, w):
    row = lead(w.seller_a)
    login(client, w.seller_a)
    client.post(reverse("marketing:lead_lose", args=[row.pk]), {"reason": ""})
    assert Lead.objects.get(pk=row.pk).status == "new"
    client.post(reverse("marketing:lead_lose", args=[row.pk]), {"reason": reason("spam").pk})
    assert Lead.objects.get(pk=row.pk).lost_reason.code == "spam"


def test_batch_round_robin_and_assign(client, w):
    rows = [lead(w.marketer, company=f"公司{i}", mobile=f"1390013900{i}") for i in range(3)]
    login(client, w.marketer)
    ids = ",".join(str(r.pk) for r in rows)
    page = client.get(reverse("marketing:lead_batch_actions") + f"?ids={ids}")
    assert page.status_code == 200 and "华东轮流组" in page.content.decode()
    response = client.post(reverse("marketing:lead_batch_actions"), {"ids": ids, "action": "round_robin",
                                                                      "team": w.team.pk})
    assert response.status_code == 302
    assert sorted(Lead.objects.values_list("owner__username", flat=True)) == ["seller_a", "seller_a", "seller_b"]
    client.post(reverse("marketing:lead_batch_actions"), {"ids": ids, "action": "assign", "owner": w.seller_b.pk})
    assert set(Lead.objects.values_list("owner__username", flat=True)) == {"seller_b"}


def test_admin_pages_need_an_administrator(client, w):
    login(client, w.marketer)
    for name in ("team_list", "team_create", "form_list", "form_create"):
        assert client.get(reverse(f"marketing:{name}")).status_code == 403, name
    assert client.post(reverse("marketing:team_create"), {"name": "x", "department": w.east.pk}).status_code == 403
    assert LeadTeam.objects.count() == 1


def test_admin_creates_team_and_web_form_with_embed_snippet(client, w):
    login(client, w.boss)
    response = client.post(reverse("marketing:team_create"), {"name": "华南组", "members": [w.seller_b.pk],
                                                               "active": "on"})
    assert response.status_code == 302
    team = LeadTeam.objects.get(name="华南组")
    assert list(team.members.all()) == [w.seller_b]
    assert "seller_b" in client.get(reverse("marketing:team_list")).content.decode()
    response = client.post(reverse("marketing:form_create"), {
        "title": "展会登记", "slug": "expo-2026", "fields": ["company", "mobile"], "required": ["mobile"],
        "team": team.pk, "hourly_limit": 5, "active": "on"})
    assert response.status_code == 302
    web_form = WebForm.objects.get(slug="expo-2026")
    assert web_form.fields == ["company", "mobile"] and web_form.team == team
    page = client.get(reverse("marketing:form_edit", args=[web_form.pk])).content.decode()
    assert "/marketing/web-form/expo-2026/" in page and "&lt;iframe" in page


def test_web_form_admin_refuses_a_form_nobody_can_be_reached_through(client, w):
    login(client, w.boss)
    response = client.post(reverse("marketing:form_create"), {"title": "坏表单", "slug": "bad", "fields": ["company"],
                                                               "hourly_limit": 5})
    assert response.status_code == 400 and WebForm.objects.count() == 0
