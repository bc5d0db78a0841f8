"""Writes of customers: create, update, delete and merge, on top of the generic core services.

The core services do the gate checks, field permissions, optimistic concurrency, audit entries and
versions; these add the customer's own rules, so the UI, the API, imports and jobs all get them:

* the unified social credit code must pass its GB 32100-2015 check digit, the phone must be a phone
  number (checked when set or changed, so older records with odd values can still be edited);
* an exact duplicate (same credit code or phone as a live customer) is refused; a similar name is
  refused on create until the caller confirms it (``confirm_duplicates``);
* the status follows its lifecycle (``STATUS_MOVES``);
* an empty code is numbered by the "customer" numbering rule, with the province letters and the
  level code as context (a rule such as ``KH-{region}{level}-{seq:5}`` gives ``KH-BJA-00012``);
* collaborators are the users the customer is shared with for editing.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, audit, numbering
from core import services as core_services
from core.audit import Action
from core.models import RecordShare

from . import dedup, merge, validators
from .models import Customer, CustomerCategory, Tag
from .search import refresh_search_keys

Status = Customer.Status

# The status lifecycle: potential → intent → deal, any open stage → lost, a lost customer may be
# won back to potential or intent, and a deal customer can only be lost (it has bought already).
STATUS_MOVES: dict[str, set[str]] = {
    Status.POTENTIAL: {Status.INTENT, Status.DEAL, Status.LOST},
    Status.INTENT: {Status.POTENTIAL, Status.DEAL, Status.LOST},
    Status.DEAL: {Status.LOST},
    Status.LOST: {Status.POTENTIAL, Status.INTENT},
}
M2M_FIELDS = ("tags", "collaborators")
MAX_PARENT_DEPTH = 50

__all__ = ["STATUS_MOVES", "customer_create", "customer_delete", "customer_merge", "customer_update",
           "refresh_search_keys"]


class DuplicateFound(ValidationError):
    """A similar customer exists; the caller may confirm and save again."""

    def __init__(self, matches: list[dedup.Match]):
        self.matches = matches
        super().__init__({"name": [m.message for m in matches]}, code="similar")


def _pop_m2m(data: dict) -> dict[str, list[int] | None]:
    out = {}
    for name in M2M_FIELDS:
        if name in data:
            value = data.pop(name)
            out[name] = sorted({getattr(v, "pk", v) for v in (value or [])})
    return out


def _clean(data: dict, *, current: Customer | None) -> None:
    """Check and normalise the values being set; raise ValidationError with every problem at once."""
    errors: dict[str, list] = {}

    def changed(name: str) -> bool:
        return name in data and (current is None or data[name] != getattr(current, name))

    for name in ("name", "short_name", "phone", "credit_code", "tax_number", "bank_account", "code"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    if changed("credit_code") and data["credit_code"]:
        try:
            data["credit_code"] = validators.validate_credit_code(data["credit_code"])
        except ValidationError as exc:
            errors["credit_code"] = exc.messages
    if changed("phone") and data["phone"]:
        try:
            validators.validate_phone(data["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if changed("status") and current is not None and data["status"] not in STATUS_MOVES.get(current.status, set()):
        errors["status"] = [_("A customer cannot go from %(old)s to %(new)s.") % {
            "old": Status(current.status).label, "new": Status(data["status"]).label if data["status"] in Status.values else data["status"]}]
    if changed("code") and data["code"] and Customer.all_objects.filter(code=data["code"]).exclude(
            pk=getattr(current, "pk", None)).exists():
        errors["code"] = [_("This customer code is already used.")]
    # The region chain fills in upwards: a district names its city, a city its province.
    district, city = data.get("district"), data.get("city")
    if district is not None and city is None and "city" not in data:
        data["city"] = city = district.parent
    if city is not None and "province" not in data:
        data["province"] = city.parent
    parent = data.get("parent")
    if changed("parent") and parent is not None and current is not None:
        node, depth = parent, 0
        while node is not None and depth < MAX_PARENT_DEPTH:
            if node.pk == current.pk:
                errors["parent"] = [_("A customer cannot be a parent company of its own parent.")]
                break
            node, depth = (Customer.all_objects.filter(pk=node.parent_id).first() if node.parent_id else None), depth + 1
    if errors:
        raise ValidationError(errors)


def _exact_duplicates(actor, data: dict, *, current: Customer | None) -> None:
    """Refuse a credit code or phone another live customer already has."""
    values = {}
    for name in ("credit_code", "phone"):
        if name in data and data[name] and (current is None or data[name] != getattr(current, name)):
            values[name] = data[name]
    if not values:
        return
    exclude = [current.pk] if current is not None else []
    matches = [m for m in dedup.find_duplicates(user=actor, exclude=exclude, **values) if m.exact]
    if matches:
        raise ValidationError(dedup.refuse_exact(matches))


def _set_m2m(*, actor, customer: Customer, values: dict[str, list[int]], creating: bool) -> None:
    changes = {}
    for name, new in values.items():
        old = sorted(getattr(customer, name).values_list("pk", flat=True))
        if old != new:
            getattr(customer, name).set(new)
            changes[name] = [old, new]
    if not changes:
        return
    if "collaborators" in changes:
        _sync_collaborator_shares(actor=actor, customer=customer, old=changes["collaborators"][0],
                                  new=changes["collaborators"][1])
    # Versions hold the row's own columns; these lists are recorded in the audit trail.
    audit.log(actor=actor, action=Action.UPDATE, instance=customer, changes=changes,
              message=_("Tags and collaborators") if creating else "")


def _sync_collaborator_shares(*, actor, customer: Customer, old: list[int], new: list[int]) -> None:
    """Collaborators may see and edit the customer: they get a share, and lose it when removed."""
    from org.models import User

    added, removed = set(new) - set(old), set(old) - set(new)
    if added:
        if not access.visible_to(actor, "share", Customer).filter(pk=customer.pk).exists():
            raise ValidationError({"collaborators": [_("You may not share this customer, so you cannot add collaborators.")]})
        users = list(User.objects.filter(pk__in=added, is_active=True))
        if len(users) != len(added):
            raise ValidationError({"collaborators": [_("Unknown or disabled user.")]})
        core_services.share_records(actor=actor, model=Customer, pks=[customer.pk], users=users, can_edit=True)
    if removed:
        content_type = ContentType.objects.get_for_model(Customer)
        RecordShare.objects.filter(content_type=content_type, object_id=customer.pk, user_id__in=removed,
                                   department=None).delete()
        audit.log(actor=actor, action=Action.SHARE, instance=customer, changes={"removed_users": sorted(removed)})


def _number(data: dict) -> str:
    province, level = data.get("province"), data.get("level")
    context = {"region": getattr(province, "short", "") or "", "level": getattr(level, "code", "") or ""}
    return numbering.next_code("customer", context=context,
                               taken=lambda code: Customer.all_objects.filter(code=code).exists())


@transaction.atomic
def customer_create(*, actor, data: dict, custom: dict | None = None, confirm_duplicates: bool = False) -> Customer:
    access.require(actor, "create", Customer)
    data = dict(data)
    m2m = _pop_m2m(data)
    _clean(data, current=None)
    matches = dedup.find_duplicates(user=actor, name=data.get("name", ""), phone=data.get("phone", ""),
                                    credit_code=data.get("credit_code", ""))
    exact = dedup.refuse_exact(matches)
    if exact:
        raise ValidationError(exact)
    similar = [m for m in matches if not m.exact]
    if similar and not confirm_duplicates:
        raise DuplicateFound(similar)
    if not data.get("code"):
        data["code"] = _number(data)
    customer = core_services.create_record(actor=actor, model=Customer, data=data, custom=custom)
    from .pools.services import after_create

    after_create(actor=actor, customer=customer)  # history (客户分配记录) and the owner's clock
    if customer.status == Status.DEAL:
        mark_deal(customer)
    if any(m2m.values()):
        _set_m2m(actor=actor, customer=customer, values=m2m, creating=True)
    return customer


@transaction.atomic
def customer_update(*, actor, instance: Customer, data: dict, custom: dict | None = None,
                    expected_version: int | None = None, comment: str = "") -> Customer:
    data = dict(data)
    # Read under the lock through the gate: the rules compare against the stored row, not a stale copy.
    current = access.get_visible(actor, "update", Customer.objects.select_for_update(of=("self",)), pk=instance.pk)
    if expected_version is not None and int(expected_version) != current.version:
        raise core_services.StaleVersion(current.version)
    m2m = _pop_m2m(data)
    if "code" in data and not data["code"]:
        data.pop("code")  # a code is never cleared; leaving the box empty keeps it
    _clean(data, current=current)
    _exact_duplicates(actor, data, current=current)
    became_deal = data.get("status") == Status.DEAL and current.status != Status.DEAL
    customer = core_services.update_record(actor=actor, instance=current, data=data, custom=custom,
                                           expected_version=expected_version, comment=comment)
    if became_deal:
        mark_deal(customer)
    if m2m:
        _set_m2m(actor=actor, customer=customer, values={k: v or [] for k, v in m2m.items()}, creating=False)
    return customer


def mark_deal(customer: Customer, when=None) -> None:
    """A deal was made (status moved to deal, or a sale was won): the pool's "no deal" clock restarts."""
    when = when or timezone.now()
    Customer.all_objects.filter(pk=customer.pk).update(last_deal_at=when)
    customer.last_deal_at = when


