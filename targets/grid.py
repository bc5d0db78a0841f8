"""The target grid form: subjects as rows (the company, departments, or the people of a department) and
the periods of a year as columns. Each cell carries the value and version the editor saw, so saving
sends only the cells the editor changed, and a cell someone else changed meanwhile is not overwritten."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from org.selectors import active_departments, working_users

from .models import PERIOD_NUMBERS, Level, PeriodKind, period_label, subject_key
from .query import TargetQuery
from .selectors import visible_targets
from .services import Cell, targets_set


@dataclass
class GridCell:
    name: str
    number: int
    value: str = ""
    original: str = ""
    version: int = 0


@dataclass
class GridRow:
    key: str
    label: str
    subject: object | None
    depth: int = 0
    cells: list[GridCell] = field(default_factory=list)


@dataclass
class Grid:
    columns: list[str]
    rows: list[GridRow]


def _subjects(query: TargetQuery) -> list[tuple[str, str, object | None, int]]:
    """(key, label, subject, depth) of the rows. Org data only: which targets may be set is the gate's call on save."""
    if query.level == Level.COMPANY:
        return [("c", "", None, 0)]
    if query.level == Level.DEPARTMENT:
        depts = active_departments().order_by("path")
        if query.department is not None:
            depts = depts.filter(path__startswith=query.department.path)
        return [(subject_key(Level.DEPARTMENT, d.pk), d.name, d, d.depth) for d in depts]
    people = working_users().select_related("department").order_by("department__path", "username")
    if query.owner is not None:
        people = people.filter(pk=query.owner.pk)
    elif query.department is not None:
        people = people.filter(department__path__startswith=query.department.path)
    else:
        people = people.filter(Q(department__isnull=False))
    return [(subject_key(Level.PERSON, u.pk), f"{u} · {u.department}", u, 0) for u in people]


def build(user, query: TargetQuery) -> Grid:
    numbers = list(PERIOD_NUMBERS[PeriodKind(query.granularity)])
    existing = {}
    rows = visible_targets(user).filter(year=query.year, measure=query.measure, level=query.level,
                                        period=query.granularity)
    for target in rows:
        existing[(target.subject_key(), target.number)] = target
    table = Grid(columns=[period_label(query.granularity, n) if n else period_label(PeriodKind.YEAR, 0)
                          for n in numbers], rows=[])
    for key, label, subject, depth in _subjects(query):
        row = GridRow(key=key, label=label, subject=subject, depth=depth)
        for n in numbers:
            target = existing.get((key, n))
            value = "" if target is None else f"{target.amount:.2f}"
            row.cells.append(GridCell(name=f"{key}-{n}", number=n, value=value, original=value,
                                      version=target.version if target else 0))
        table.rows.append(row)
    return table


def changed_cells(query: TargetQuery, table: Grid, post) -> list[Cell]:
    """The cells whose submitted value differs from the value the editor was shown."""
    cells = []
    for row in table.rows:
        for cell in row.cells:
            new = (post.get(f"t-{cell.name}") or "").strip()
            old = (post.get(f"o-{cell.name}") or "").strip()
            if new == old or f"t-{cell.name}" not in post:
                continue
            raw_version = (post.get(f"v-{cell.name}") or "0").strip()
            version = int(raw_version) if raw_version.isdigit() else 0
            cells.append(Cell(level=query.level, subject=row.subject, period=query.granularity, number=cell.number,
                              amount=new or None, expected_version=version))
    return cells


def save(user, query: TargetQuery, table: Grid, post) -> dict[str, int]:
    return targets_set(actor=user, measure=query.measure, year=query.year, cells=changed_cells(query, table, post))


def keep_input(table: Grid, post) -> None:
    """After a refused save the form shows what the editor typed, with the values and versions first seen."""
    for row in table.rows:
        for cell in row.cells:
            if f"t-{cell.name}" in post:
                cell.value = post.get(f"t-{cell.name}", "")
                cell.original = post.get(f"o-{cell.name}", cell.original)
                raw = (post.get(f"v-{cell.name}") or "").strip()
                cell.version = int(raw) if raw.isdigit() else cell.version

