"""What every sales report asks of a request: a period and whose figures (company, a department subtree or
one person). Pages, exports and the API read the same parameters through ``read_period`` and
``read_subject`` so they agree; bad input raises ValidationError with a message for the user.

Parameters: ``period`` = year | quarter | month | custom, with ``year`` (2026), ``quarter`` (1–4) or
``month`` (1–12), or ``start``/``end`` (ISO dates) for custom; ``department`` (id, its whole subtree)
or ``owner`` (user id). Neither means the whole company — which the gate still narrows to what the
user may see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Department, User

PERIODS = ("year", "quarter", "month", "custom")
MAX_DAYS = 3 * 366  # one request never spans more than three years


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def params(self) -> dict:
        if self.kind == "custom":
            return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}
        out = {"period": self.kind, "year": self.start.year}
        if self.kind == "quarter":
            out["quarter"] = (self.start.month - 1) // 3 + 1
        if self.kind == "month":
            out["month"] = self.start.month
        return out

    def label(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def datetime_range(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes, for DateTimeField filters (index-friendly, no date casts)."""
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return start, end


def _int(params, name: str, low: int, high: int, default: int | None = None) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        if default is None:
            raise ValidationError(_("Choose the %(name)s.") % {"name": name})
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(_("%(value)s is not a valid %(name)s.") % {"value": raw[:20], "name": name}) from None
    if not low <= value <= high:
        raise ValidationError(_("%(value)s is not a valid %(name)s.") % {"value": value, "name": name})
    return value


def _date(params, name: str) -> datetime.date:
    raw = (params.get(name) or "").strip()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(_("Enter the %(name)s date as YYYY-MM-DD.") % {"name": name}) from None


def read_period(params, *, default: str = "year", today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    kind = (params.get("period") or default).strip()
    if kind not in PERIODS:
        raise ValidationError(_("Unknown period: %(value)s.") % {"value": kind[:20]})
    if kind == "custom":
        start, end = _date(params, "start"), _date(params, "end")
        if end < start:
            raise ValidationError(_("The end date cannot be before the start date."))
        if (end - start).days > MAX_DAYS:
            raise ValidationError(_("Choose a period of at most three years."))
        return Period(kind, start, end)
    year = _int(params, "year", 2000, 2100, today.year)
    if kind == "year":
        return Period(kind, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if kind == "quarter":
        quarter = _int(params, "quarter", 1, 4, (today.month - 1) // 3 + 1)
        start = datetime.date(year, 3 * quarter - 2, 1)
    else:
        start = datetime.date(year, _int(params, "month", 1, 12, today.month), 1)
    months = 3 if kind == "quarter" else 1
    nxt = datetime.date(start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1)
    return Period(kind, start, nxt - datetime.timedelta(days=1))


@dataclass(frozen=True)
class Subject:
    """Whose figures: the company (both None), a department with its subtree, or one person."""

    department: Department | None = None
    owner: User | None = None

    @property
    def params(self) -> dict:
        if self.owner is not None:
            return {"owner": self.owner.pk}
        if self.department is not None:
            return {"department": self.department.pk}
        return {}

    def label(self) -> str:
        if self.owner is not None:
            return self.owner.get_full_name() or self.owner.username
        if self.department is not None:
            return self.department.name
        return _("Whole company")

    def q(self, *, owner: str = "owner", department: str = "department") -> Q:
        """Rows of this subject on a model whose salesperson is ``owner`` and department ``department``.
        This narrows; it never widens — callers apply it to a queryset that already went through the gate."""
        if self.owner is not None:
            return Q(**{f"{owner}_id": self.owner.pk})
        if self.department is not None:
            return Q(**{f"{department}__path__startswith": self.department.path})
        return Q()


def read_subject(params) -> Subject:
    owner_raw, dept_raw = (params.get("owner") or "").strip(), (params.get("department") or "").strip()
    if owner_raw and dept_raw:
        raise ValidationError(_("Choose a department or a person, not both."))
    if owner_raw:
        user = User.objects.filter(pk=owner_raw).first() if owner_raw.isdigit() else None
        if user is None:
            raise ValidationError(_("This person does not exist."))
        return Subject(owner=user)
    if dept_raw:
        dept = Department.objects.filter(pk=dept_raw).first() if dept_raw.isdigit() else None
        if dept is None:
            raise ValidationError(_("This department does not exist."))
        return Subject(department=dept)
    return Subject()
