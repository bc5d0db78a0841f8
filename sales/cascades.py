"""Hooks other sales modules join so deletes cascade as SPEC §3 says, without sales importing them.

Deleting a contact or maintenance record deletes its quote; deleting an opportunity deletes its
contact records (and through them their quotes) but not its project. The quotes module joins with::

    from sales.cascades import on_record_deleted

    @on_record_deleted
    def delete_quote(*, actor, record):
        for quote in Quote.objects.filter(record=record): quote_delete(actor=actor, instance=quote)

Hooks run inside the deleting transaction, before the record is binned; raising refuses the delete.
"""

from __future__ import annotations

from collections.abc import Callable

_record_deleted: list[Callable] = []
_opportunity_deleted: list[Callable] = []


def on_record_deleted(fn: Callable) -> Callable:
    """``fn(*, actor, record)`` for every contact or maintenance record that is deleted."""
    if fn not in _record_deleted:
        _record_deleted.append(fn)
    return fn


def on_opportunity_deleted(fn: Callable) -> Callable:
    """``fn(*, actor, opportunity)`` after its records are deleted, before the opportunity is."""
    if fn not in _opportunity_deleted:
        _opportunity_deleted.append(fn)
    return fn


def forget(fn: Callable) -> None:
    for hooks in (_record_deleted, _opportunity_deleted):
        if fn in hooks:
            hooks.remove(fn)


def record_deleted(*, actor, record) -> None:
    for fn in list(_record_deleted):
        fn(actor=actor, record=record)


def opportunity_deleted(*, actor, opportunity) -> None:
    for fn in list(_opportunity_deleted):
        fn(actor=actor, opportunity=opportunity)
