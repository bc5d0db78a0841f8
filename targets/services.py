"""Writes of sales targets: one cell, or a whole grid (a year of months or quarters for many subjects).

Every write is atomic, audited and checked against the gate twice: rows that exist are locked and must
be in the actor's update (or delete) scope, and every row written must be in scope afterwards (a new
row: the create scope), otherwise the whole write rolls back. Bad input changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import access, audit
from core.audit import Action
from core.services import StaleVersion
from org.models import Department, User

from .models import PERIOD_NUMBERS, Level, Measure, PeriodKind, SalesTarget, period_label

MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class Cell:
    """One cell of a grid: a subject's target for one period. ``amount`` None or "" clears the target; text
    is parsed by the service (so a grid, a payload and the shell get the same messages).
    ``expected_version`` is the version the editor saw (0: there was no target); None skips the check."""

    level: str
    subject: User | Department | None
    period: str
    number: int
    amount: Decimal | str | None
    expected_version: int | None = None

    @property
    def key(self) -> tuple:
        return (self.level, getattr(self.subject, "pk", None), self.period, self.number)

    @property
    def name(self) -> str:
        """The cell as the user reads it, for error messages."""
        subject = str(self.subject) if self.subject is not None else str(_("Whole company"))
        return f"{subject} {period_label(self.period, self.number)}"


def parse_amount(raw, *, label: str = "") -> Decimal | None:
    """A target amount from user input: empty means no target; otherwise a non-negative amount in cents."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(cell)s: “%(value)s” is not an amount.") % {"cell": label, "value": str(raw)[:20]}) from None
    if not value.is_finite():
        raise ValidationError(_("%(cell)s: “%(value)s” is not an amount.") % {"cell": label, "value": str(raw)[:20]})
    if value < 0:
        raise ValidationError(_("%(cell)s: a target cannot be negative.") % {"cell": label})
    if value > MAX_AMOUNT:
        raise ValidationError(_("%(cell)s: the target is too large.") % {"cell": label})
    if value != value.quantize(CENT):
        raise ValidationError(_("%(cell)s: give the target in yuan and cents (two decimals at most).") % {"cell": label})
    return value.quantize(CENT)


def check_key(*, measure: str, year: int, level: str, subject, period: str, number: int) -> None:
    """The parts of a target's key are valid together (the database constraints say the same, later)."""
    if measure not in Measure.values:
        raise ValidationError(_("Unknown measure: %(value)s.") % {"value": str(measure)[:30]})
    if not isinstance(year, int) or year not in YEARS:
        raise ValidationError(_("Choose a year between 2000 and 2100."))
    if level not in Level.values:
        raise ValidationError(_("Unknown level: %(value)s.") % {"value": str(level)[:30]})
    if period not in PeriodKind.values or number not in PERIOD_NUMBERS[PeriodKind(period)]:
        raise ValidationError(_("Unknown period: %(value)s %(number)s.") % {"value": str(period)[:20], "number": number})
    if level == Level.PERSON and not isinstance(subject, User):
        raise ValidationError(_("Choose the person."))
    if level == Level.DEPARTMENT and not isinstance(subject, Department):
        raise ValidationError(_("Choose the department."))
    if level == Level.COMPANY and subject is not None:
        raise ValidationError(_("A company target has no person or department."))


def _key_q(measure: str, year: int, cell: Cell) -> Q:
    q = Q(measure=measure, year=year, level=cell.level, period=cell.period, number=cell.number)
    if cell.level == Level.PERSON:
        q &= Q(owner_id=cell.subject.pk)
    elif cell.level == Level.DEPARTMENT:
        q &= Q(department_id=cell.subject.pk)
    return q


def _scope_fields(cell: Cell) -> dict:
    """The gate's fields follow the subject: a person target sits in the person's current department."""
    if cell.level == Level.PERSON:
        return {"owner": cell.subject, "department": cell.subject.department}
    if cell.level == Level.DEPARTMENT:
        return {"owner": None, "department": cell.subject}
    return {"owner": None, "department": None}


def _in_scope(actor, action: str, rows: list[SalesTarget]) -> None:
    if not rows:
        return
    ids = {row.pk for row in rows}
    seen = set(access.visible_to(actor, action, SalesTarget._base_manager.filter(pk__in=ids)).values_list("pk", flat=True))
    if seen != ids:
        raise PermissionDenied(_("Some of these targets are outside your data scope."))


