"""Conversion in one step: customer + contact + opportunity, all or nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.basedata import get_item
from core.models import AuditLog
from core.testing import make_role, make_user
from customers.models import Contact, Customer
from marketing import conversion, services
from marketing.models import Lead
from org.models import Scope
from sales.models import Opportunity

from .world import build_world, customer_of, full_grants, lead, reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def convert(actor, row, **kw):
    values = {"customer_data": conversion.customer_defaults(row), "contact_data": {"name": row.contact_name,
              "mobile": row.mobile, "title": "采购经理"},
              "opportunity_data": {"subject": "数控机床改造", "expected_amount": Decimal("200000.00"),
                                   "stage": get_item("sales_stage", "needs")}}
    values.update(kw)
    return conversion.lead_convert(actor=actor, lead=row, **values)


def counts():
    return Customer.objects.count(), Contact.objects.count(), Opportunity.objects.count()


def test_convert_creates_customer_contact_opportunity_and_links_them(w):
    row = lead(w.seller_a, status="qualified", requirement="年度维保")
    result = convert(w.seller_a, row)
    row.refresh_from_db()
    assert row.status == "converted" and row.converted_at and row.converted_by == w.seller_a
    assert (row.customer, row.contact, row.opportunity) == (result.customer, result.contact, result.opportunity)
    assert result.customer.name == "上海明远精密机械有限公司" and result.customer.owner == w.seller_a
    assert result.contact.customer == result.customer and result.contact.title == "采购经理"
    opp = result.opportunity
    assert opp.customer == result.customer and opp.contact == result.contact
    assert opp.expected_amount == Decimal("200000.00") and opp.win_rate == 25 and opp.amount == Decimal("50000.00")
    assert AuditLog.objects.filter(object_id=row.pk, message__startswith="Converted").exists()


def test_convert_without_opportunity(w):
    result = convert(w.seller_a, lead(w.seller_a), opportunity_data=None)
    assert result.opportunity is None and Opportunity.objects.count() == 0
    assert Lead.objects.get().status == "converted"


def test_duplicate_refusal_changes_nothing(w):
    customer_of(w.outsider, "成都天府软件有限公司", phone="13800138000")
    row = lead(w.seller_a)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        convert(w.seller_a, row)
    assert "phone" in exc.value.message_dict
    assert counts() == before
    row.refresh_from_db()
    assert row.status == "new" and row.customer is None and row.version == 1


def test_refused_opportunity_rolls_back_customer_and_contact(w):
    # May create customers but not opportunities: the last step fails, nothing stays.
    role = make_role(grants={**full_grants("marketing.lead", Scope.OWN), **full_grants("customers.customer", Scope.OWN)})
    clerk = make_user("clerk", department=w.east, roles=[role])
    row = lead(clerk)
    before = counts()
    with pytest.raises(PermissionDenied):
        convert(clerk, row)
    assert counts() == before
    assert Lead.objects.get(pk=row.pk).status == "new"


def test_convert_into_existing_customer_needs_update_scope(w):
    mine = customer_of(w.seller_a, "杭州新锐智能")
    theirs = customer_of(w.outsider, "广州远航物流")
    row = lead(w.seller_a)
    with pytest.raises(ValidationError):
        convert(w.seller_a, row, customer_data=None, existing_customer=theirs)
    assert Contact.objects.count() == 0
    result = convert(w.seller_a, row, customer_data=None, existing_customer=mine)
    assert result.customer == mine and not result.new_customer
    assert list(mine.contacts.values_list("name", flat=True)) == ["张伟"]


def test_converted_or_lost_lead_cannot_convert(w):
    row = lead(w.seller_a)
    convert(w.seller_a, row, opportunity_data=None)
    with pytest.raises(ValidationError):
        convert(w.seller_a, Lead.objects.get(pk=row.pk), opportunity_data=None)
    lost = services.lead_lose(actor=w.seller_a, lead=lead(w.seller_a, mobile="13900139000", company="另一家"),
                              reason=reason())
    with pytest.raises(ValidationError):
        convert(w.seller_a, lost, opportunity_data=None)
    assert Customer.objects.count() == 1


def test_outsider_cannot_convert(w):
    row = lead(w.seller_a)
    with pytest.raises(Http404):
        convert(w.outsider, row)
    assert counts() == (0, 0, 0)
