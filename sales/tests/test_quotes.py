from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.models import Notification
from products.models import Unit
from sales import services, services_quotes, services_records
from sales.models import Quote, QuoteLine

from .quote_world import build, line


@pytest.fixture
def q(db):
    return build()


def create(q, *lines, actor=None, record=None):
    return services_quotes.quote_create(actor=actor or q.w.seller, data={"contact_record": record or q.record},
                                        lines=list(lines) or [line(q)])


def test_totals_are_exact(q):
    box = Unit.objects.get(name="箱")
    quote = create(q, line(q, quantity=Decimal("3"), unit_price=Decimal("3.335"), discount=Decimal("10")),
                   line(q, unit=box, quantity=Decimal("2"), unit_price=Decimal("96.00"), tax_rate=Decimal("6")))
    first, second = quote.lines.all()
    # 3 × 3.335 = 10.005 → 10.01; 10% of it 1.001 → 1.00; tax 13% of 9.01 = 1.1713 → 1.17.
    assert (first.amount, first.discount_amount, first.tax, first.total) == (
        Decimal("10.01"), Decimal("1.00"), Decimal("1.17"), Decimal("10.18"))
    assert (second.amount, second.tax, second.total) == (Decimal("192.00"), Decimal("11.52"), Decimal("203.52"))
    quote.refresh_from_db()
    assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.grand_total) == (
        Decimal("202.01"), Decimal("1.00"), Decimal("12.69"), Decimal("213.70"))
    assert quote.code.startswith("BJ-") and quote.customer == q.w.mine and quote.owner == q.w.seller


def test_one_quote_per_record(q):
    create(q)
    with pytest.raises(ValidationError):
        create(q)
    assert Quote.objects.count() == 1


def test_bad_lines_change_nothing(q):
    other = Unit.objects.create(name="吨")
    for bad in ([], [line(q, unit=other)], [line(q, quantity=Decimal("0"))], [line(q, discount=Decimal("120"))]):
        with pytest.raises(ValidationError):
            services_quotes.quote_create(actor=q.w.seller, data={"contact_record": q.record}, lines=bad)
    assert not Quote.objects.exists() and not QuoteLine.objects.exists()


def test_allowed_price_is_approved_directly_and_can_be_sent(q):
    # 3.60 per 袋 is the seller's wholesale level; 86.40 per 箱 is the same price.
    quote = create(q, line(q, unit_price=Decimal("4.00"), discount=Decimal("10")),
                   line(q, unit=Unit.objects.get(name="箱"), unit_price=Decimal("86.40")))
    quote = services_quotes.quote_submit(actor=q.w.seller, instance=quote)
    assert quote.status == Quote.Status.APPROVED
    quote = services_quotes.quote_send(actor=q.w.seller, instance=quote)
    assert quote.status == Quote.Status.SENT and quote.sent_at
    with pytest.raises(ValidationError):
        services_quotes.quote_update(actor=q.w.seller, instance=quote, data={"notes": "x"})


def test_below_level_needs_a_manager(q):
    quote = create(q, line(q, unit_price=Decimal("3.50")))
    with pytest.raises(ValidationError):
        services_quotes.quote_send(actor=q.w.seller, instance=quote)
    quote = services_quotes.quote_submit(actor=q.w.seller, instance=quote)
    assert quote.status == Quote.Status.PENDING
    assert Notification.objects.filter(user=q.manager, url__contains=str(quote.pk)).exists()
    assert not Notification.objects.filter(user=q.w.seller).exists()
    with pytest.raises(ValidationError):
        services_quotes.quote_send(actor=q.w.seller, instance=quote)
    with pytest.raises(PermissionDenied):
        services_quotes.quote_approve(actor=q.w.seller, instance=quote)
    with pytest.raises((PermissionDenied, Http404)):
        services_quotes.quote_approve(actor=q.w.outsider, instance=quote)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.PENDING
    quote = services_quotes.quote_approve(actor=q.manager, instance=quote, note="ok")
    assert quote.status == Quote.Status.APPROVED and quote.approved_by == q.manager
    assert services_quotes.quote_send(actor=q.w.seller, instance=quote).status == Quote.Status.SENT


def test_a_discount_counts_towards_the_level(q):
    quote = create(q, line(q, unit_price=Decimal("4.00"), discount=Decimal("15")))  # 3.40 < 3.60
    assert services_quotes.quote_submit(actor=q.w.seller, instance=quote).status == Quote.Status.PENDING


