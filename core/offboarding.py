"""Moving a leaving user's records. Each module registers how its records are handed over."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from . import access, audit
from .audit import Action

# model -> callable(actor, user, transfer_to, release_to_pool) -> int, for models with their own rule
# (the customers module releases customers to the public pool instead of reassigning them).
_handlers: dict[type, Callable] = {}


def register(model, handler: Callable) -> None:
    _handlers[model] = handler


def hand_over(*, actor, user, transfer_to=None, release_to_pool=False) -> dict[str, int]:
    moved = {}
    for model in access.registered_models():
        spec = access.spec_for(model)
        if spec.via or not spec.owner:
            continue
        if model in _handlers:
            count = _handlers[model](actor=actor, user=user, transfer_to=transfer_to, release_to_pool=release_to_pool)
        elif transfer_to is not None:
            rows = model._base_manager.filter(**{spec.owner: user})
            count = 0
            for row in rows:
                setattr(row, spec.owner, transfer_to)
                if spec.department:
                    setattr(row, f"{spec.department}_id", transfer_to.department_id)
                row.save(update_fields=[spec.owner] + ([spec.department] if spec.department else []))
                audit.log(actor=actor, action=Action.ASSIGN, instance=row,
                          message=_("Handed over from %(old)s to %(new)s (left)") % {"old": user, "new": transfer_to})
                count += 1
        else:
            count = 0
        moved[model._meta.label] = count
    return moved
