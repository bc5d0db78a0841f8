"""Routes the marketing app adds under /api/v1/."""


def register(router) -> None:
    from .views import register as register_leads

    register_leads(router)