def customer_delete(*, actor, instance: Customer, reason: str = "") -> Customer:
    """To the recycle bin, unless a registered usage check refuses (customers.usage)."""
    from . import usage  # noqa: F401  the delete rule is registered on import

    return core_services.delete_record(actor=actor, instance=instance, reason=reason)


# ---- merge -----------------------------------------------------------------------------------------

# Fields whose value the person merging may take from any of the merged customers.
MERGE_FIELDS = ("name", "short_name", "type", "level", "status", "category", "industry", "source", "relationship",
                "size", "phone", "website", "province", "city", "district", "address", "credit_code", "invoice_title",
                "tax_number", "invoice_address", "invoice_phone", "bank_name", "bank_account", "parent", "amount",
                "next_followup_on", "notes")


@transaction.atomic
def customer_merge(*, actor, survivor: Customer, others, values: dict | None = None) -> Customer:
    """Merge ``others`` into ``survivor``: their related records move, they go to the recycle bin.

    ``values`` are field values the survivor takes (chosen from the merged records). Needs update
    on the survivor and delete on each merged customer; a record outside that scope is not found.
    """
    other_ids = sorted({getattr(o, "pk", o) for o in others} - {survivor.pk})
    if not other_ids:
        raise ValidationError(_("Choose at least one other customer to merge."))
    locked = access.get_visible(actor, "update", Customer.objects.select_for_update(of=("self",)), pk=survivor.pk)
    merged = list(access.visible_to(actor, "delete", Customer.objects.select_for_update(of=("self",)))
                  .filter(pk__in=other_ids).order_by("pk"))
    if len(merged) != len(other_ids):
        raise Http404(_("Record not found."))
    values = dict(values or {})
    unknown = set(values) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be chosen in a merge: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    moved_all: dict[str, dict] = {}
    last_followup = locked.last_followup_at
    for row in merged:
        moved = merge.summary(merge.move_related(locked, row))
        moved_all[str(row.pk)] = moved
        if row.last_followup_at and (last_followup is None or row.last_followup_at > last_followup):
            last_followup = row.last_followup_at
        before = audit.snapshot(row)
        row.merged_into = locked
        row.deleted_at = timezone.now()
        row.deleted_by = actor
        row.version += 1
        row.save(update_fields=["merged_into", "deleted_at", "deleted_by", "version", "updated_at"])
        audit.log(actor=actor, action=Action.DELETE, instance=row,
                  message=_("Merged into %(name)s (#%(pk)s)") % {"name": locked.name, "pk": locked.pk},
                  changes={**audit.diff(before, audit.snapshot(row)), "moved_to_survivor": moved})
        audit.record_version(row, actor=actor, comment=_("Merged into #%(pk)s") % {"pk": locked.pk})
        from .pools.services import record as record_move

        record_move(customer=locked, kind="merge", actor=actor, from_owner=row.owner_id, to_owner=locked.owner_id,
                    from_department=row.department_id, to_department=locked.department_id,
                    reason=_("Merged #%(ids)s") % {"ids": row.pk})
    if last_followup != locked.last_followup_at:
        values["last_followup_at"] = last_followup
    # A parent company that was merged away is replaced by its own parent; never the survivor itself.
    by_pk = {row.pk: row for row in merged}
    if "parent" not in values and locked.parent_id in by_pk:
        values["parent"] = by_pk[locked.parent_id].parent
    if values.get("parent") is not None and (values["parent"].pk == locked.pk or values["parent"].pk in by_pk):
        values["parent"] = None
    # The status taken from a merged record is a correction of data, not a lifecycle move.
    status = values.pop("status", None)
    _clean(values, current=locked)
    _exact_duplicates(actor, values, current=locked)
    if status is not None:
        values["status"] = status
    audit.log(actor=actor, action=Action.OTHER, instance=locked,
              message=_("Merged %(n)s customers into this one") % {"n": len(merged)},
              changes={"merged": [row.pk for row in merged], "moved": moved_all})
    updated = core_services.update_record(actor=actor, instance=locked, data=values,
                                          comment=_("Merged #%(ids)s") % {"ids": ", #".join(str(r.pk) for r in merged)})
    # The moved follow-ups decide the survivor's last and next follow-up dates.
    from .services_followup import recompute_customer

    recompute_customer(actor=actor, customer_id=updated.pk)
    updated.refresh_from_db()
    refresh_search_keys(updated)
    return updated


