"""Sales funnel (销售漏斗) by period, stage and status, for the company, a department or a person.

Which opportunities are "in" a period: those **created** in it (``created_at`` in
[period start, day after period end) in the company's time zone). The creation time is always set
and indexed, so the period is a plain range on the index; the start date is optional and would
drop opportunities nobody dated.

Per sales stage (basic data "sales_stage", in its configured order; a stage switched off still
shows while opportunities sit in it; opportunities without a stage form a last row "No stage"):

- count, expected amount, opportunity amount (expected × completion rate),
- share of count = stage count ÷ total count × 100,
- share of amount = stage opportunity amount ÷ total opportunity amount × 100,
- reached = opportunities now in this stage or a later one of the progression: an opportunity in
  谈判审核 has passed 初步接洽, 需求确认 and 方案报价. A stage with a win rate of 0 after the first
  (输单/lost) is where opportunities drop out, not a step forward: it has no "reached" figure,
- conversion = reached of the stage ÷ reached of the stage before it × 100 (none for the first
  stage), so it never exceeds 100 % and the funnel chart narrows stage by stage.

The same figures per status (open, won, lost, terminated). Every rate whose denominator is zero is
None, shown as "—". Everything comes from one GROUP BY (stage, status) over the rows the gate lets
the user see, narrowed to the subject; each row carries the opportunity-list filter that selects
exactly its opportunities (drill-down).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core import access, audit
from core.audit import Action
from core.basedata import win_rate
from core.models import LookupItem
from sales.models import Opportunity

from . import rollups
from .excel import xlsx_response
from .params import Period, Subject
from .pipeline_common import ZERO, money, percent, read_request, render_report, subject_list_rules

TITLE = gettext_lazy("Sales funnel")


@dataclass
class FunnelRow:
    key: object  # stage id (None: no stage) or status code
    label: str
    count: int = 0
    expected: Decimal = ZERO
    amount: Decimal = ZERO
    count_share: Decimal | None = None
    amount_share: Decimal | None = None
    conversion: Decimal | None = None
    reached: int | None = None  # in this stage or a later one of the progression; None off the progression
    filter: dict | None = None  # opportunity-list filter definition selecting exactly these rows
    url: str = ""


@dataclass
class Funnel:
    period: Period
    subject: Subject
    stages: list[FunnelRow] = field(default_factory=list)
    statuses: list[FunnelRow] = field(default_factory=list)
    count: int = 0
    expected: Decimal = ZERO
    amount: Decimal = ZERO
    show_stage: bool = True  # False when the user's roles hide the stage field
    show_expected: bool = True  # False when they hide the expected amount


def _definition(base: list[dict], rule: dict | None) -> dict:
    return {"op": "and", "rules": [*base, *([rule] if rule else [])]}


def list_url(definition: dict | None) -> str:
    if definition is None:
        return ""
    from sales.ui import OpportunityUI

    return OpportunityUI.url("list") + "?" + urlencode(
        {"f": json.dumps(definition, ensure_ascii=False, separators=(",", ":"))})


def build_funnel(user, period: Period, subject: Subject, *, action: str = "read") -> Funnel:
    """The funnel over the opportunities ``user`` may ``action`` (read or export)."""
    hidden = access.hidden_fields(user, Opportunity)
    result = Funnel(period=period, subject=subject, show_stage="stage" not in hidden,
                    show_expected="expected_amount" not in hidden)
    # One GROUP BY (stage, status): over the daily roll-up where it gives the same answer, else the table.
    qs = rollups.opportunity_groups(user, action, period=period, subject=subject, group=["stage_id", "status"])
    by_stage: dict[object, list] = {}
    by_status: dict[str, list] = {}
    for row in qs:
        n, expected, amount = row["n"], money(row["expected"]), money(row["amount"])
        for bucket, key in ((by_stage, row["stage_id"]), (by_status, row["status"])):
            acc = bucket.setdefault(key, [0, ZERO, ZERO])
            acc[0] += n
            acc[1] += expected
            acc[2] += amount
        result.count += n
        result.expected += expected
        result.amount += amount

    # The drill-down filter: the period as dates of created_at (the list compares a timestamp with a
    # date in the company's time zone, as here), the subject, then the stage or status.
    base = [{"field": "created_at", "operator": "gte", "value": period.start.isoformat()},
            {"field": "created_at", "operator": "lte", "value": period.end.isoformat()},
            *subject_list_rules(subject)]

    def make(key, label, acc, rule) -> FunnelRow:
        n, expected, amount = acc or (0, ZERO, ZERO)
        definition = _definition(base, rule)
        return FunnelRow(key=key, label=label, count=n, expected=expected, amount=amount,
                         count_share=percent(n, result.count), amount_share=percent(amount, result.amount),
                         filter=definition, url=list_url(definition))

    if result.show_stage:
        stages = LookupItem.objects.filter(kind="sales_stage").order_by("sort", "id").only("id", "name", "active", "extra")
        progression = []
        for stage in stages:
            if not stage.active and stage.pk not in by_stage:
                continue
            row = make(stage.pk, stage.name, by_stage.get(stage.pk),
                       {"field": "stage", "operator": "eq", "value": stage.pk})
            if not progression or win_rate(stage) != 0:
                progression.append(row)
            result.stages.append(row)
        reached = 0
        for row in reversed(progression):
            reached += row.count
            row.reached = reached
        for previous, row in zip(progression, progression[1:], strict=False):
            row.conversion = percent(row.reached, previous.reached)
        if None in by_stage:
            result.stages.append(make(None, _("No stage"), by_stage[None],
                                      {"field": "stage", "operator": "empty", "value": True}))
    for code, label in Opportunity.Status.choices:
        result.statuses.append(make(code, str(label), by_status.get(code),
                                    {"field": "status", "operator": "eq", "value": code}))
    return result


def funnel_headers(funnel: Funnel, first: str) -> list[str]:
    return [first, _("Opportunities"), *([_("Expected amount")] if funnel.show_expected else []),
            _("Opportunity amount"), _("Share of count (%)"), _("Share of amount (%)"), _("Reached"),
            _("Conversion (%)")]


def funnel_cells(funnel: Funnel, row: FunnelRow, *, conversion: bool = True) -> list:
    return [row.label, row.count, *([row.expected] if funnel.show_expected else []), row.amount,
            row.count_share, row.amount_share, row.reached if conversion else None,
            row.conversion if conversion else None]


def funnel_xlsx(funnel: Funnel):
    total = [_("Total"), funnel.count, *([funnel.expected] if funnel.show_expected else []), funnel.amount,
             None, None, None, None]
    rows = []
    if funnel.show_stage:
        # The statuses follow the stages under their own heading row, so one sheet holds both tables.
        rows = [*(funnel_cells(funnel, r) for r in funnel.stages), total, [], [_("Status")]]
    rows.extend(funnel_cells(funnel, r, conversion=False) for r in funnel.statuses)
    return xlsx_response(filename=f"{TITLE}-{timezone.localtime():%Y%m%d-%H%M}", title=str(TITLE),
                         headers=funnel_headers(funnel, _("Sales stage") if funnel.show_stage else _("Status")),
                         rows=rows, totals=total)


def chart_data(funnel: Funnel) -> dict:
    """The funnel chart: how many reached each step of the progression (it narrows stage by stage);
    without stages (hidden field), the statuses."""
    if funnel.show_stage:
        items = [{"name": r.label, "value": r.reached, "url": r.url} for r in funnel.stages if r.reached is not None]
    else:
        items = [{"name": r.label, "value": r.count, "url": r.url} for r in funnel.statuses]
    return {"type": "funnel", "name": str(_("Reached") if funnel.show_stage else _("Opportunities")),
            "items": items, "empty": funnel.count == 0}


class FunnelPage(LoginRequiredMixin, View):
    """GET /reports/funnel/: chart and tables; ``export=xlsx`` downloads the same tables."""

    def get(self, request):
        user = request.user
        access.require(user, "read", Opportunity)
        exporting = request.GET.get("export") == "xlsx"
        if exporting:
            access.require(user, "export", Opportunity)
        context = {"title": TITLE, "error": None}
        try:
            period, subject = read_request(request.GET)
        except ValidationError as exc:
            context["error"] = exc.messages
            return render_report(request, "reports/funnel.html", context, status=400)
        funnel = build_funnel(user, period, subject, action="export" if exporting else "read")
        if exporting:
            audit.log(actor=user, action=Action.EXPORT, model=Opportunity, object_repr=str(TITLE),
                      changes={"report": "reports.funnel", **period.params, **subject.params,
                               "rows": len(funnel.stages) + len(funnel.statuses)})
            return funnel_xlsx(funnel)
        context.update(funnel=funnel, chart=chart_data(funnel), may_export=access.can(user, "export", Opportunity),
                       export_query=_export_query(request.GET))
        return render_report(request, "reports/funnel.html", context, period=period)


def _export_query(params) -> str:
    query = params.copy()
    query["export"] = "xlsx"
    return query.urlencode()
