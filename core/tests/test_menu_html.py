"""The sidebar menu is rendered once per menu (core.navigation.menu_html): users with other rights, another
current page and another language each get their own markup, never one cached for someone else."""

import pytest
from django.urls import reverse

from core.testing import make_department, make_role, make_user

pytestmark = pytest.mark.django_db


def _sidebar(client, url: str, language: str = "en") -> str:
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return html[html.index('id="sidebar-menu"'):html.index("</aside>")]


def test_each_user_gets_the_entries_of_their_own_rights(client, admin_user):
    alice = make_user("alice", department=make_department("华东销售部"), roles=[make_role(name="业务员")])
    policy = reverse("org:security_policy")
    client.force_login(admin_user)
    assert f'href="{policy}"' in _sidebar(client, reverse("org:profile"))
    client.force_login(alice)  # the same process, right after: the admin's menu must not be reused
    assert f'href="{policy}"' not in _sidebar(client, reverse("org:profile"))
    client.force_login(admin_user)
    assert f'href="{policy}"' in _sidebar(client, reverse("org:profile"))


def test_the_current_page_is_marked_and_the_language_followed(client, admin_user):
    client.force_login(admin_user)
    history, profile = reverse("org:login_history"), reverse("org:profile")
    on_history = _sidebar(client, history)
    assert f'class="dropdown-item active" href="{history}"' in on_history
    on_profile = _sidebar(client, profile)
    assert f'class="dropdown-item active" href="{history}"' not in on_profile
    assert f'class="dropdown-item" href="{history}"' in on_profile
    assert "Login history" in on_history and "登录日志" in _sidebar(client, history, "zh-hans")


def test_an_htmx_fragment_builds_neither_menu_nor_bell(client, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin_user)
    url = reverse("customers:customer_list")
    client.get(url)
    with CaptureQueriesContext(connection) as fragment:
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="sidebar-menu"' not in response.content.decode()
    assert not any("core_notification" in q["sql"] for q in fragment.captured_queries)
    with CaptureQueriesContext(connection) as page:
        client.get(url)
    assert sum("core_notification" in q["sql"] for q in page.captured_queries) == 1
