"""Follow-up services: the customer's follow-up dates, validation, scope, version restore, comments."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from core.models import AuditLog, Notification, Version
from core.testing import make_role, make_user
from customers import services_followup as svc
from customers.models import Customer, FollowUp, FollowUpComment
from org.models import Scope

from .followup_world import MODULE, build_world, contact_of, customer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def log(world, actor=None, customer=None, *, days_ago=0, next_in=None, **extra):
    data = {"customer": customer or world.mine, "method": world.visit, "content": "拜访客户，了解需求",
            "occurred_at": timezone.now() - timedelta(days=days_ago), **extra}
    if next_in is not None:
        data["next_followup_on"] = timezone.localdate() + timedelta(days=next_in)
    return svc.followup_create(actor=actor or world.seller, data=data)


def fresh(customer) -> Customer:
    return Customer.all_objects.get(pk=customer.pk)


def customer_audit(customer):
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Customer), object_id=customer.pk)


def test_a_follow_up_sets_the_customers_dates_audited_and_versioned(world):
    fu = log(world, next_in=7)
    customer = fresh(world.mine)
    assert customer.last_followup_at == fu.occurred_at
    assert customer.next_followup_on == timezone.localdate() + timedelta(days=7)
    assert customer.version == 2
    entry = customer_audit(customer).get()
    assert entry.actor == world.seller and set(entry.changes) == {"last_followup_at", "next_followup_on"}
    assert Version.objects.filter(content_type=ContentType.objects.get_for_model(Customer), object_id=customer.pk,
                                  number=2).exists()
    assert fu.owner == world.seller and fu.created_by == world.seller


def test_the_latest_follow_up_decides_and_a_backdated_one_changes_nothing(world):
    first = log(world, days_ago=3, next_in=1)
    latest = log(world, days_ago=0, next_in=None)  # followed up again without a new plan: nothing due
    customer = fresh(world.mine)
    assert customer.last_followup_at == latest.occurred_at and customer.next_followup_on is None
    version = customer.version
    log(world, days_ago=10, next_in=5)  # entered late, about an older visit
    customer = fresh(world.mine)
    assert customer.last_followup_at == latest.occurred_at and customer.next_followup_on is None
    assert customer.version == version  # unchanged dates are no change at all
    assert first.pk


def test_delete_and_edit_recompute_from_the_remaining_follow_ups(world):
    older = log(world, days_ago=5, next_in=2)
    latest = log(world, days_ago=1, next_in=9)
    svc.followup_delete(actor=world.seller, instance=latest)
    customer = fresh(world.mine)
    assert customer.last_followup_at == older.occurred_at
    assert customer.next_followup_on == timezone.localdate() + timedelta(days=2)
    edited = svc.followup_update(actor=world.seller, instance=older, data={"next_followup_on": timezone.localdate()},
                                 expected_version=older.version)
    assert fresh(world.mine).next_followup_on == timezone.localdate() and edited.version == 2
    svc.followup_delete(actor=world.seller, instance=edited)
    customer = fresh(world.mine)
    assert customer.last_followup_at is None and customer.next_followup_on is None
    assert FollowUp.all_objects.filter(customer=world.mine, deleted_at__isnull=False).count() == 2


def test_restoring_a_version_recomputes_the_dates(world):
    fu = log(world, days_ago=2, next_in=3)
    svc.followup_update(actor=world.seller, instance=fu, data={"next_followup_on": timezone.localdate() + timedelta(days=20)})
    assert fresh(world.mine).next_followup_on == timezone.localdate() + timedelta(days=20)
    svc.followup_restore_version(actor=world.seller, instance=FollowUp.objects.get(pk=fu.pk), number=1)
    assert fresh(world.mine).next_followup_on == timezone.localdate() + timedelta(days=3)


@pytest.mark.parametrize("extra, field", [
    ({"occurred_at": timezone.now() + timedelta(days=2)}, "occurred_at"),
    ({"next_followup_on": timezone.localdate() - timedelta(days=30)}, "next_followup_on"),
    ({"latitude": "31.230416"}, "longitude"),
    ({"latitude": "95", "longitude": "121.47"}, "latitude"),
    ({"method": None}, "method"),
    ({"content": ""}, "content"),
])
def test_bad_input_is_refused_and_changes_nothing(world, extra, field):
    data = {"customer": world.mine, "method": world.visit, "content": "电话沟通报价", **extra}
    with pytest.raises(ValidationError) as exc:
        svc.followup_create(actor=world.seller, data=data)
    assert field in exc.value.message_dict
    assert not FollowUp.all_objects.exists()
    assert fresh(world.mine).version == 1 and not customer_audit(world.mine).exists()


def test_the_contact_must_belong_to_the_customer(world):
    stranger = contact_of(customer_of(world.seller, "杭州云栖科技有限公司"), "李娜")
    with pytest.raises(ValidationError) as exc:
        log(world, contact=stranger)
    assert "contact" in exc.value.message_dict and not FollowUp.all_objects.exists()
    ok = log(world, contact=contact_of(world.mine, "王芳"))
    assert ok.contact.name == "王芳"


def test_a_follow_up_cannot_move_to_another_customer(world):
    fu = log(world)
    other = customer_of(world.seller, "杭州云栖科技有限公司")
    with pytest.raises(ValidationError):
        svc.followup_update(actor=world.seller, instance=fu, data={"customer": other})
    assert FollowUp.objects.get(pk=fu.pk).customer_id == world.mine.pk


def test_outside_the_update_scope_nothing_is_recorded(world):
    # outsider cannot see the customer; reader can see it but may change only his own.
    for actor in (world.outsider, world.reader):
        with pytest.raises(PermissionDenied):
            log(world, actor=actor)
    assert not FollowUp.all_objects.exists()
    assert fresh(world.mine).version == 1 and not customer_audit(world.mine).exists()
    # The manager's subtree covers the seller's customer.
    assert log(world, actor=world.manager).customer_id == world.mine.pk


def test_outsider_cannot_change_or_delete_a_follow_up(world):
    fu = log(world, next_in=4)
    for call in (lambda: svc.followup_update(actor=world.outsider, instance=fu, data={"content": "改"}),
                 lambda: svc.followup_delete(actor=world.outsider, instance=fu)):
        with pytest.raises(Http404):
            call()
    row = FollowUp.all_objects.get(pk=fu.pk)
    assert row.content == "拜访客户，了解需求" and row.deleted_at is None and row.version == 1
    assert fresh(world.mine).next_followup_on == timezone.localdate() + timedelta(days=4)


def test_superior_comments_and_the_author_is_notified(world):
    boss = make_user("boss", roles=[make_role(grants={MODULE: {"read": Scope.ALL}})])
    world.seller.superior = boss
    world.seller.save(update_fields=["superior"])
    fu = log(world)
    comment = svc.comment_add(actor=boss, followup=fu, body="  客户很重要，下周带方案再去  ")
    assert comment.body == "客户很重要，下周带方案再去" and comment.author == boss
    note = Notification.objects.get(user=world.seller)
    assert "boss" in note.title and note.url.endswith(f"/followup/{fu.pk}/")
    # The manager may change the customer, so he may comment too; commenting on your own is not notified.
    svc.comment_add(actor=world.manager, followup=fu, body="同意")
    svc.comment_add(actor=world.seller, followup=fu, body="收到")
    assert Notification.objects.filter(user=world.seller).count() == 2
    assert AuditLog.objects.filter(action="other", object_id=fu.pk).count() == 3


def test_who_may_not_comment_leaves_no_trace(world):
    fu = log(world)
    with pytest.raises(PermissionDenied):  # sees the customer, is not the superior, may not change it
        svc.comment_add(actor=world.reader, followup=fu, body="路过")
    with pytest.raises(Http404):  # does not see it at all
        svc.comment_add(actor=world.outsider, followup=fu, body="路过")
    with pytest.raises(ValidationError):
        svc.comment_add(actor=world.manager, followup=fu, body="   ")
    assert not FollowUpComment.objects.exists() and not Notification.objects.exists()


def test_recompute_for_other_modules(world):
    fu = log(world, next_in=3)
    Customer.all_objects.filter(pk=world.mine.pk).update(last_followup_at=None, next_followup_on=None)
    assert svc.recompute_customer(actor=None, customer_id=world.mine.pk) is True
    customer = fresh(world.mine)
    assert customer.last_followup_at == fu.occurred_at
    assert svc.recompute_customer(actor=None, customer_id=world.mine.pk) is False


@pytest.mark.postgres
def test_concurrent_follow_ups_leave_the_latest_on_postgres(transactional_db):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    world = build_world()
    workers, per_worker = 6, 5
    barrier = threading.Barrier(workers)
    errors: list[Exception] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            for n in range(per_worker):
                log(world, days_ago=index * per_worker + n, next_in=index * per_worker + n)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    latest = FollowUp.objects.filter(customer=world.mine).order_by("-occurred_at").first()
    customer = fresh(world.mine)
    assert FollowUp.objects.count() == workers * per_worker
    assert customer.last_followup_at == latest.occurred_at and customer.next_followup_on == timezone.localdate()
    # Every change of the dates was one audited version: no lost update, no duplicate number.
    assert customer.version == 1 + customer_audit(customer).count()
