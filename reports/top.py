"""Top N (排行榜): the largest salespeople, customers or products by one measure in a period.

Measures and the date that puts a record in the period:

- ``receipts``: receipt amounts by receipt date; a receipt belongs to the salesperson and the
  customer of its receivable, and is visible when its receivable is;
- ``contract_amount`` / ``contract_count``: contracts by sign date, counted once approved
  (approved, executing, completed — drafts and cancelled contracts are not sales); by product the
  amount is the sum of that product's line amounts and the count the contracts holding it;
- ``opportunity_amount``: opportunity amounts (expected × completion rate) by creation time;
- ``new_customers``: customers by creation time, per salesperson.

Each answer is one ``GROUP BY … ORDER BY measure DESC, key LIMIT n`` over the rows the access gate
lets the user see, narrowed to the subject (company, department subtree or person).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from contracts.models import Contract, DocumentLine, DocumentStatus, Receipt, Receivable
from core import access, audit
from core.audit import Action
from customers.models import Customer
from sales.models import Opportunity

from . import rollups
from .excel import xlsx_response
from .params import Period, Subject
from .pipeline_common import money, person, read_request, render_report

TITLE = gettext_lazy("Top N")
DEFAULT_LIMIT, MAX_LIMIT = 10, 100
SIGNED = (DocumentStatus.APPROVED, DocumentStatus.EXECUTING, DocumentStatus.COMPLETED)
BY_LABELS = {"owner": gettext_lazy("Salesperson"), "customer": gettext_lazy("Customer"),
             "product": gettext_lazy("Product")}


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    model: type  # the gated model (grants and data scope)
    money: bool
    by: tuple[str, ...]


MEASURES = {m.key: m for m in (
    Measure("receipts", gettext_lazy("Receipts"), Receivable, True, ("owner", "customer")),
    Measure("contract_amount", gettext_lazy("Contract amount"), Contract, True, ("owner", "customer", "product")),
    Measure("contract_count", gettext_lazy("Number of contracts"), Contract, False, ("owner", "customer", "product")),
    Measure("opportunity_amount", gettext_lazy("Opportunity amount"), Opportunity, True, ("owner", "customer")),
    Measure("new_customers", gettext_lazy("New customers"), Customer, False, ("owner",)),
)}


@dataclass
class TopQuery:
    measure: Measure
    by: str
    limit: int
    period: Period
    subject: Subject

    @property
    def params(self) -> dict:
        return {"measure": self.measure.key, "by": self.by, "limit": self.limit, **self.period.params,
                **self.subject.params}


@dataclass
class TopRow:
    rank: int
    key: object
    label: str
    value: Decimal | int


@dataclass
class TopResult:
    query: TopQuery
    rows: list[TopRow] = field(default_factory=list)

    @property
    def total(self):
        return sum((r.value for r in self.rows), Decimal("0.00") if self.query.measure.money else 0)


def measures_for(user) -> list[Measure]:
    return [m for m in MEASURES.values() if access.can(user, "read", m.model)]


def read_top_query(user, params) -> TopQuery:
    """ValidationError for bad parameters; PermissionDenied for a measure the user may not read."""
    errors = []
    try:
        period, subject = read_request(params)
    except ValidationError as exc:
        errors.extend(exc.messages)
    key = (params.get("measure") or "").strip()
    measure = MEASURES.get(key) if key else next(iter(measures_for(user)), None)
    if key and measure is None:
        errors.append(_("Unknown measure: %(value)s.") % {"value": key[:30]})
    by = (params.get("by") or "owner").strip()
    if by not in BY_LABELS:
        errors.append(_("Unknown grouping: %(value)s.") % {"value": by[:30]})
    elif measure is not None and by not in measure.by:
        errors.append(_("%(measure)s cannot be ranked by %(by)s.") % {"measure": measure.label,
                                                                       "by": str(BY_LABELS[by]).lower()})
    limit = DEFAULT_LIMIT
    raw = (params.get("limit") or "").strip()
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            errors.append(_("The number of rows must be a whole number from 1 to %(max)s.") % {"max": MAX_LIMIT})
        else:
            limit = int(raw)
    if errors:
        raise ValidationError(errors)
    if measure is None or not access.can(user, "read", measure.model):
        raise PermissionDenied(_("You do not have permission for this operation."))
    if by == "customer" and "customer" in access.hidden_fields(user, measure.model):
        raise ValidationError(_("You may not use the field %(field)s.") % {"field": BY_LABELS[by]})
    return TopQuery(measure=measure, by=by, limit=limit, period=period, subject=subject)


def _rows(user, query: TopQuery, action: str):
    """(queryset of the measure's rows, path of the grouping key, aggregate expression)."""
    period, subject, key = query.period, query.subject, query.measure.key
    start, end = period.datetime_range()
    if key == "receipts":
        # Gate on the receivables: a receipt is seen exactly when its receivable is.
        qs = (access.visible_to(user, action, Receipt)
              .filter(subject.q(owner="receivable__owner", department="receivable__department"),
                      receivable__deleted_at__isnull=True, date__gte=period.start, date__lte=period.end))
        return qs, f"receivable__{query.by}", Sum("amount")
    if key in ("contract_amount", "contract_count"):
        contracts = access.visible_to(user, action, Contract).filter(
            subject.q(), status__in=SIGNED, sign_date__gte=period.start, sign_date__lte=period.end)
        if query.by == "product":
            lines = DocumentLine.objects.filter(contract__in=contracts.values("pk"))
            agg = Sum("amount") if key == "contract_amount" else Count("contract_id", distinct=True)
            return lines, "product", agg
        return contracts, query.by, Sum("amount") if key == "contract_amount" else Count("id")
    if key == "opportunity_amount":
        qs = access.visible_to(user, action, Opportunity).filter(subject.q(), created_at__gte=start,
                                                                  created_at__lt=end)
        return qs, query.by, Sum("amount")
    qs = access.visible_to(user, action, Customer).filter(subject.q(), created_at__gte=start, created_at__lt=end)
    return qs, query.by, Count("id")


def _labels(by: str, ids: list) -> dict:
    """{id: label} of the ranked rows, read after the ranking: joining names into the GROUP BY would
    carry them through every aggregated row (twice the time on a million receipts)."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    if by == "owner":
        from org.models import User

        return {u["pk"]: person(u["first_name"], u["last_name"], u["username"])
                for u in User.objects.filter(pk__in=ids).values("pk", "first_name", "last_name", "username")}
    if by == "product":
        from products.models import Product

        return {p["pk"]: f"{p['code']} {p['name']}".strip()
                for p in Product._base_manager.filter(pk__in=ids).values("pk", "code", "name")}
    # A customer in the recycle bin still has its name on the receipts and contracts ranked here.
    return dict(Customer._base_manager.filter(pk__in=ids).values_list("pk", "name"))


def build_top(user, query: TopQuery, *, action: str = "read") -> TopResult:
    if query.measure.key == "receipts" and query.by == "owner":
        # Salespeople by receipts: from the daily receipt roll-up where the scope allows (reports.rollups).
        key = "owner_id"
        sums = rollups.receipt_owner_sums(user, action, period=query.period, subject=query.subject)
        rows = sorted(({key: r["owner_id"], "zv": r["amount"]} for r in sums if r["n"]),
                      key=lambda r: (-r["zv"], r[key] is None, r[key] or 0))[:query.limit]
    else:
        qs, path, agg = _rows(user, query, action)
        key = f"{path}_id"
        rows = list(qs.order_by().values(key).annotate(zv=agg).filter(~Q(zv=None)).order_by("-zv", key)[:query.limit])
    labels = _labels(query.by, [row[key] for row in rows])
    result = TopResult(query=query)
    for rank, row in enumerate(rows, start=1):
        value = money(row["zv"]) if query.measure.money else int(row["zv"])
        result.rows.append(TopRow(rank=rank, key=row[key], label=labels.get(row[key]) or _("Not set"), value=value))
    return result


def top_xlsx(result: TopResult):
    q = result.query
    return xlsx_response(filename=f"{TITLE}-{timezone.localtime():%Y%m%d-%H%M}", title=str(TITLE),
                         headers=[_("Rank"), BY_LABELS[q.by], q.measure.label],
                         rows=[[r.rank, r.label, r.value] for r in result.rows],
                         totals=[_("Total"), None, result.total])


def chart_data(result: TopResult) -> dict:
    return {"type": "bar", "name": str(result.query.measure.label),
            "items": [{"name": r.label, "value": float(r.value), "url": ""} for r in result.rows],
            "empty": not result.rows}


class TopPage(LoginRequiredMixin, View):
    """GET /reports/top/: the ranking as a bar chart and a table; ``export=xlsx`` downloads it."""

    def get(self, request):
        user = request.user
        measures = measures_for(user)
        if not measures:
            raise PermissionDenied(_("You do not have permission for this operation."))
        context = {"title": TITLE, "error": None, "measures": measures, "by_labels": BY_LABELS,
                   "top_selected": {"measure": request.GET.get("measure") or measures[0].key,
                                    "by": request.GET.get("by") or "owner",
                                    "limit": request.GET.get("limit") or DEFAULT_LIMIT}}
        try:
            query = read_top_query(user, request.GET)
        except ValidationError as exc:
            context["error"] = exc.messages
            return render_report(request, "reports/top.html", context, status=400)
        if request.GET.get("export") == "xlsx":
            access.require(user, "export", query.measure.model)
            result = build_top(user, query, action="export")
            audit.log(actor=user, action=Action.EXPORT, model=query.measure.model, object_repr=str(TITLE),
                      changes={"report": "reports.top", **query.params, "rows": len(result.rows)})
            return top_xlsx(result)
        result = build_top(user, query)
        params = request.GET.copy()
        params["export"] = "xlsx"
        context.update(result=result, chart=chart_data(result), export_query=params.urlencode(),
                       may_export=access.can(user, "export", query.measure.model))
        return render_report(request, "reports/top.html", context, period=query.period)
