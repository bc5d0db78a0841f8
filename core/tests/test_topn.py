"""core.topn.first_per_group: the first N rows of each group, in the queryset's order, and only its rows."""

import pytest

from core.testing import make_department, make_user
from core.topn import first_per_group
from org.models import User

pytestmark = pytest.mark.django_db


def test_first_rows_of_each_group_in_order_and_only_from_the_queryset():
    east, west, empty = make_department("华东"), make_department("华西"), make_department("空部门")
    east_users = [make_user(f"e{i}", department=east) for i in range(4)]
    west_users = [make_user(f"w{i}", department=west) for i in range(2)]
    east_users[3].is_active = False  # outside the queryset below, though the newest of its group
    east_users[3].save()
    qs = User.objects.filter(is_active=True).order_by("-id").values("id", "username", "department_id")
    found = first_per_group(qs, "department_id", [east.pk, west.pk, empty.pk], 2)
    assert [row["username"] for row in found[east.pk]] == ["e2", "e1"]
    assert [row["username"] for row in found[west.pk]] == ["w1", "w0"]
    assert found[empty.pk] == []
    assert set(found) == {east.pk, west.pk, empty.pk}
    assert {row["id"] for row in found[west.pk]} == {u.pk for u in west_users}


def test_nothing_asked_nothing_read(django_assert_num_queries):
    qs = User.objects.order_by("-id").values("id", "department_id")
    with django_assert_num_queries(0):
        assert first_per_group(qs, "department_id", [], 5) == {}
        assert first_per_group(qs, "department_id", [1], 0) == {1: []}
