"""Receivables tracking (客户回款跟踪表, seed 004): every receivable with its customer, document,
due date, amount, received, balance, payment status and days overdue, with totals per status.

Status is computed as on the receivable itself (contracts.models.money): paid when nothing is left
to pay, overdue when a balance is left after the due date, partly paid when something was received,
else pending. Days overdue = today − due date for an overdue receivable, otherwise 0.

Parameters: ``status`` (pending | partly_paid | paid | overdue, empty for all), the subject
(``department`` / ``owner``) and optionally a due-date period (``period`` … as in reports.params).
The page shows one page of rows (core.lists.paging: a seek past the first thousand rows), the totals
come from one GROUP BY over the status expression; the export streams every matching row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from contracts.models import Receivable, ReceivableStatus
from core import access, audit
from core.audit import Action
from core.lists.paging import paginate

from . import rollups
from .excel import xlsx_response
from .params import Period, Subject
from .pipeline_common import ZERO, money, read_request, render_report

TITLE = gettext_lazy("Receivables tracking")
PAGE_SIZE = 50
ROW_FIELDS = ("id", "period", "due_date", "amount", "received", "balance", "customer_id", "owner_id", "contract_id",
              "order_id", "customer__name", "owner__username", "owner__first_name", "owner__last_name",
              "contract__code", "order__code")


@dataclass(frozen=True)
class ReceivableQuery:
    status: str  # "" for every status
    period: Period | None  # due dates in this period; None for any due date
    subject: Subject

    @property
    def params(self) -> dict:
        return {"status": self.status, **(self.period.params if self.period else {}), **self.subject.params}


def read_receivable_query(params) -> ReceivableQuery:
    errors = []
    try:
        period, subject = read_request(params, period_required=False)
    except ValidationError as exc:
        errors.extend(exc.messages)
    status = (params.get("status") or "").strip()
    if status and status not in ReceivableStatus.values:
        errors.append(_("Unknown status: %(value)s.") % {"value": status[:30]})
    if errors:
        raise ValidationError(errors)
    return ReceivableQuery(status=status, period=period, subject=subject)


def status_expr(today: datetime.date) -> Case:
    """The receivable's status as SQL, in the same order of tests as Receivable.status_on."""
    return Case(When(balance__lte=0, then=Value(ReceivableStatus.PAID)),
                When(due_date__lt=today, then=Value(ReceivableStatus.OVERDUE)),
                When(received__gt=0, then=Value(ReceivableStatus.PARTLY_PAID)),
                default=Value(ReceivableStatus.PENDING), output_field=CharField())


def base_queryset(user, query: ReceivableQuery, *, action: str = "read"):
    """The subject's receivables in the user's scope, due in the period; before the status filter."""
    qs = access.visible_to(user, action, Receivable).filter(query.subject.q())
    if query.period is not None:
        qs = qs.filter(due_date__gte=query.period.start, due_date__lte=query.period.end)
    return qs


def rows_queryset(user, query: ReceivableQuery, *, today: datetime.date, action: str = "read"):
    qs = base_queryset(user, query, action=action)
    if query.status:
        qs = qs.with_status(query.status, today)
    return qs.select_related("customer", "owner", "contract", "order").only(*ROW_FIELDS).order_by("due_date", "id")


@dataclass
class StatusTotal:
    status: str
    label: str
    count: int = 0
    amount: Decimal = ZERO
    received: Decimal = ZERO
    balance: Decimal = ZERO


def totals(user, query: ReceivableQuery, *, today: datetime.date, action: str = "read") -> list[StatusTotal]:
    """Count, amount, received and balance per status (all four, zeros included) and the total last."""
    # One GROUP BY status: over the receivable roll-up where it gives the same answer (reports.rollups).
    live = Receivable.objects.filter(query.subject.q())
    if query.period is not None:
        live = live.filter(due_date__gte=query.period.start, due_date__lte=query.period.end)
    found = rollups.receivable_status_sums(user, action, live=live, subject=query.subject, period=query.period,
                                           today=today, status_expr=status_expr)
    out, total = [], StatusTotal(status="", label=str(_("Total")))
    for value, label in ReceivableStatus.choices:
        row = found.get(value) or {}
        item = StatusTotal(status=value, label=str(label), count=row.get("n") or 0, amount=money(row.get("amount")),
                           received=money(row.get("received")), balance=money(row.get("balance")))
        out.append(item)
        total.count += item.count
        total.amount += item.amount
        total.received += item.received
        total.balance += item.balance
    out.append(total)
    return out


