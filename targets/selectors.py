"""Reads of sales targets and of the actual figures they are measured against.

Actuals (what counts):
- contract amount: contracts whose status is approved, executing or completed (approved and not
  cancelled; a draft is not signed business yet, a cancelled contract is void), by sign date;
- receipts (回款): the receipts recorded, by receipt date.
A person's actual is what they own; a department's is what sits in the department or below it (the
document's department, as in reports.params.Subject.q); the company's is everything.

Every figure is read through the access gate (``visible_to(user, "read", …)``): a viewer never gets
sums over records they may not see. When the viewer's scope does not cover a subject's records the
row says so (``complete`` is False) and the page shows "based on the records you can see".
Actuals for any number of subjects take one GROUP BY query per measure (plus one for department paths).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from contracts.models import Contract, DocumentStatus, Receipt
from core import access
from org.models import Department, Scope, User

from .models import Level, Measure, PeriodKind, SalesTarget, period_label, subject_key

ZERO = Decimal("0.00")
COUNTED_STATUSES = (DocumentStatus.APPROVED, DocumentStatus.EXECUTING, DocumentStatus.COMPLETED)
GRANULARITIES = (PeriodKind.MONTH, PeriodKind.QUARTER)


def visible_targets(user, action: str = "read") -> QuerySet:
    return access.visible_to(user, action, SalesTarget).select_related("owner__department", "department")


def target_get(*, user, pk, action: str = "read") -> SalesTarget:
    """One target in the user's scope, or 404."""
    return access.get_visible(user, action, SalesTarget.objects.select_related("owner", "department"), pk=pk)


