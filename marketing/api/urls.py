"""Routes the marketing app adds under /api/v1/."""


def register(router) -> None:
    pass
