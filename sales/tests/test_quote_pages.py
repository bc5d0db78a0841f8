"""Quote pages, PDF and /api/v1/quotes/: the same services, the gate in front (404 outside scope)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditLog
from sales import services_quotes
from sales.amount_words import amount_in_words
from sales.models import Quote, QuoteTemplate

from .pdf_text import everything, text
from .quote_world import build, line


@pytest.fixture
def q(db):
    return build()


def make(q, **extra):
    return services_quotes.quote_create(actor=q.w.seller, data={"contact_record": q.record},
                                        lines=[line(q, **extra)])


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_from_the_record_with_line_rows(client, q):
    client.force_login(q.w.seller)
    url = reverse("sales:quote_create") + f"?contact_record={q.record.pk}"
    page = client.get(url)
    assert page.status_code == 200 and b"lines-TOTAL_FORMS" in page.content
    opp_page = client.get(reverse("sales:opportunity_detail", args=[q.record.opportunity_id]))
    assert url.encode() in opp_page.content.replace(b"&amp;", b"&")
    form = {"code": "", "valid_until": "2026-12-31", "notes": "", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-0-product": q.product.pk, "lines-0-unit": q.product.base_unit_id, "lines-0-quantity": "10",
            "lines-0-unit_price": "4", "lines-0-discount": "", "lines-0-tax_rate": "13",
            "lines-1-product": q.product.pk, "lines-1-quantity": "1", "lines-1-unit_price": "1", "lines-1-DELETE": "on"}
    response = client.post(url, form)
    quote = Quote.objects.get()
    assert response.status_code == 302 and quote.grand_total == Decimal("45.20") and quote.lines.count() == 1
    detail = client.get(reverse("sales:quote_detail", args=[quote.pk]))
    assert "肆拾伍元贰角" in detail.content.decode()
    assert client.post(url, form).status_code == 200 and Quote.objects.count() == 1  # one per record


def test_buttons_drive_the_workflow(client, q):
    quote = make(q, unit_price=Decimal("3"))
    client.force_login(q.w.seller)
    client.post(reverse("sales:quote_action", args=[quote.pk, "submit"]))
    client.post(reverse("sales:quote_action", args=[quote.pk, "approve"]))
    assert Quote.objects.get().status == Quote.Status.PENDING
    client.force_login(q.manager)
    assert "/do/approve/" in client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    client.post(reverse("sales:quote_action", args=[quote.pk, "approve"]), {"note": "ok"})
    assert Quote.objects.get().status == Quote.Status.APPROVED


def test_pdf_has_the_cjk_font_embedded_and_the_total_in_words(client, q):
    quote = make(q, quantity=Decimal("1234"), unit_price=Decimal("4"))
    client.force_login(q.w.seller)
    response = client.get(reverse("sales:quote_pdf", args=[quote.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    raw = everything(pdf)
    assert b"/FontFile" in raw and b"NotoSansCJK" in raw
    words = amount_in_words(Quote.objects.get().grand_total)
    assert words == "伍仟伍佰柒拾柒元陆角捌分" and words in text(pdf)
    assert AuditLog.objects.filter(action="print", object_id=quote.pk).exists()


def test_the_company_template_is_sandboxed(client, q):
    quote = make(q)
    QuoteTemplate.objects.create(company_name="<b>明远</b>", body="{{ company.name }}|{{ quote.customer }}|"
                                 "{{ request.user }}{{ settings.SECRET_KEY }}|{{ quote.grand_total }}")
    from sales.quote_pdf import render_html

    html = render_html(Quote.objects.get(pk=quote.pk))
    assert "&lt;b&gt;明远&lt;/b&gt;|上海明远精密机械有限公司||45.20" in html
    client.force_login(q.w.boss)
    response = client.post(reverse("sales:quote_template"), {"body": "{% load static %}x"})
    assert response.status_code == 200 and QuoteTemplate.objects.get().body.startswith("{{ company.name }}")
    client.force_login(q.w.seller)
    assert client.get(reverse("sales:quote_template")).status_code == 404


def test_api_flow_with_nested_lines(q):
    client = api(q.w.seller)
    body = {"contact_record": q.record.pk, "lines": [
        {"product": q.product.pk, "quantity": "10", "unit_price": "3.00", "tax_rate": "13"}]}
    response = client.post("/api/v1/quotes/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["grand_total"] == "33.90" and data["lines"][0]["total"] == "33.90"
    assert data["amount_in_words"] == "叁拾叁元玖角"
    pk = data["id"]
    assert client.post(f"/api/v1/quotes/{pk}/submit/").json()["status"] == "pending"
    assert client.post(f"/api/v1/quotes/{pk}/send/").status_code == 400
    assert client.post(f"/api/v1/quotes/{pk}/approve/", {}, format="json").status_code == 403
    assert api(q.manager).post(f"/api/v1/quotes/{pk}/approve/", {"note": "ok"}, format="json").json()["status"] == "approved"
    assert client.post(f"/api/v1/quotes/{pk}/send/").json()["status"] == "sent"
    pdf = client.get(f"/api/v1/quotes/{pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_outsider_sees_nothing_and_changes_nothing(client, q):
    quote = make(q)
    client.force_login(q.w.outsider)
    for name in ("quote_detail", "quote_pdf", "quote_update"):
        assert client.get(reverse(f"sales:{name}", args=[quote.pk])).status_code == 404
    for name in ("submit", "send", "delete"):
        assert client.post(reverse("sales:quote_action", args=[quote.pk, name])).status_code == 404
    assert client.get(reverse("sales:quote_create") + f"?contact_record={q.record.pk}").status_code == 404
    assert quote.code not in client.get(reverse("sales:quote_list")).content.decode()
    other = api(q.w.outsider)
    assert other.get("/api/v1/quotes/").json()["count"] == 0
    for method, path in (("get", ""), ("get", "pdf/"), ("patch", ""), ("post", "submit/"), ("delete", "")):
        assert getattr(other, method)(f"/api/v1/quotes/{quote.pk}/{path}", {}, format="json").status_code == 404
    response = other.post("/api/v1/quotes/", {"contact_record": q.record.pk, "lines": [
        {"product": q.product.pk, "quantity": "1", "unit_price": "4"}]}, format="json")
    assert response.status_code in (400, 404)
    fresh = Quote.objects.get()
    assert (fresh.status, fresh.version, fresh.deleted_at) == (Quote.Status.DRAFT, quote.version, None)
    assert not AuditLog.objects.filter(action="print").exists()