# ---- categories and tags (basic data, administrators) -------------------------------------------------

def _require_manager(actor) -> None:
    from core.basedata import may_manage

    if not may_manage(actor):
        raise PermissionDenied(_("Only administrators may change basic data."))


@transaction.atomic
def category_save(*, actor, name: str, parent: CustomerCategory | None = None, sort: int = 0, active: bool = True,
                  instance: CustomerCategory | None = None) -> CustomerCategory:
    """Create or change a customer category; moving it moves its whole subtree (paths rewritten)."""
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})
    if instance is not None and parent is not None and parent.path.startswith(instance.path):
        raise ValidationError({"parent": [_("A category cannot be moved under itself.")]})
    category = instance or CustomerCategory()
    before = audit.snapshot(category) if instance else {}
    old_path = category.path
    category.name, category.parent, category.sort, category.active = name, parent, sort, active
    category.save()
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.save(update_fields=["path"])
    if old_path and old_path != category.path:
        CustomerCategory.objects.filter(path__startswith=old_path).exclude(pk=category.pk).update(
            path=Concat(Value(category.path), Substr(F("path"), len(old_path) + 1)))
    audit.log(actor=actor, action=Action.UPDATE if instance else Action.CREATE, instance=category,
              changes=audit.diff(before, audit.snapshot(category)))
    return category


