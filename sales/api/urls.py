"""Routes the sales app adds under /api/v1/."""


def register(router) -> None:
    pass
