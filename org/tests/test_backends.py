"""org.backends.UserBackend: the session's user comes with its department, and disabled users do not."""

import pytest
from django.urls import reverse

from core.testing import PASSWORD, make_department, make_user

pytestmark = pytest.mark.django_db


def test_the_session_user_comes_with_the_department_in_one_query(client, django_assert_num_queries):
    from org.backends import UserBackend

    dept = make_department("华东销售部")
    user = make_user("zhang", department=dept)
    with django_assert_num_queries(1):
        found = UserBackend().get_user(user.pk)
        assert found.department.name == "华东销售部"
    assert client.login(username="zhang", password=PASSWORD)
    assert "华东销售部" in client.get(reverse("org:profile")).content.decode()


def test_a_disabled_or_unknown_user_is_nobody():
    from org.backends import UserBackend

    user = make_user("li")
    user.is_active = False
    user.save()
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(10**9) is None
