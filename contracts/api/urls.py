"""Routes the contracts app adds under /api/v1/."""


def register(router) -> None:
    pass
