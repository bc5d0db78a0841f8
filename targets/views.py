"""Target pages: progress (target vs actual, chart, Excel), one target with its history, and the grid
that sets a year of targets. Thin: parameters → selectors / services → template."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core import access, audit
from core.audit import Action
from core.services import StaleVersion
from org.models import Scope
from org.selectors import active_departments
from reports.excel import xlsx_response

from . import grid
from .models import Level, Measure, PeriodKind, SalesTarget, period_label
from .query import GRID_GRANULARITIES, read_query
from .selectors import GRANULARITIES, progress, target_get


def _number(value):
    return None if value is None else float(value)


def chart_data(result) -> dict:
    """Target and actual per period (bars) and completion % (line) of the rows shown (their total)."""
    row = result.total or (result.rows[0] if result.rows else None)
    if row is None:
        return {"empty": True}
    return {"empty": False, "categories": result.columns,
            "target_label": _("Target"), "actual_label": _("Actual"), "rate_label": _("Completion %"),
            "target": [_number(f.target) for f in row.periods], "actual": [_number(f.actual) for f in row.periods],
            "rate": [_number(f.rate) for f in row.periods]}


def _year_choices() -> list[int]:
    this = timezone.localdate().year
    return list(range(this - 3, this + 2))


def _form_context(user, params, *, grid_form: bool = False) -> dict:
    return {
        "years": _year_choices(), "measures": Measure.choices,
        "levels": Level.choices,
        "granularities": [(g, PeriodKind(g).label) for g in (GRID_GRANULARITIES if grid_form else GRANULARITIES)],
        "departments": active_departments().order_by("path"),
        "params": params,
        "may_set": access.can(user, "create", SalesTarget) or access.can(user, "update", SalesTarget),
    }


@login_required
def progress_page(request):
    user = request.user
    access.require(user, "read", SalesTarget)
    context, status = {}, 200
    try:
        query = read_query(user, request.GET)
        result = progress(user=user, year=query.year, measure=query.measure, level=query.level,
                          granularity=query.granularity, department=query.department, owner=query.owner)
        context.update(query=query, result=result, chart=chart_data(result), query_string=urlencode(query.params),
                       may_export=access.can(user, "export", SalesTarget))
    except ValidationError as exc:
        context["error"], status = exc.messages, 400
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return render(request, "targets/progress.html#result", context, status=status)
    context.update(_form_context(user, request.GET))
    return render(request, "targets/progress.html", context, status=status)


def _pct(value):
    return "—" if value is None else value


@login_required
def progress_export(request):
    user = request.user
    access.require(user, "export", SalesTarget)
    try:
        query = read_query(user, request.GET)
    except ValidationError as exc:
        return HttpResponseBadRequest("; ".join(exc.messages))
    result = progress(user=user, year=query.year, measure=query.measure, level=query.level,
                      granularity=query.granularity, department=query.department, owner=query.owner)
    rows = []
    for row in result.rows + ([result.total] if result.total else []):
        label = row.label or _("Total")
        for column, figure in zip([*result.columns, period_label(PeriodKind.YEAR, 0)], [*row.periods, row.year],
                                  strict=True):
            rows.append([label, column, figure.target, figure.actual, _pct(figure.rate),
                         _("Yes") if row.complete else _("Only the records you can see")])
    title = f"{_('Sales targets')} {query.year} {Measure(query.measure).label}"
    audit.log(actor=user, action=Action.EXPORT, model=SalesTarget, object_repr=title,
              changes={"params": query.params, "rows": len(rows)})
    return xlsx_response(filename=f"targets-{query.year}-{query.measure}-{timezone.localtime():%Y%m%d-%H%M}",
                         title=title, rows=rows,
                         headers=[_("Subject"), _("Period"), _("Target"), _("Actual"), _("Completion %"),
                                  _("All records counted")])


@login_required
def target_detail(request, pk: int):
    target = target_get(user=request.user, pk=pk)
    narrow = {"owner": target.owner} if target.level == Level.PERSON else (
        {"department": target.department, "subtree": False} if target.level == Level.DEPARTMENT else {})
    result = progress(user=request.user, year=target.year, measure=target.measure, level=target.level, **narrow)
    row = result.rows[0]
    figure = row.year if target.period == PeriodKind.YEAR else (
        row.quarters[target.number - 1] if target.period == PeriodKind.QUARTER else row.months[target.number - 1])
    params = {"year": target.year, "measure": target.measure, "level": target.level,
              "granularity": target.period if target.period != PeriodKind.YEAR else PeriodKind.MONTH}
    return render(request, "targets/detail.html", {
        "target": target, "figure": figure, "complete": row.complete,
        "period": period_label(target.period, target.number, target.year),
        "history": audit.history_for(target)[:100],
        "edit_url": reverse("targets:edit") + "?" + urlencode({**params, "granularity": target.period}),
        "progress_url": reverse("targets:progress") + "?" + urlencode(params),
        "may_set": access.can(request.user, "update", SalesTarget),
    })


@login_required
def target_edit(request):
    user = request.user
    if not (access.can(user, "create", SalesTarget) or access.can(user, "update", SalesTarget)):
        raise PermissionDenied(_("You do not have permission for this operation."))
    params = request.POST if request.method == "POST" else request.GET
    context, status = _form_context(user, params, grid_form=True), 200
    try:
        query = read_query(user, params, grid=True)
    except ValidationError as exc:
        context["error"] = exc.messages
        return render(request, "targets/edit.html", context, status=400)
    if query.level != Level.COMPANY and "department" not in params and query.owner is None and user.department_id \
            and access.scope_level(user, access.spec_for(SalesTarget).module, "create") < Scope.ALL:
        # Someone who sets targets within their department starts with their own department's people.
        query = replace(query, department=user.department)
    table = grid.build(user, query)
    if request.method == "POST":
        try:
            counts = grid.save(user, query, table, request.POST)
        except (ValidationError, PermissionDenied) as exc:
            context["error"] = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            status = 400
        except StaleVersion:
            context["error"] = [_("Some of these targets were changed by someone else after you opened the page. "
                                  "Reload the page and make your change again.")]
            status = 409
        else:
            messages.success(request, _("Targets saved: %(created)s new, %(updated)s changed, %(deleted)s removed.") % counts)
            back = {k: v for k, v in query.params.items() if k != "granularity"}
            if query.granularity != PeriodKind.YEAR:
                back["granularity"] = query.granularity
            return redirect(reverse("targets:progress") + "?" + urlencode(back))
        grid.keep_input(table, request.POST)
    context.update(query=query, table=table)
    return render(request, "targets/edit.html", context, status=status)
