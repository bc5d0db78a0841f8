"""Pages: lists, contract detail with lines/plan/approve, documents served through the gate, the
"Record receipt" form whose hidden key makes a double click record one receipt; outsiders get 404."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contracts import services
from contracts.models import ContractAttachment, DocumentStatus, Receipt, Receivable

from .world import SIGNED, build_world, contract

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world():
    return build_world()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_lists_and_menu(world):
    c = contract(world)
    page = login(world.seller).get("/contracts/contract/")
    assert page.status_code == 200 and c.code in page.content.decode()
    for url in ("/contracts/order/", "/contracts/receivable/", "/contracts/receipt/"):
        assert login(world.seller).get(url).status_code == 200
    assert c.code not in login(world.outsider).get("/contracts/contract/").content.decode()


def test_detail_add_line_plan_and_approve(world):
    c = contract(world, lines=[])
    client = login(world.seller)
    page = client.get(f"/contracts/contract/{c.pk}/").content.decode()
    assert "Approve" in page and "Add line" in page
    client.post(f"/contracts/contract/{c.pk}/lines/", {"product": world.product.pk, "unit": world.box.pk,
                                                       "quantity": "2", "discount": "5"})
    c.refresh_from_db()
    assert c.amount == Decimal("456.00")  # 2 × 240 less 5 %
    client.post(f"/contracts/contract/{c.pk}/plan/", {"due_date": "2026-12-01", "amount": "400"})
    response = client.post(f"/contracts/contract/{c.pk}/do/approve/", follow=True)
    assert "adds up to 400.00" in response.content.decode()
    client.post(f"/contracts/contract/{c.pk}/plan/", {"due_date": "2026-12-31", "amount": "56"})
    client.post(f"/contracts/contract/{c.pk}/do/approve/")
    c.refresh_from_db()
    assert c.status == DocumentStatus.APPROVED and Receivable.objects.filter(contract=c).count() == 2


def test_record_receipt_double_click_records_one(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    r = Receivable.objects.get(contract=c)
    client = login(world.seller)
    page = client.get(f"/contracts/receivable/{r.pk}/").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    form = {"amount": "100.00", "date": SIGNED.isoformat(), "idempotency_key": key}
    client.post(f"/contracts/receivable/{r.pk}/receipt/", form)
    client.post(f"/contracts/receivable/{r.pk}/receipt/", form)
    r.refresh_from_db()
    assert Receipt.objects.count() == 1 and r.balance == Decimal("799.99")
    fresh = client.get(f"/contracts/receivable/{r.pk}/").content.decode()
    assert key not in fresh  # the next form render brings a new key
    response = client.post(f"/contracts/receivable/{r.pk}/receipt/", {**form, "amount": "9999", "idempotency_key": "n"},
                           follow=True)
    assert "more than the balance" in response.content.decode() and Receipt.objects.count() == 1


def test_documents_only_through_the_contract_gate(world):
    c = contract(world)
    client = login(world.seller)
    client.post(f"/contracts/contract/{c.pk}/attachments/", {"files": SimpleUploadedFile("合同.pdf", PDF)})
    bad = client.post(f"/contracts/contract/{c.pk}/attachments/",
                      {"files": SimpleUploadedFile("x.pdf", b"not a pdf")}, follow=True)
    assert "not a real .pdf" in bad.content.decode()
    row = ContractAttachment.objects.get()
    download = client.get(f"/contracts/attachment/{row.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    outsider = login(world.outsider)
    assert outsider.get(f"/contracts/attachment/{row.pk}/").status_code == 404
    assert outsider.post(f"/contracts/attachment/{row.pk}/delete/").status_code == 404
    assert outsider.post(f"/contracts/contract/{c.pk}/attachments/",
                         {"files": SimpleUploadedFile("y.pdf", PDF)}).status_code == 404
    assert ContractAttachment.objects.count() == 1


def test_outsider_gets_404_everywhere(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    r = Receivable.objects.get(contract=c)
    outsider = login(world.outsider)
    for url in (f"/contracts/contract/{c.pk}/", f"/contracts/receivable/{r.pk}/"):
        assert outsider.get(url).status_code == 404
    for url in (f"/contracts/contract/{c.pk}/do/unapprove/", f"/contracts/contract/{c.pk}/lines/",
                f"/contracts/contract/{c.pk}/plan/"):
        assert outsider.post(url, {"remove": "1"}).status_code == 404
    assert outsider.post(f"/contracts/receivable/{r.pk}/receipt/",
                         {"amount": "1", "date": SIGNED.isoformat(), "idempotency_key": "o"}).status_code == 404
    c.refresh_from_db()
    assert c.status == DocumentStatus.APPROVED and not Receipt.objects.exists()


def test_customer_360_tab_shows_contracts(world):
    c = contract(world)
    from django.urls import reverse

    url = reverse("customers:customer_360_tab", args=[world.mine.pk, "contracts"])
    page = login(world.seller).get(url)
    assert page.status_code == 200 and c.code in page.content.decode()
    assert login(world.outsider).get(url).status_code == 404


def test_receipt_detail_offers_no_edit(world):
    c = services.document_approve(actor=world.seller, instance=contract(world))
    r = Receivable.objects.get(contract=c)
    from contracts import receipts

    rc = receipts.receipt_post(actor=world.seller, receivable=r, amount="1", date=SIGNED, idempotency_key="e")
    page = login(world.seller).get(f"/contracts/receipt/{rc.pk}/")
    assert page.status_code == 200 and f"/contracts/receipt/{rc.pk}/edit/" not in page.content.decode()
    assert login(world.outsider).get(f"/contracts/receipt/{rc.pk}/").status_code == 404
    assert login(world.seller).post(f"/contracts/receipt/{rc.pk}/edit/", {"amount": "5"}).status_code == 404
    rc.refresh_from_db()
    assert rc.amount == Decimal("1.00")
    listing = login(world.seller).get("/contracts/receipt/")
    assert listing.status_code == 200 and "1.00" in listing.content.decode()