def test_reject_and_edit_back_to_draft(q):
    quote = services_quotes.quote_submit(actor=q.w.seller, instance=create(q, line(q, unit_price=Decimal("3"))))
    with pytest.raises(ValidationError):
        services_quotes.quote_reject(actor=q.manager, instance=quote, note="")
    quote = services_quotes.quote_reject(actor=q.manager, instance=quote, note="too low")
    assert quote.status == Quote.Status.REJECTED
    quote = services_quotes.quote_update(actor=q.w.seller, instance=quote, data={}, lines=[line(q)],
                                         expected_version=quote.version)
    assert quote.status == Quote.Status.DRAFT and quote.grand_total == Decimal("45.20")
    assert services_quotes.quote_submit(actor=q.w.seller, instance=quote).status == Quote.Status.APPROVED


def test_deleting_the_record_or_opportunity_bins_the_quote(q):
    quote = create(q)
    services_records.record_delete(actor=q.w.seller, instance=q.record)
    assert not Quote.objects.filter(pk=quote.pk).exists()
    assert Quote.all_objects.get(pk=quote.pk).deleted_at is not None
    record = services_records.record_create(actor=q.w.seller, model=type(q.record),
                                            data={"opportunity": q.record.opportunity, "content": "再报"})
    second = create(q, record=record)  # the binned quote does not block a new record's quote
    services.opportunity_delete(actor=q.w.seller, instance=record.opportunity)
    assert not Quote.objects.filter(pk=second.pk).exists()


def test_an_outsider_sees_nothing_and_changes_nothing(q):
    quote = create(q)
    assert not services_quotes.access.visible_to(q.w.outsider, "read", Quote).exists()
    for call in (
        lambda: services_quotes.quote_update(actor=q.w.outsider, instance=quote, data={"notes": "x"}),
        lambda: services_quotes.quote_submit(actor=q.w.outsider, instance=quote),
        lambda: services_quotes.quote_send(actor=q.w.outsider, instance=quote),
        lambda: services_quotes.quote_delete(actor=q.w.outsider, instance=quote),
    ):
        with pytest.raises((Http404, PermissionDenied)):
            call()
    record = services_records.record_create(actor=q.w.seller, model=type(q.record),
                                            data={"opportunity": q.record.opportunity, "content": "x"})
    with pytest.raises((Http404, PermissionDenied)):
        create(q, actor=q.w.outsider, record=record)
    fresh = Quote.objects.get(pk=quote.pk)
    assert (fresh.notes, fresh.status, fresh.version) == ("", Quote.Status.DRAFT, quote.version)
    assert Quote.objects.count() == 1


def test_a_binned_quote_comes_back_only_to_a_free_live_record(q):
    from core.services import restore_deleted

    quote = create(q)
    services_quotes.quote_delete(actor=q.w.seller, instance=quote)
    second = create(q)  # the record is free again
    with pytest.raises(ValidationError):
        restore_deleted(actor=q.w.seller, model=Quote, pk=quote.pk)
    services_quotes.quote_delete(actor=q.w.seller, instance=second)
    restore_deleted(actor=q.w.seller, model=Quote, pk=quote.pk)
    assert Quote.objects.get().pk == quote.pk


def test_a_maintenance_record_takes_one_quote_and_takes_it_along(q):
    from sales import services_project
    from sales.models import MaintenanceRecord

    project = services_project.project_create(actor=q.w.seller, data={"subject": "维保", "customer": q.w.mine})
    record = services_records.record_create(actor=q.w.seller, model=MaintenanceRecord,
                                            data={"project": project, "content": "巡检"})
    quote = services_quotes.quote_create(actor=q.w.seller, data={"maintenance_record": record}, lines=[line(q)])
    assert quote.maintenance_record == record and quote.contact_record is None
    with pytest.raises(ValidationError):
        services_quotes.quote_create(actor=q.w.seller, data={"maintenance_record": record}, lines=[line(q)])
    with pytest.raises(ValidationError):  # both kinds at once
        services_quotes.quote_create(actor=q.w.seller, data={"maintenance_record": record,
                                                             "contact_record": q.record}, lines=[line(q)])
    services_records.record_delete(actor=q.w.seller, instance=record)
    assert not Quote.objects.filter(pk=quote.pk).exists()