def overdue_days(obj: Receivable, today: datetime.date) -> int:
    return (today - obj.due_date).days if obj.balance > 0 and obj.due_date < today else 0


def row_dict(obj: Receivable, today: datetime.date) -> dict:
    owner = obj.owner
    return {
        "id": obj.pk, "customer": obj.customer.name if obj.customer_id else "",
        "customer_id": obj.customer_id,
        "document": (obj.contract.code if obj.contract_id else obj.order.code if obj.order_id else "") or "",
        "document_kind": "contract" if obj.contract_id else "order",
        "period": obj.period, "due_date": obj.due_date, "amount": obj.amount, "received": obj.received,
        "balance": obj.balance, "status": obj.status_on(today),
        "status_label": str(ReceivableStatus(obj.status_on(today)).label),
        "overdue_days": overdue_days(obj, today),
        "owner": (owner.get_full_name() or owner.username) if owner else "", "owner_id": obj.owner_id,
    }


def headers(show_due: bool) -> list[str]:
    return [_("Customer"), _("Contract / order"), _("Period"), *([_("Due date")] if show_due else []),
            _("Amount"), _("Received"), _("Balance"), _("Status"), *([_("Days overdue")] if show_due else []),
            _("Owner")]


def cells(row: dict, show_due: bool) -> list:
    return [row["customer"], row["document"], row["period"], *([row["due_date"].isoformat()] if show_due else []),
            row["amount"], row["received"], row["balance"], row["status_label"],
            *([row["overdue_days"]] if show_due else []), row["owner"]]


class ReceivablesPage(LoginRequiredMixin, View):
    """GET /reports/receivables/: status totals and a paged table; ``export=xlsx`` streams every row."""

    def get(self, request):
        user = request.user
        access.require(user, "read", Receivable)
        context = {"title": TITLE, "error": None, "statuses": ReceivableStatus.choices,
                   "status_selected": request.GET.get("status", "")}
        try:
            query = read_receivable_query(request.GET)
        except ValidationError as exc:
            context["error"] = exc.messages
            return render_report(request, "reports/receivables.html", context, status=400)
        today = timezone.localdate()
        # A role that hides the due date hides the days overdue too (they give the date away).
        show_due = "due_date" not in access.hidden_fields(user, Receivable)
        if request.GET.get("export") == "xlsx":
            return self.export(request, query, today, show_due)
        paged = paginate(rows_queryset(user, query, today=today), PAGE_SIZE, request.GET)
        from contracts.ui import ReceivableUI

        rows = [{**row_dict(obj, today), "url": ReceivableUI.url("detail", obj.pk)} for obj in paged.page.object_list]
        base = request.GET.copy()
        for name in ("page", "after", "before", "export"):
            base.pop(name, None)
        export = base.copy()
        export["export"] = "xlsx"
        sums = totals(user, query, today=today)
        tabs = []
        for item in sums:
            link = base.copy()
            link.pop("status", None)
            if item.status:
                link["status"] = item.status
            tabs.append({"total": item, "query": link.urlencode(), "active": item.status == query.status})
        context.update(query=query, rows=rows, paged=paged, totals=sums, tabs=tabs,
                       show_due=show_due, base_query=base.urlencode(), export_query=export.urlencode(),
                       may_export=access.can(user, "export", Receivable))
        return render_report(request, "reports/receivables.html", context, period=query.period)

    def export(self, request, query: ReceivableQuery, today, show_due: bool):
        user = request.user
        access.require(user, "export", Receivable)
        qs = rows_queryset(user, query, today=today, action="export")
        written = [0]

        def stream():
            # iterator(): the rows go to the write-only sheet in chunks, never all in memory at once.
            for obj in qs.iterator(chunk_size=2000):
                written[0] += 1
                yield cells(row_dict(obj, today), show_due)

        sums = totals(user, query, today=today, action="export")
        chosen = next((t for t in sums if t.status == query.status), sums[-1])
        total_row = [_("Total"), None, None, *([None] if show_due else []), chosen.amount, chosen.received,
                     chosen.balance, None, *([None] if show_due else []), None]
        response = xlsx_response(filename=f"{TITLE}-{timezone.localtime():%Y%m%d-%H%M}", title=str(TITLE),
                                 headers=headers(show_due), rows=stream(), totals=total_row)
        audit.log(actor=user, action=Action.EXPORT, model=Receivable, object_repr=str(TITLE),
                  changes={"report": "reports.receivables", **query.params, "rows": written[0]})
        response["X-Export-Rows"] = str(written[0])
        return response
