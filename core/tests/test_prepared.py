"""Querysets compiled once (core.prepared): each call reads the rows anew with its own arguments, and
what comes back is what Django's own evaluation of the same queryset gives."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import CustomField, Notification
from core.prepared import Prepared
from core.testing import make_department, make_user
from org.backends import UserBackend
from org.sessions import SessionStore

pytestmark = pytest.mark.django_db

User = get_user_model()
by_id = Prepared(lambda pk: User.objects.select_related("department").filter(pk=pk), int)


def test_rows_and_related_rows_are_those_of_the_orm_and_come_in_one_query():
    east, west = make_department("华东销售部"), make_department("华西销售部")
    alice, bob = make_user("alice", department=east), make_user("bob", department=west)
    for user in (alice, bob):  # the statement is compiled at the first call and bound anew at each
        with CaptureQueriesContext(connection) as ctx:
            (found,) = by_id(user.pk)
            department = found.department
        assert len(ctx.captured_queries) == 1
        expected = User.objects.select_related("department").get(pk=user.pk)
        assert (found.pk, found.username, found.password, found.date_joined) == \
            (expected.pk, expected.username, expected.password, expected.date_joined)
        assert found.date_joined.tzinfo is not None
        assert (department.pk, department.name, department.path) == \
            (expected.department.pk, expected.department.name, expected.department.path)
        assert found._state.db == "default" and not found._state.adding
    assert by_id(alice.pk + bob.pk + 1000) == []


def test_a_change_after_the_first_call_is_read_by_the_next():
    alice = make_user("alice")
    assert by_id(alice.pk)[0].first_name == ""
    User.objects.filter(pk=alice.pk).update(first_name="丽")
    assert by_id(alice.pk)[0].first_name == "丽"


def test_values_rows_go_through_the_converters():
    fields = Prepared(lambda module: CustomField.objects.filter(module=module).values_list(
        "code", "choices", "min_value", "active"), str)
    CustomField.objects.create(module="customers", code="grade", label="等级", type="choice",
                               choices=[{"value": "a", "label": "甲"}], min_value=Decimal("1.50"))
    CustomField.objects.create(module="contacts", code="x", label="X", type="text")
    assert fields("customers") == [("grade", [{"value": "a", "label": "甲"}], Decimal("1.50"), True)]
    assert fields("leads") == []


def test_an_aggregate_per_argument():
    unread = Prepared(lambda uid: Notification.objects.filter(user_id=uid, read_at__isnull=True)
                      .order_by().values("user_id").annotate(n=Count("pk")).values_list("n"), int)
    alice, bob = make_user("alice"), make_user("bob")
    Notification.objects.create(user=alice, title="a")
    Notification.objects.create(user=alice, title="b")
    Notification.objects.create(user=alice, title="read", read_at=timezone.now())
    assert unread(alice.pk) == [(2,)]
    assert unread(bob.pk) == []


def test_an_argument_the_queryset_changes_is_refused():
    contains = Prepared(lambda text: User.objects.filter(username__contains=text), str)
    with pytest.raises(ValueError, match="unchanged"):
        contains("ali")
    with pytest.raises(TypeError):
        by_id()


def test_the_session_backend_reads_only_working_users_and_real_ids():
    alice = make_user("alice")
    backend = UserBackend()
    assert backend.get_user(str(alice.pk)) == alice
    assert backend.get_user("not a number") is None
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert backend.get_user(alice.pk) is None


def test_the_session_store_reads_a_live_session_and_treats_an_expired_one_as_absent():
    store = SessionStore()
    store["cart"] = "茶叶"
    store.save()
    key = store.session_key
    assert SessionStore(session_key=key).load() == {"cart": "茶叶"}
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(session_key=key)
    assert expired.load() == {}
    assert expired.session_key is None