# ---- actuals ------------------------------------------------------------------------------------
def _source(user, measure: str, year: int) -> tuple[QuerySet, str, str]:
    """(gated rows of the year, date field, prefix of the owner/department fields)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if measure == Measure.CONTRACT_AMOUNT:
        rows = access.visible_to(user, "read", Contract).filter(status__in=COUNTED_STATUSES,
                                                                sign_date__gte=start, sign_date__lte=end)
        return rows, "sign_date", ""
    rows = access.visible_to(user, "read", Receipt).filter(date__gte=start, date__lte=end)
    return rows, "date", "receivable__"


def monthly_actuals(*, user, measure: str, year: int, level: str, ids=()) -> dict[str, dict[int, Decimal]]:
    """{subject key: {month: sum}} of the year for the subjects ``ids`` (persons or departments) of ``level``."""
    rows, date_field, prefix = _source(user, measure, year)
    month = ExtractMonth(date_field)
    out: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    ids = [i for i in ids if i is not None]
    if level == Level.COMPANY:
        for row in rows.order_by().values(m=month).annotate(total=Sum("amount")):
            out["c"][row["m"]] += row["total"] or ZERO
        return out
    if level == Level.PERSON:
        owner = f"{prefix}owner_id"
        grouped = rows.filter(**{f"{owner}__in": ids}).order_by().values(o=F(owner), m=month).annotate(total=Sum("amount"))
        for row in grouped:
            out[subject_key(Level.PERSON, row["o"])][row["m"]] += row["total"] or ZERO
        return out
    # Departments: sums per (document department, month), then each target department takes the sums of
    # every department in its subtree (paths), so nested targets need no extra queries.
    dept = f"{prefix}department_id"
    grouped = list(rows.filter(**{f"{dept}__isnull": False}).order_by().values(d=F(dept), m=month)
                   .annotate(total=Sum("amount")))
    paths = dict(Department.objects.filter(pk__in={r["d"] for r in grouped} | set(ids)).values_list("pk", "path"))
    for row in grouped:
        path = paths.get(row["d"], "")
        for target_id in ids:
            if path.startswith(paths.get(target_id, "\0")):
                out[subject_key(Level.DEPARTMENT, target_id)][row["m"]] += row["total"] or ZERO
    return out


def covers(user, measure: str, level: str, subject) -> bool:
    """Whether the user's read scope on the source records covers all of the subject's records. This does
    not filter anything (the gate does); it only decides whether to add "based on the records you can see"."""
    model = Contract if measure == Measure.CONTRACT_AMOUNT else Receipt
    scope = access.scope_level(user, access.spec_for(model).module, "read")
    if scope == Scope.ALL:
        return True
    mine = user.department if user.department_id else None
    if level == Level.COMPANY or scope == Scope.NONE:
        return False
    if level == Level.PERSON:
        if subject.pk == user.pk:
            return True
        dept = subject.department
        if mine is None or dept is None:
            return False
        return dept.pk == mine.pk if scope == Scope.DEPARTMENT else (
            scope == Scope.SUBTREE and dept.path.startswith(mine.path))
    if mine is None:
        return False
    if scope == Scope.SUBTREE:
        return subject.path.startswith(mine.path)
    if scope == Scope.DEPARTMENT and subject.pk == mine.pk:
        # Department scope is that department only; the target counts its sub-departments too.
        return not Department.objects.filter(path__startswith=subject.path).exclude(pk=subject.pk).exists()
    return False


# ---- progress -----------------------------------------------------------------------------------
def rate(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """Completion in per cent, one decimal; None ("—") without a target or with a zero target."""
    if not target:
        return None
    return (actual * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figure:
    target: Decimal | None
    actual: Decimal
    target_id: int | None = None  # the target row itself when the period has one (not a sum of finer ones)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.actual, self.target)

    @property
    def bar(self) -> int:
        """Width of the progress bar, 0–100."""
        value = self.rate
        return 0 if value is None else int(min(max(value, Decimal(0)), Decimal(100)))

    @property
    def done(self) -> bool:
        value = self.rate
        return value is not None and value >= 100


@dataclass
class ProgressRow:
    level: str
    key: str
    label: str
    subject: object | None
    periods: list[Figure]
    year: Figure
    complete: bool = True
    months: list[Figure] = field(default_factory=list)
    quarters: list[Figure] = field(default_factory=list)


@dataclass
class Progress:
    year: int
    measure: str
    level: str
    granularity: str
    columns: list[str]
    rows: list[ProgressRow]
    total: ProgressRow | None = None

    @property
    def complete(self) -> bool:
        return all(row.complete for row in self.rows)


def _sum(values) -> Decimal | None:
    values = [v for v in values if v is not None]
    return sum(values, ZERO) if values else None


def _figures(explicit: dict[tuple[str, int], SalesTarget], actual: dict[int, Decimal]):
    """Months, quarters and year of one subject. A period without its own target takes the sum of the
    finer targets inside it (a quarter the sum of its months, the year the sum of its quarters)."""
    def own(kind, number):
        row = explicit.get((kind, number))
        return (row.amount, row.pk) if row is not None else (None, None)

    months = []
    for m in range(1, 13):
        amount, pk = own(PeriodKind.MONTH, m)
        months.append(Figure(amount, actual.get(m, ZERO), pk))
    quarters = []
    for q in range(1, 5):
        inside = months[3 * q - 3:3 * q]
        amount, pk = own(PeriodKind.QUARTER, q)
        if pk is None:
            amount = _sum(f.target for f in inside)
        quarters.append(Figure(amount, sum((f.actual for f in inside), ZERO), pk))
    amount, pk = own(PeriodKind.YEAR, 0)
    if pk is None:
        amount = _sum(f.target for f in quarters)
    return months, quarters, Figure(amount, sum((f.actual for f in months), ZERO), pk)


def _subject_of(target: SalesTarget):
    if target.level == Level.PERSON:
        return target.owner
    if target.level == Level.DEPARTMENT:
        return target.department
    return None


def progress(*, user, year: int, measure: str, level: str, granularity: str = PeriodKind.MONTH,
             department: Department | None = None, owner: User | None = None, subtree: bool = True) -> Progress:
    """Target vs actual for every subject of ``level`` that has a target the user may read in ``year``.
    ``department`` narrows to a department (and its subtree unless ``subtree`` is False), ``owner`` to one person."""
    targets = visible_targets(user).filter(year=year, measure=measure, level=level)
    if owner is not None:
        targets = targets.filter(owner=owner)
    if department is not None:
        targets = targets.filter(Q(department__path__startswith=department.path) if subtree
                                 else Q(department=department))
    explicit: dict[str, dict[tuple[str, int], SalesTarget]] = defaultdict(dict)
    subjects: dict[str, object] = {}
    for target in targets.order_by("department__path", "owner__username", "id"):
        key = target.subject_key()
        explicit[key][(target.period, target.number)] = target
        subjects.setdefault(key, _subject_of(target))
    ids = [getattr(s, "pk", None) for s in subjects.values()]
    actuals = monthly_actuals(user=user, measure=measure, year=year, level=level, ids=ids) if subjects else {}
    rows = []
    for key, subject in subjects.items():
        months, quarters, whole = _figures(explicit[key], actuals.get(key, {}))
        rows.append(ProgressRow(
            level=level, key=key, label=str(subject) if subject is not None else str(Level.COMPANY.label),
            subject=subject, periods=months if granularity == PeriodKind.MONTH else quarters, year=whole,
            complete=covers(user, measure, level, subject), months=months, quarters=quarters))
    numbers = range(1, 13) if granularity == PeriodKind.MONTH else range(1, 5)
    columns = [period_label(granularity, n) for n in numbers]
    total = None
    if len(rows) > 1:
        def add(figures):
            return Figure(_sum(f.target for f in figures), sum((f.actual for f in figures), ZERO))
        total = ProgressRow(level=level, key="total", label="", subject=None,
                            periods=[add([r.periods[i] for r in rows]) for i in range(len(columns))],
                            year=add([r.year for r in rows]), complete=all(r.complete for r in rows))
    return Progress(year=year, measure=measure, level=level, granularity=granularity, columns=columns, rows=rows,
                    total=total)
