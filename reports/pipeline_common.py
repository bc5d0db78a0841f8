"""What the pipeline reports (funnel, Top N, receivables tracking) share: reading the request, shares
and rates with "—" for a zero denominator, people's names from aggregate rows, and rendering a page
or only its result partial for HTMX.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from org.models import Department

from .params import Period, Subject, read_period, read_subject

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
PCT = Decimal("0.01")


def money(value) -> Decimal:
    """A SUM over no rows is NULL; the reports show it as 0.00."""
    return ZERO if value is None else Decimal(value).quantize(PCT)


def percent(part, whole) -> Decimal | None:
    """part ÷ whole × 100 to two decimals (half up); None — shown as "—" — when whole is zero."""
    if not whole:
        return None
    return (Decimal(part or 0) * HUNDRED / Decimal(whole)).quantize(PCT, rounding=ROUND_HALF_UP)


def person(first: str | None, last: str | None, username: str | None) -> str:
    """A user's name from the columns of an aggregate row: User.get_full_name (family name first, no
    space, as Chinese names are written), else the username."""
    return f"{last or ''}{first or ''}".strip() or (username or "")


def read_request(params, *, period_required: bool = True) -> tuple[Period | None, Subject]:
    """Period and subject of a report request; ValidationError with every message when they are bad."""
    errors, period, subject = [], None, Subject()
    if period_required or (params.get("period") or "").strip():
        try:
            period = read_period(params)
        except ValidationError as exc:
            errors.extend(exc.messages)
    try:
        subject = read_subject(params)
    except ValidationError as exc:
        errors.extend(exc.messages)
    export = (params.get("export") or "").strip()
    if export and export != "xlsx":
        errors.append(_("Unknown export format."))
    if errors:
        raise ValidationError(errors)
    return period, subject


def subject_list_rules(subject: Subject) -> list[dict]:
    """Filter rules of a record list (owner / department fields) selecting the subject's rows.
    A department means its subtree, which the list filter expresses as "department is one of …"."""
    if subject.owner is not None:
        return [{"field": "owner", "operator": "eq", "value": subject.owner.pk}]
    if subject.department is not None:
        ids = list(Department.objects.filter(path__startswith=subject.department.path)
                   .order_by("path").values_list("pk", flat=True))
        return [{"field": "department", "operator": "in", "value": ids}]
    return []


def form_context(params, period: Period | None = None) -> dict:
    """The period and subject controls of the report forms, with the request's values selected (the
    period as it was read, so defaults such as "this quarter" show in the controls)."""
    from org.selectors import active_departments, working_users

    selected = {key: params.get(key, "") for key in
                ("period", "year", "quarter", "month", "start", "end", "owner", "department")}
    if period is not None:
        selected.update({key: str(value) for key, value in period.params.items()})
    return {
        "selected": selected,
        "owners": working_users().order_by("id").only("id", "username", "first_name", "last_name"),
        "departments": active_departments().order_by("path").only("id", "name", "path"),
        "periods": [("year", _("Year")), ("quarter", _("Quarter")), ("month", _("Month")), ("custom", _("Custom"))],
    }


def render_report(request, template: str, context: dict, *, status: int = 200, period: Period | None = None):
    """The whole page, or only its ``result`` partial for an HTMX update of the form."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return render(request, f"{template}#result", context, status=status)
    context.update(form_context(request.GET, period))
    return render(request, template, context, status=status)
