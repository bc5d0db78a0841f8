"""Global search over every ModelUI, through the gate. Modules with a better search override ModelUI.search."""

from . import access
from .ui import all_uis

PER_MODEL = 8


def global_search(user, term: str) -> list[dict]:
    term = (term or "").strip()
    if not term:
        return []
    groups = []
    for ui in all_uis():
        if not access.can(user, "read", ui.model):
            continue
        rows = list(ui.search(ui.queryset(user), term, user=user)[:PER_MODEL])
        if rows:
            groups.append({"ui": ui, "label": ui.model._meta.verbose_name_plural, "rows": rows})
    return groups
