"""Routes the customers app adds under /api/v1/: each area registers its own viewsets."""

from . import views, views_contacts, views_pools, views_stats


def register(router) -> None:
    views.register(router)
    views_contacts.register(router)
    views_pools.register(router)
    views_stats.register(router)
