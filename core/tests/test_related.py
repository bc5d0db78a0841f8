"""core.related.attach: foreign keys filled with one query per target model, and then free to read."""

import pytest

from core.related import attach
from core.testing import make_department, make_user
from org.models import User

pytestmark = pytest.mark.django_db


def test_one_query_per_target_model_then_none(django_assert_num_queries):
    east, west = make_department("华东"), make_department("华西")
    boss = make_user("boss", department=east)
    staff = [make_user("a", department=east, superior=boss), make_user("b", department=west, superior=boss),
             make_user("c")]
    users = list(User.objects.filter(pk__in=[u.pk for u in staff]).order_by("username"))
    with django_assert_num_queries(2):  # the departments, and the superiors (users)
        attach(users, ["department", "superior"])
    with django_assert_num_queries(0):
        assert [u.department.name if u.department else None for u in users] == ["华东", "华西", None]
        assert [u.superior.username if u.superior else None for u in users] == ["boss", "boss", None]
    with django_assert_num_queries(0):
        attach(users, ["department"])  # already loaded: nothing to read
        attach([], ["department"])


def test_a_missing_target_is_left_to_the_accessor():
    user = make_user("d", department=make_department("临时部门"))
    fresh = User.objects.get(pk=user.pk)
    fresh.department_id = 10**9  # points nowhere
    attach([fresh], ["department"])
    assert not User._meta.get_field("department").is_cached(fresh)
