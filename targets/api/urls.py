"""Routes the targets app adds under /api/v1/."""


def register(router) -> None:
    from .views import register_views

    register_views(router)
