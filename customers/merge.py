"""Moving every record of merged customers to the survivor (客户合并).

Relations are found by looking at the models: every foreign key and many-to-many field that points
at Customer, in any app, is moved, so a module added later needs to do nothing. Two registries cover
what cannot be discovered or must be moved another way:

* ``register_merge_relation(model, field, content_type_field=None)`` — a reference the models do not
  declare as a foreign key, e.g. a generic relation (``object_id`` + ``content_type``) or a plain
  integer column holding a customer id;
* ``register_merge_hook(hook)`` — ``hook(survivor, merged) -> dict | None`` runs before the automatic
  moves for each merged customer, for rows that need care (a unique constraint per customer, a
  balance to add up). It returns ``{"app.Model.field": [ids]}`` of what it moved, and relations it
  handled completely can be named in ``skip_merge_relation(model, field)``.

Audit entries, versions and shares of the merged customer are its history and stay with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

MAX_IDS_LOGGED = 1000


@dataclass(frozen=True)
class ExtraRelation:
    model: type[models.Model]
    field: str
    content_type_field: str | None = None


_extra: list[ExtraRelation] = []
_hooks: list[Callable] = []
_skipped: set[tuple[type[models.Model], str]] = set()


def register_merge_relation(model, field: str, *, content_type_field: str | None = None) -> None:
    relation = ExtraRelation(model, field, content_type_field)
    if relation not in _extra:
        _extra.append(relation)


def register_merge_hook(hook: Callable) -> Callable:
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def unregister_merge_hook(hook: Callable) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


def skip_merge_relation(model, field: str) -> None:
    _skipped.add((model, field))


def _label(model, field: str) -> str:
    return f"{model._meta.label}.{field}"


def _note(moved: dict[str, list[int]], key: str, ids) -> None:
    ids = list(ids)
    if ids:
        moved.setdefault(key, []).extend(ids)


def _move_m2m_rows(through, source_field: str, survivor, merged) -> list[int]:
    """Re-point through-table rows; a link the survivor already has is dropped, not doubled."""
    target_field = next(f.name for f in through._meta.concrete_fields
                        if f.is_relation and f.name != source_field and f.name != "id")
    rows = through._default_manager.filter(**{source_field: merged})
    have = set(through._default_manager.filter(**{source_field: survivor}).values_list(f"{target_field}_id", flat=True))
    moved = []
    for row in rows:
        if getattr(row, f"{target_field}_id") in have:
            row.delete()
        else:
            moved.append(row.pk)
    through._default_manager.filter(pk__in=moved).update(**{source_field: survivor})
    return moved


def move_related(survivor, merged) -> dict[str, list[int]]:
    """Move everything that belongs to ``merged`` over to ``survivor``; returns {relation: ids moved}."""
    from .models import Customer

    moved: dict[str, list[int]] = {}
    for hook in list(_hooks):
        for key, ids in (hook(survivor, merged) or {}).items():
            _note(moved, key, ids)

    for rel in Customer._meta.related_objects:
        model, name = rel.related_model, rel.field.name
        if (model, name) in _skipped or (rel.many_to_many and (rel.through, name) in _skipped):
            continue
        if rel.many_to_many:
            # Another model's many-to-many field to customers (e.g. a campaign's target customers).
            through = rel.through
            source = next(f.name for f in through._meta.concrete_fields
                          if f.is_relation and f.related_model is Customer)
            _note(moved, _label(model, name), _move_m2m_rows(through, source, survivor, merged))
            continue
        if model is Customer:
            continue  # parent companies and merge links: handled below
        manager = model._base_manager  # soft-deleted rows move too, so a restore finds the survivor
        rows = manager.filter(**{name: merged})
        if rel.one_to_one and manager.filter(**{name: survivor}).exists():
            continue  # the survivor has its own; the merged one's stays with the merged record
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            manager.filter(pk__in=ids).update(**{name: survivor})
        _note(moved, _label(model, name), ids)

    # The customer's own many-to-many fields (tags, collaborators, …): the survivor gets the union.
    for m2m in Customer._meta.many_to_many:
        if (Customer, m2m.name) in _skipped:
            continue
        added = set(getattr(merged, m2m.name).values_list("pk", flat=True)) - \
            set(getattr(survivor, m2m.name).values_list("pk", flat=True))
        if added:
            getattr(survivor, m2m.name).add(*added)
        _note(moved, _label(Customer, m2m.name), sorted(added))

    # Subsidiaries of the merged company become the survivor's; earlier merges point at the survivor.
    subsidiaries = Customer.all_objects.filter(parent=merged).exclude(pk=survivor.pk)
    _note(moved, _label(Customer, "parent"), subsidiaries.values_list("pk", flat=True))
    subsidiaries.update(parent=survivor)
    earlier = Customer.all_objects.filter(merged_into=merged)
    _note(moved, _label(Customer, "merged_into"), earlier.values_list("pk", flat=True))
    earlier.update(merged_into=survivor)

    for extra in _extra:
        manager = extra.model._base_manager
        lookup = {extra.field: merged.pk}
        if extra.content_type_field:
            lookup[extra.content_type_field] = ContentType.objects.get_for_model(Customer)
        ids = list(manager.filter(**lookup).values_list("pk", flat=True))
        if ids:
            manager.filter(pk__in=ids).update(**{extra.field: survivor.pk})
        _note(moved, _label(extra.model, extra.field), ids)
    return moved


def summary(moved: dict[str, list[int]]) -> dict[str, dict]:
    """What the audit entry keeps: the count per relation and the ids (capped)."""
    return {key: {"count": len(ids), "ids": ids[:MAX_IDS_LOGGED]} for key, ids in moved.items() if ids}
