"""Birthday and important-date reminders (客户关怀): the daily job that notifies the owner of the
customer, and the "upcoming birthdays" panel on the home page.

A reminder is due from N days before the date (setting ``CONTACT_REMINDER_DAYS``, default 3) until
the day itself, and is sent once per occurrence and user (``ContactReminder`` holds the key), so a
run missed by a stopped worker is made up the next day and a repeated run sends nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.dashboard import register_panel
from core.models import Notification
from core.periodic import periodic

from .models import Contact, ContactDate, ContactReminder

logger = logging.getLogger("zhanggui.customers")
PANEL_DAYS = 14
PANEL_ROWS = 8


def reminder_days() -> int:
    return max(int(getattr(settings, "CONTACT_REMINDER_DAYS", 3)), 0)


def _in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February outside a leap year is kept on the 28th
        return date(year, 2, 28)


def next_occurrence(day: date, today: date) -> date:
    """The first date on or after ``today`` that has the month and day of ``day``."""
    this_year = _in_year(day, today.year)
    return this_year if this_year >= today else _in_year(day, today.year + 1)


def month_day_q(field: str, start: date, days: int) -> Q:
    """Rows whose date ``field`` falls, in any year, on a day from ``start`` to ``start + days``."""
    ranges: dict[int, list[int]] = {}
    for offset in range(min(max(days, 0), 366) + 1):
        current = start + timedelta(days=offset)
        ranges.setdefault(current.month, []).append(current.day)
        if current.month == 2 and current.day == 28 and _in_year(date(2000, 2, 29), current.year).day == 28:
            ranges[2].append(29)  # their day falls on the 28th this year
    cond = Q(pk__in=[])
    for month, day_list in ranges.items():
        cond |= Q(**{f"{field}__month": month, f"{field}__day__gte": min(day_list), f"{field}__day__lte": max(day_list)})
    return cond


@dataclass(frozen=True)
class Occasion:
    contact: Contact
    key: str  # "birthday" or "date:<id>"
    label: str
    occurs_on: date

    @property
    def days_left(self) -> int:
        return (self.occurs_on - timezone.localdate()).days


def occasions(contacts_qs, *, today: date, days: int, birthdays: bool = True) -> list[Occasion]:
    """Birthdays (unless ``birthdays`` is false) and important dates of the given contacts from
    ``today`` to ``today + days``."""
    end = today + timedelta(days=days)
    found: list[Occasion] = []
    # "Has a birthday" said outright, so PostgreSQL can use the index of contacts that have one.
    born = (contacts_qs.filter(month_day_q("birthday", today, days), birthday__isnull=False) if birthdays
            else contacts_qs.none())
    for contact in born.select_related("customer", "customer__owner"):
        when = next_occurrence(contact.birthday, today)
        if when <= end:
            found.append(Occasion(contact, "birthday", _("Birthday"), when))
    dates = (ContactDate.objects.filter(month_day_q("date", today, days), contact__in=contacts_qs)
             .select_related("contact", "contact__customer", "contact__customer__owner"))
    for item in dates:
        when = next_occurrence(item.date, today)
        if when <= end:
            found.append(Occasion(item.contact, f"date:{item.pk}", item.label, when))
    found.sort(key=lambda o: (o.occurs_on, o.contact.name))
    return found


def _notify(occasion: Occasion, user) -> bool:
    contact = occasion.contact
    try:
        with transaction.atomic():
            _marker, created = ContactReminder.objects.get_or_create(
                contact=contact, key=occasion.key, occurs_on=occasion.occurs_on, user=user)
            if not created:
                return False
            Notification.objects.create(
                user=user,
                title=_("%(occasion)s of %(name)s (%(customer)s) on %(date)s") % {
                    "occasion": occasion.label, "name": contact.name, "customer": contact.customer.name,
                    "date": occasion.occurs_on.strftime("%m-%d")},
                body=_("Contact: %(name)s %(mobile)s") % {"name": contact.name, "mobile": contact.mobile},
                url=reverse("customers:contact_detail", args=[contact.pk]),
            )
    except IntegrityError:
        return False  # another run sent it at the same moment
    return True


def remind_upcoming(*, today: date | None = None, days: int | None = None) -> int:
    """Notify each customer's owner of the coming occasions of its contacts; returns how many were sent."""
    today = today or timezone.localdate()
    days = reminder_days() if days is None else days
    # Live contacts of live customers that have an active owner.
    contacts = Contact.objects.filter(customer__deleted_at__isnull=True, customer__owner__isnull=False,
                                      customer__owner__is_active=True)
    by_owner: dict[int, list[Occasion]] = {}
    owners = {}
    for occasion in occasions(contacts, today=today, days=days):
        owner = occasion.contact.customer.owner
        owners[owner.pk] = owner
        by_owner.setdefault(owner.pk, []).append(occasion)
    sent = 0
    for owner_id, items in by_owner.items():
        owner = owners[owner_id]
        # The owner is told only about contacts the gate lets them read, and of birthdays only when
        # the birthday field is not hidden from them.
        readable = set(access.visible_to(owner, "read", Contact).filter(pk__in={o.contact.pk for o in items})
                       .values_list("pk", flat=True))
        birthdays = "birthday" not in access.hidden_fields(owner, Contact)
        sent += sum(_notify(o, owner) for o in items
                    if o.contact.pk in readable and (birthdays or o.key != "birthday"))
    if sent:
        logger.info("Sent %s contact date reminders", sent)
    return sent


@periodic("contact_date_reminders", daily_at=time(7, 0))
def send_contact_date_reminders() -> None:
    remind_upcoming()


@register_panel(order=15)
def upcoming_birthdays(request):
    """Coming birthdays and important dates of the contacts of the user's own customers."""
    user = request.user
    if not access.can(user, "read", Contact):
        return None
    mine = access.visible_to(user, "read", Contact).filter(customer__owner=user)
    rows = occasions(mine, today=timezone.localdate(), days=PANEL_DAYS,
                     birthdays="birthday" not in access.hidden_fields(user, Contact))
    return {"template": "customers/contact_birthdays_panel.html", "rows": rows[:PANEL_ROWS],
            "more": max(len(rows) - PANEL_ROWS, 0), "days": PANEL_DAYS}
