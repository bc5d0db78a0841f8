import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.dashboard import register_panel
from core.lists.paging import count_rows

from .models import Customer


@register_panel(order=10)
def customer_summary(request):
    """The four customer figures and the next follow-ups due. The figures are counted the way list
    totals are (exact up to 2,000, past that PostgreSQL's estimate, shown as "about"): at a million
    customers two exact counts kept the home page waiting over a second."""
    user = request.user
    if not access.can(user, "read", Customer):
        return None
    visible = access.visible_to(user, "read", Customer)
    today = timezone.localdate()
    # The month's first moment in the user's time zone: a range the created_at index can answer
    # (created_at__date would convert every row's time first).
    month_start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time.min))
    due = visible.filter(owner=user, next_followup_on__lte=today).order_by("next_followup_on")
    figures = {
        "total": (_("Customers I can see"), visible),
        "mine": (_("My customers"), visible.filter(owner=user)),
        "new_this_month": (_("New this month"), visible.filter(created_at__gte=month_start)),
        "due_count": (_("Follow-ups due"), due),
    }
    panel = {"template": "customers/panels/summary.html", "figures": []}
    for key, (label, qs) in figures.items():
        value, estimated = count_rows(qs)
        panel[key] = value
        panel["figures"].append({"label": label, "value": value, "estimated": estimated,
                                 "alert": key == "due_count" and value > 0})
    panel["due"] = list(due.select_related("level")[:8])
    return panel
