from functools import cache

from django.db.models import Count

from .models import Notification
from .prepared import Prepared

# The bell's count on every page; its SQL is built once (core.prepared). No row: nothing unread.
_unread = Prepared(lambda user_id: Notification.objects.filter(user_id=user_id, read_at__isnull=True)
                   .order_by().values("user_id").annotate(n=Count("pk")).values_list("n"), int)


def shell(request):
    """Data the page shell (navigation, bell) needs on every page. Each is worked out when a template
    first shows it, once: an HTMX fragment that shows neither costs nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .navigation import menu_html

    @cache
    def unread():
        found = _unread(user.pk)
        return found[0][0] if found else 0

    @cache
    def nav():
        return menu_html(request)

    return {"nav_html": nav, "unread_notifications": unread}
