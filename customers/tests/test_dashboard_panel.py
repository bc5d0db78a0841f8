"""The home page's customer figures: through the gate, this month by the user's calendar, and past
EXACT_LIMIT on PostgreSQL an estimate said as such."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.lists import paging
from customers.models import Customer

from .customer_world import create, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _figures(client, user):
    client.force_login(user)
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    panel = next(p for p in response.context["panels"] if p["template"] == "customers/panels/summary.html")
    return panel, response.content.decode()


def test_figures_come_through_the_gate(world, client):
    create(world.alice, "北方客户")
    create(world.bob, "南方客户一")
    create(world.bob, "南方客户二")
    panel, _page = _figures(client, world.alice)
    assert (panel["total"], panel["mine"], panel["new_this_month"]) == (1, 1, 1)
    panel, _page = _figures(client, world.manager)
    assert (panel["total"], panel["mine"], panel["new_this_month"]) == (3, 0, 3)


def test_nobody_without_a_grant_gets_no_customer_panel(world, client):
    create(world.alice, "北方客户")
    client.force_login(world.nobody)
    panels = client.get(reverse("core:home")).context["panels"]
    assert not any(p["template"] == "customers/panels/summary.html" for p in panels)


def test_new_this_month_follows_the_local_calendar(world, client, settings):
    """Shanghai's month starts at 16:00 UTC the day before: a customer created one second earlier
    belongs to last month."""
    settings.TIME_ZONE = "Asia/Shanghai"
    shanghai = ZoneInfo("Asia/Shanghai")
    with timezone.override(shanghai):
        start = datetime.datetime.combine(timezone.localdate().replace(day=1), datetime.time.min, tzinfo=shanghai)
    before, at = create(world.alice, "上月最后一秒"), create(world.alice, "本月第一秒")
    Customer.all_objects.filter(pk=before.pk).update(created_at=start - datetime.timedelta(seconds=1))
    Customer.all_objects.filter(pk=at.pk).update(created_at=start)
    panel, _page = _figures(client, world.alice)
    assert (panel["total"], panel["new_this_month"]) == (2, 1)


@pytest.mark.postgres
def test_past_the_exact_limit_the_figure_says_about(world, client, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite counts exactly")
    monkeypatch.setattr(paging, "EXACT_LIMIT", 2)
    for i in range(4):
        create(world.alice, f"客户{i}")
    panel, page = _figures(client, world.alice)
    total = next(f for f in panel["figures"] if f["value"] == panel["total"])
    assert total["estimated"] and panel["total"] >= 3
    assert "约" in page.split('data-testid="customer-figures"')[1].split("</div>\n</div>")[0]


def _home_queries(client) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("core:home")).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")]


def _fill(world, count: int) -> None:
    from core.basedata import ensure_default_lookups
    from core.models import LookupItem
    from customers.models import Contact

    ensure_default_lookups(["customer_level"])
    levels = list(LookupItem.objects.filter(kind="customer_level"))
    today = timezone.localdate()
    for i in range(count):
        row = create(world.alice, f"填充客户{i}")
        # Each due customer has its own level object: the due list shows it (no query per row).
        level = LookupItem.objects.create(kind="customer_level", name=f"等级{row.pk}", code=f"fill{row.pk}") if i % 2 else levels[0]
        Customer.all_objects.filter(pk=row.pk).update(next_followup_on=today - datetime.timedelta(days=i % 3),
                                                      level=level)
        birthday = (today + datetime.timedelta(days=i % 5)).replace(year=1990)
        Contact.objects.create(customer=row, name=f"联系人{i}", birthday=birthday)


# Session, user, roles (with a manager's subtree), shares, the four figures, the due list, birthdays,
# important dates, the bell, the latest notifications.
HOME_QUERIES = {"alice": 13, "manager": 13}


@pytest.mark.parametrize("who", ["alice", "manager"])
def test_home_page_query_count_does_not_grow_with_records(world, client, who):
    """Every panel reads its figures and rows in a fixed number of statements: the home page of a
    salesperson with 2 due customers and birthdays costs what it costs with 24."""
    client.force_login(getattr(world, who))
    _fill(world, 2)
    client.get(reverse("core:home"))  # warm what belongs to the process (content types, compiled SQL)
    few = _home_queries(client)
    _fill(world, 22)
    many = _home_queries(client)
    assert len(many) == len(few) == HOME_QUERIES[who], "\n".join(many)
    page = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    if who == "alice":
        assert "联系人1" in page and "填充客户1" in page  # the birthdays and the follow-ups due are shown
