"""Routes the products app adds under /api/v1/."""

from . import views


def register(router) -> None:
    views.register(router)