@transaction.atomic
def category_delete(*, actor, instance: CustomerCategory) -> None:
    _require_manager(actor)
    if instance.children.exists():
        raise ValidationError(_("Delete or move its sub-categories first."))
    if Customer.all_objects.filter(category=instance).exists():
        raise ValidationError(_("Customers use this category; deactivate it instead."))
    audit.log(actor=actor, action=Action.DELETE, instance=instance)
    instance.delete()


@transaction.atomic
def tag_save(*, actor, name: str, color: str = "blue", instance: Tag | None = None) -> Tag:
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})
    if Tag.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        raise ValidationError({"name": [_("A tag with this name exists.")]})
    if color not in Tag.COLORS:
        raise ValidationError({"color": [_("Choose a colour.")]})
    tag = instance or Tag()
    before = audit.snapshot(tag) if instance else {}
    tag.name, tag.color = name, color
    tag.save()
    audit.log(actor=actor, action=Action.UPDATE if instance else Action.CREATE, instance=tag,
              changes=audit.diff(before, audit.snapshot(tag)))
    return tag


@transaction.atomic
def tag_delete(*, actor, instance: Tag) -> None:
    """Removes the tag from every customer too (a label, not data of the customer)."""
    _require_manager(actor)
    audit.log(actor=actor, action=Action.DELETE, instance=instance,
              changes={"customers": list(instance.customers.values_list("pk", flat=True)[:1000])})
    instance.delete()