@transaction.atomic
def targets_set(*, actor, measure: str, year: int, cells: list[Cell]) -> dict[str, int]:
    """Set many targets of one measure and year at once; refused whole on any bad cell or scope problem.
    Returns counts of created, updated, deleted and unchanged cells."""
    errors, seen, clean = [], set(), []
    for cell in cells:
        try:
            check_key(measure=measure, year=year, level=cell.level, subject=cell.subject, period=cell.period,
                      number=cell.number)
            clean.append(replace(cell, amount=parse_amount(cell.amount, label=cell.name)))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if cell.key in seen:
            errors.append(_("%(cell)s is given twice.") % {"cell": cell.name})
        seen.add(cell.key)
    if errors:
        raise ValidationError(errors)
    counts = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    if not clean:
        return counts
    # The rows these cells address, locked: concurrent grids on the same cells take turns.
    where = Q(pk__in=[])
    for cell in clean:
        where |= _key_q(measure, year, cell)
    existing = {(row.level, row.owner_id or row.department_id, row.period, row.number): row
                for row in SalesTarget.objects.select_for_update(of=("self",)).filter(where)}
    # Scope before anything else is compared, so a target outside it reveals neither amount nor version.
    to_keep = [existing[c.key] for c in clean if c.key in existing and c.amount is not None]
    to_delete = [existing[c.key] for c in clean if c.key in existing and c.amount is None]
    if to_keep:
        access.require(actor, "update", SalesTarget)
        _in_scope(actor, "update", to_keep)
    if to_delete:
        access.require(actor, "delete", SalesTarget)
        _in_scope(actor, "delete", to_delete)
    created, updated = [], []
    for cell in clean:
        row = existing.get(cell.key)
        if cell.expected_version is not None and (row.version if row else 0) != cell.expected_version:
            raise StaleVersion(row.version if row else 0)
        scope = _scope_fields(cell)
        if row is None:
            if cell.amount is None:
                counts["unchanged"] += 1
            else:
                created.append(SalesTarget(measure=measure, year=year, level=cell.level, period=cell.period,
                                           number=cell.number, amount=cell.amount, created_by=actor, **scope))
        elif cell.amount is not None:
            if row.amount == cell.amount and row.department_id == getattr(scope["department"], "pk", None):
                counts["unchanged"] += 1
                continue
            updated.append((row, audit.snapshot(row)))
            row.amount = cell.amount
            for name, value in scope.items():
                setattr(row, name, value)
            row.version += 1
    if created:
        access.require(actor, "create", SalesTarget)
    for row in to_delete:
        audit.log(actor=actor, action=Action.DELETE, instance=row, changes={"snapshot": audit.snapshot(row)})
    SalesTarget.objects.filter(pk__in=[row.pk for row in to_delete]).delete()
    for row, before in updated:
        row.save()
        audit.log(actor=actor, action=Action.UPDATE, instance=row, changes=audit.diff(before, audit.snapshot(row)))
    try:
        # A savepoint: a target created meanwhile by someone else breaks the unique index, reported plainly.
        with transaction.atomic():
            for row in created:
                row.save()
    except IntegrityError:
        raise ValidationError(_("Someone set some of these targets meanwhile. Reload the page and try again.")) from None
    # After the write: new rows must be in the create scope, changed rows still in the update scope.
    _in_scope(actor, "create", created)
    _in_scope(actor, "update", [row for row, _before in updated])
    for row in created:
        audit.log(actor=actor, action=Action.CREATE, instance=row, changes=audit.diff({}, audit.snapshot(row)))
    counts.update(created=len(created), updated=len(updated), deleted=len(to_delete))
    return counts


def _subject(level: str, owner, department):
    return owner if level == Level.PERSON else department if level == Level.DEPARTMENT else None


@transaction.atomic
def target_create(*, actor, measure: str, year: int, level: str, period: str, number: int, amount,
                  owner: User | None = None, department: Department | None = None) -> SalesTarget:
    """One new target; an existing target for the same measure, subject and period is refused."""
    access.require(actor, "create", SalesTarget)
    if level != Level.PERSON and owner is not None or level != Level.DEPARTMENT and department is not None:
        raise ValidationError(_("Give a person only for a person target and a department only for a department target."))
    subject = _subject(level, owner, department)
    check_key(measure=measure, year=year, level=level, subject=subject, period=period, number=number)
    value = parse_amount(amount, label=str(_("Target")))
    if value is None:
        raise ValidationError({"amount": _("Give the target amount.")})
    cell = Cell(level=level, subject=subject, period=period, number=number, amount=value, expected_version=0)
    if SalesTarget.objects.filter(_key_q(measure, year, cell)).exists():
        raise ValidationError(_("This target is set already; change it instead."))
    targets_set(actor=actor, measure=measure, year=year, cells=[cell])
    return SalesTarget.objects.get(_key_q(measure, year, cell))


@transaction.atomic
def target_update(*, actor, target: SalesTarget, amount, expected_version: int | None = None) -> SalesTarget:
    """Change a target's amount (its measure, subject and period are its identity and stay)."""
    locked = access.get_visible(actor, "update", SalesTarget.objects.select_for_update(of=("self",)), pk=target.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleVersion(locked.version)
    value = parse_amount(amount, label=str(_("Target")))
    if value is None:
        raise ValidationError({"amount": _("Give the target amount.")})
    subject = _subject(locked.level, locked.owner, locked.department)
    targets_set(actor=actor, measure=locked.measure, year=locked.year, cells=[Cell(
        level=locked.level, subject=subject, period=locked.period, number=locked.number, amount=value)])
    return SalesTarget.objects.get(pk=locked.pk)


@transaction.atomic
def target_delete(*, actor, target: SalesTarget, expected_version: int | None = None) -> None:
    locked = access.get_visible(actor, "delete", SalesTarget.objects.select_for_update(of=("self",)), pk=target.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleVersion(locked.version)
    audit.log(actor=actor, action=Action.DELETE, instance=locked, changes={"snapshot": audit.snapshot(locked)})
    locked.delete()
