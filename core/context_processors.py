from functools import cache


def shell(request):
    """Data the page shell (navigation, bell) needs on every page. Each is worked out when a template
    first shows it, once: an HTMX fragment that shows neither costs nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .navigation import menu_html

    @cache
    def unread():
        return user.notifications.filter(read_at__isnull=True).count()

    @cache
    def nav():
        return menu_html(request)

    return {"nav_html": nav, "unread_notifications": unread}
