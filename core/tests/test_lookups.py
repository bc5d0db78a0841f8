"""``__any`` (core.lookups): the rows of ``__in`` for the same values, sent as one array on PostgreSQL."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.testing import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_the_same_rows_as_in():
    for name in ("alice", "bob", "carol", "张三"):
        make_user(name)
    for values in (["alice", "张三", "nobody"], ["bob"], ["alice", None], []):
        expected = set(User.objects.filter(username__in=values).values_list("username", flat=True))
        with CaptureQueriesContext(connection) as ctx:
            found = set(User.objects.filter(username__any=values).values_list("username", flat=True))
        assert found == expected
        if connection.vendor == "postgresql" and values:
            assert "= ANY(" in ctx.captured_queries[0]["sql"]
    assert set(User.objects.exclude(username__any=["alice", "bob"]).values_list("username", flat=True)) == {"carol", "张三"}
