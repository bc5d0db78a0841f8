"""Home page panels. Each module contributes panels; every figure is read through the gate."""

from collections.abc import Callable

_panels: list[tuple[int, Callable]] = []


def register_panel(order: int = 50):
    """A panel is a function (request) -> dict(template=..., **context) or None when it has nothing to show."""

    def wrap(fn):
        _panels.append((order, fn))
        _panels.sort(key=lambda p: p[0])
        return fn

    return wrap


def panels_for(request) -> list[dict]:
    result = []
    for _order, fn in _panels:
        panel = fn(request)
        if panel:
            result.append(panel)
    return result
