"""Routes the customers app adds under /api/v1/: each area registers its own viewsets."""

from . import views, views_contacts


def register(router) -> None:
    views.register(router)
    views_contacts.register(router)
