"""Birthday and important-date reminders: the daily job (idempotent) and the home panel."""

from datetime import date, timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core import periodic
from core.models import Notification
from core.testing import make_user
from customers import reminders
from customers.models import Contact, ContactDate, ContactReminder

from .followup_world import build_world, contact_of

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 10)


@pytest.fixture
def world():
    return build_world()


def born(day: date, year: int = 1988) -> date:
    return date(year, day.month, day.day)


def test_month_day_window_crosses_months_years_and_leap_days():
    assert reminders.next_occurrence(date(1992, 2, 29), date(2027, 2, 26)) == date(2027, 2, 28)
    assert reminders.next_occurrence(date(1992, 2, 29), date(2028, 2, 26)) == date(2028, 2, 29)
    assert reminders.next_occurrence(date(1980, 1, 1), date(2026, 12, 30)) == date(2027, 1, 1)
    assert reminders.next_occurrence(date(1980, 6, 10), TODAY) == TODAY


def test_the_owner_is_reminded_once_per_occurrence(world, settings):
    settings.CONTACT_REMINDER_DAYS = 3
    near = contact_of(world.mine, "张伟", birthday=born(TODAY + timedelta(days=2)), mobile="13800001111")
    contact_of(world.mine, "李娜", birthday=born(TODAY + timedelta(days=5)))
    assert reminders.remind_upcoming(today=TODAY) == 1
    note = Notification.objects.get()
    assert note.user == world.seller and "张伟" in note.title and world.mine.name in note.title
    assert note.url == reverse("customers:contact_detail", args=[near.pk])
    # The same day again, and the next day: nothing twice.
    assert reminders.remind_upcoming(today=TODAY) == 0
    assert reminders.remind_upcoming(today=TODAY + timedelta(days=1)) == 0
    # Two days on, 李娜 is 3 days away: her reminder only.
    assert reminders.remind_upcoming(today=TODAY + timedelta(days=2)) == 1
    assert reminders.remind_upcoming(today=TODAY + timedelta(days=2)) == 0
    assert Notification.objects.filter(title__contains="张伟").count() == 1
    assert Notification.objects.filter(title__contains="李娜").count() == 1
    assert ContactReminder.objects.count() == 2


def test_important_dates_leap_days_and_year_end(world):
    wedding = contact_of(world.mine, "王芳")
    ContactDate.objects.create(contact=wedding, label="结婚纪念日", date=date(2015, 1, 1))
    contact_of(world.mine, "刘洋", birthday=date(1992, 2, 29))
    assert reminders.remind_upcoming(today=date(2026, 12, 30), days=3) == 1
    assert "结婚纪念日" in Notification.objects.get().title
    assert reminders.remind_upcoming(today=date(2027, 2, 26), days=3) == 1  # 29 Feb falls on the 28th
    assert Notification.objects.filter(title__contains="刘洋").count() == 1


def test_no_reminder_without_an_owner_who_may_see_the_contact(world):
    day = born(TODAY + timedelta(days=1))
    gone = contact_of(world.mine, "已删除", birthday=day)
    Contact.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    pooled = world.theirs
    pooled.owner = None
    pooled.save(update_fields=["owner"])
    contact_of(pooled, "公海联系人", birthday=day)
    left = make_user("left", is_active=False)
    contact_of(world.mine.__class__.objects.create(name="离职客户", owner=left, created_by=left), "离职", birthday=day)
    blind = make_user("blind")  # owns a customer but has no read grant
    contact_of(world.mine.__class__.objects.create(name="无权客户", owner=blind, created_by=blind), "无权", birthday=day)
    assert reminders.remind_upcoming(today=TODAY, days=3) == 0
    assert not Notification.objects.exists() and not ContactReminder.objects.exists()


def test_the_daily_job_is_registered():
    job = periodic.registered()["contact_date_reminders"]
    assert job.func is reminders.send_contact_date_reminders and job.daily_at is not None


def test_home_panel_shows_my_customers_coming_dates_only(world, client):
    today = timezone.localdate()
    contact_of(world.mine, "张伟", birthday=born(today + timedelta(days=1), 1992))
    contact_of(world.theirs, "外人", birthday=born(today + timedelta(days=1), 1992))
    contact_of(world.mine, "远期", birthday=born(today + timedelta(days=40), 1992))
    client.force_login(world.seller)
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="birthdays-panel"' in page and "张伟" in page
    assert "外人" not in page and "远期" not in page
    client.force_login(world.outsider)
    page = client.get(reverse("core:home")).content.decode()
    assert "外人" in page and "张伟" not in page
    client.force_login(make_user("nobody"))
    assert 'data-testid="birthdays-panel"' not in client.get(reverse("core:home")).content.decode()


def test_a_hidden_birthday_is_neither_reminded_nor_shown(world, client):
    from org.models import FieldRule

    today = timezone.localdate()
    contact = contact_of(world.mine, "张伟", birthday=born(today + timedelta(days=1), 1992))
    ContactDate.objects.create(contact=contact, label="结婚纪念日", date=born(today + timedelta(days=2), 1992))
    FieldRule.objects.create(role=world.seller.roles.get(), module="customers.contact", field="birthday", mode="hidden")
    assert reminders.remind_upcoming(days=3) == 1
    assert "结婚纪念日" in Notification.objects.get().title
    request = RequestFactory().get("/")
    request.user = world.seller
    assert [o.key.split(":")[0] for o in reminders.upcoming_birthdays(request)["rows"]] == ["date"]
    request.user = world.manager
    assert [o.key.split(":")[0] for o in reminders.upcoming_birthdays(request)["rows"]] == []  # not his customer
