from django.utils import timezone

from core import access
from core.dashboard import register_panel

from .models import Customer


@register_panel(order=10)
def customer_summary(request):
    user = request.user
    if not access.can(user, "read", Customer):
        return None
    visible = access.visible_to(user, "read", Customer)
    today = timezone.localdate()
    month_start = today.replace(day=1)
    due = visible.filter(owner=user, next_followup_on__lte=today).order_by("next_followup_on")
    return {
        "template": "customers/panels/summary.html",
        "total": visible.count(),
        "mine": visible.filter(owner=user).count(),
        "new_this_month": visible.filter(created_at__date__gte=month_start).count(),
        "due_count": due.count(),
        "due": list(due.select_related("level")[:8]),
    }
