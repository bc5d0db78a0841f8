def shell(request):
    """Data the page shell (navigation, bell) needs on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .navigation import menu_for

    return {
        "nav_menu": menu_for(request),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
