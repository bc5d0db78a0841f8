"""The parameters of the target pages, export and API, read one way: year, measure, level,
granularity and an optional department (a department subtree) or person. Bad input raises
ValidationError with a message for the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from org.models import Department, Scope, User

from .models import Level, Measure, PeriodKind, SalesTarget
from .selectors import GRANULARITIES

GRID_GRANULARITIES = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)


@dataclass(frozen=True)
class TargetQuery:
    year: int
    measure: str
    level: str
    granularity: str
    department: Department | None = None
    owner: User | None = None

    @property
    def params(self) -> dict:
        out = {"year": self.year, "measure": self.measure, "level": self.level, "granularity": self.granularity}
        if self.department is not None:
            out["department"] = self.department.pk
        if self.owner is not None:
            out["owner"] = self.owner.pk
        return out


def default_level(user) -> str:
    """The widest level the user can read targets of: the boss starts at the company, a salesperson at themself."""
    scope = access.scope_level(user, access.spec_for(SalesTarget).module, "read")
    if scope == Scope.ALL:
        return Level.COMPANY
    if scope in (Scope.DEPARTMENT, Scope.SUBTREE):
        return Level.DEPARTMENT
    return Level.PERSON


def _choice(params, name: str, allowed, default: str) -> str:
    value = (params.get(name) or "").strip() or default
    if value not in allowed:
        raise ValidationError(_("Unknown %(name)s: %(value)s.") % {"name": name, "value": value[:30]})
    return value


def _pk(params, name: str, model, message: str):
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    row = model.objects.filter(pk=raw).first() if raw.isdigit() else None
    if row is None:
        raise ValidationError(message)
    return row


def read_query(user, params, *, grid: bool = False) -> TargetQuery:
    raw_year = (params.get("year") or "").strip()
    year = timezone.localdate().year
    if raw_year:
        if not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
            raise ValidationError(_("Choose a year between 2000 and 2100."))
        year = int(raw_year)
    measure = _choice(params, "measure", Measure.values, Measure.CONTRACT_AMOUNT)
    granularity = _choice(params, "granularity", GRID_GRANULARITIES if grid else GRANULARITIES, PeriodKind.MONTH)
    department = _pk(params, "department", Department, _("This department does not exist."))
    owner = _pk(params, "owner", User, _("This person does not exist."))
    # Without a level, naming a person or a department asks for their own targets.
    implied = Level.PERSON if owner is not None else Level.DEPARTMENT if department is not None else default_level(user)
    level = _choice(params, "level", Level.values, implied)
    if owner is not None and level != Level.PERSON:
        raise ValidationError(_("A person can be chosen only with the person level."))
    if level == Level.COMPANY:
        department = None  # the company has one target; a department filter left in the form means nothing here
    return TargetQuery(year=year, measure=measure, level=level, granularity=granularity, department=department,
                       owner=owner)
