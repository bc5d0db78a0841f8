"""Rules that stop a record from being deleted. Later modules join by registering a checker.

A checker takes the instance and returns a reason (str) to refuse, or None. For example the sales
module registers one for Customer that refuses while a receivable balance is open.
"""

from collections import defaultdict
from collections.abc import Callable

_blockers: dict[type, list[Callable]] = defaultdict(list)
_restore_blockers: dict[type, list[Callable]] = defaultdict(list)


def register_blocker(model, checker: Callable) -> Callable:
    _blockers[model].append(checker)
    return checker


def reasons_not_to_delete(instance) -> list[str]:
    reasons = []
    for checker in _blockers.get(type(instance), []):
        reason = checker(instance)
        if reason:
            reasons.append(str(reason))
    return reasons


def register_restore_blocker(model, checker: Callable) -> Callable:
    """A checker refusing to bring a binned record back (e.g. a customer merged into another)."""
    _restore_blockers[model].append(checker)
    return checker


def reasons_not_to_restore(instance) -> list[str]:
    return [str(reason) for checker in _restore_blockers.get(type(instance), []) if (reason := checker(instance))]
