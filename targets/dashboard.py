"""Home page panel "My performance vs target": this month, quarter and year, both measures, for the
user — and for their department and the company when the user may read those targets (the gate decides:
department targets need department scope, the company target "all" scope)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.dashboard import register_panel

from .models import Level, Measure, SalesTarget
from .selectors import progress, visible_targets


def performance(user, today=None) -> list[dict]:
    today = today or timezone.localdate()
    year, month, quarter = today.year, today.month, (today.month - 1) // 3 + 1
    present = set(visible_targets(user).filter(year=year).filter(
        Q(level=Level.PERSON, owner=user) | Q(level=Level.DEPARTMENT, department_id=user.department_id)
        | Q(level=Level.COMPANY)).order_by().values_list("level", "measure").distinct())
    subjects = [(Level.PERSON, {"owner": user}, _("Me"))]
    if user.department_id:
        subjects.append((Level.DEPARTMENT, {"department": user.department, "subtree": False}, user.department.name))
    subjects.append((Level.COMPANY, {}, _("Whole company")))
    blocks = []
    for level, narrow, label in subjects:
        lines = []
        for measure in Measure:
            if (level, measure.value) not in present:
                continue
            result = progress(user=user, year=year, measure=measure.value, level=level, **narrow)
            if not result.rows:
                continue
            row = result.rows[0]
            lines.append({"measure": measure.label, "complete": row.complete,
                          "figures": [row.months[month - 1], row.quarters[quarter - 1], row.year]})
        if lines:
            blocks.append({"label": label, "level": level, "lines": lines,
                           "complete": all(line["complete"] for line in lines)})
    return blocks


@register_panel(order=12)
def my_performance(request):
    user = request.user
    if not access.can(user, "read", SalesTarget):
        return None
    blocks = performance(user)
    if not blocks:
        return None
    today = timezone.localdate()
    return {"template": "targets/panels/performance.html", "blocks": blocks, "year": today.year,
            "columns": [_("This month"), _("This quarter"), _("This year")]}
