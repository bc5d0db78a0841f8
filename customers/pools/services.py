"""Writes of the public pool: claim, release, transfer, and the history of every change of owner.

Every change of a customer's owner writes one ``CustomerAssignment`` (客户分配记录) and an audit
entry in the same transaction. Claims lock the customer row, so of two people claiming one customer
at the same moment exactly one gets it; the claimer's own user row is locked too, so their hold and
daily limits cannot be overrun by claims running side by side. A refused claim changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import access, audit
from core import services as core_services
from core.audit import Action
from customers.models import Customer, CustomerAssignment, Pool
from org.models import User
from org.selectors import working_users

from . import selectors

Kind = CustomerAssignment.Kind
MAX_REASON = 200
RELEASE_KINDS = (Kind.RELEASE, Kind.AUTO_RELEASE, Kind.LEAVE)


def record(*, customer: Customer, kind: str, actor, from_owner=None, to_owner=None, from_department=None,
           to_department=None, pool: Pool | None = None, reason: str = "", at: datetime | None = None) -> CustomerAssignment:
    """Append one move to the assignment history (ids or objects accepted for the people and departments)."""
    def pk(value):
        return getattr(value, "pk", value)

    return CustomerAssignment.objects.create(
        customer=customer, kind=kind, actor_id=pk(actor),
        from_owner_id=pk(from_owner), to_owner_id=pk(to_owner), from_department_id=pk(from_department),
        to_department_id=pk(to_department), pool=pool, reason=(reason or "")[:MAX_REASON], at=at or timezone.now())


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("Keep the reason under %(n)s characters.") % {"n": MAX_REASON}]})
    return reason


def _start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))


# ---- limits --------------------------------------------------------------------------------------

@dataclass
class Standing:
    """How many customers the user holds and may still claim today, against a pool's limits."""

    holding: int
    hold_limit: int
    claimed_today: int
    daily_claim_limit: int
    notes: list[str] = field(default_factory=list)

    @property
    def claims_left_today(self) -> int | None:
        return None if not self.daily_claim_limit else max(self.daily_claim_limit - self.claimed_today, 0)

    @property
    def may_hold_more(self) -> int | None:
        return None if not self.hold_limit else max(self.hold_limit - self.holding, 0)


def holding(user) -> int:
    return Customer.objects.filter(owner=user, pool__isnull=True).count()


def claimed_today(user) -> int:
    return CustomerAssignment.objects.filter(actor=user, kind=Kind.CLAIM, at__gte=_start_of_today()).count()


def standing(user, pool: Pool) -> Standing:
    return Standing(holding=holding(user), hold_limit=pool.hold_limit, claimed_today=claimed_today(user),
                    daily_claim_limit=pool.daily_claim_limit)


def refusal(user, customer: Customer, pool: Pool) -> str:
    """Why ``user`` may not claim ``customer`` from ``pool`` now, or "" when they may."""
    if pool.hold_limit and holding(user) >= pool.hold_limit:
        return _("You already hold %(n)s customers, the most %(pool)s allows. Release some before claiming more.") % {
            "n": pool.hold_limit, "pool": pool.name}
    if pool.daily_claim_limit and claimed_today(user) >= pool.daily_claim_limit:
        return _("You have claimed %(n)s customers today, the daily limit of %(pool)s. Try again tomorrow.") % {
            "n": pool.daily_claim_limit, "pool": pool.name}
    if pool.cooldown_days:
        since = timezone.now() - timedelta(days=pool.cooldown_days)
        last = (CustomerAssignment.objects.filter(customer=customer, from_owner=user, kind__in=RELEASE_KINDS, at__gt=since)
                .order_by("-at").first())
        if last is not None:
            allowed = timezone.localtime(last.at + timedelta(days=pool.cooldown_days))
            return _("You gave this customer up on %(released)s; you may claim it again from %(date)s.") % {
                "released": date_format(timezone.localtime(last.at), "Y-m-d"), "date": date_format(allowed, "Y-m-d H:i")}
    return ""


# ---- claim ---------------------------------------------------------------------------------------

@transaction.atomic
def claim(*, actor, customer_id: int, reason: str = "") -> Customer:
    """Take a customer from a pool the actor belongs to (membership needs the read operation on
    customers, see selectors.pools_for). Outside the actor's pools: 404."""
    reason = _reason(reason, required=False)
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one claim of this user at a time
    row = Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).first()
    member_of = set(selectors.pools_for(actor).values_list("pk", flat=True))
    if row is None:
        raise Http404(_("Record not found."))
    if row.pool_id is None:
        last = row.assignments.order_by("-at", "-id").first()
        if last is not None and last.pool_id in member_of:
            raise ValidationError(_("This customer has already been claimed by someone else."))
        if access.visible_to(actor, "read", Customer).filter(pk=row.pk).exists():
            raise ValidationError(_("This customer is not in a public pool."))
        raise Http404(_("Record not found."))
    if row.pool_id not in member_of:
        raise Http404(_("Record not found."))
    pool = row.pool
    why = refusal(actor, row, pool)
    if why:
        raise ValidationError(why)
    before = audit.snapshot(row)
    row.owner, row.department = actor, actor.department
    row.owned_since, row.pool, row.pool_entered_at, row.pool_warned_at = timezone.now(), None, None, None
    _save_move(row, actor=actor, before=before, message=_("Claimed from %(pool)s") % {"pool": pool.name}, reason=reason)
    record(customer=row, kind=Kind.CLAIM, actor=actor, from_owner=None, to_owner=actor, to_department=actor.department,
           pool=pool, reason=reason)
    return row


@dataclass
class BatchResult:
    done: list[Customer] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (customer id, reason)


def claim_many(*, actor, customer_ids, reason: str = "") -> BatchResult:
    """Claim each customer on its own: the ones a limit refuses are reported, the others are claimed."""
    result = BatchResult()
    for pk in sorted({int(i) for i in customer_ids}):
        try:
            result.done.append(claim(actor=actor, customer_id=pk, reason=reason))
        except ValidationError as exc:
            result.refused.append((pk, " ".join(exc.messages)))
        except Http404:
            result.refused.append((pk, _("Record not found.")))
    return result


# ---- release -------------------------------------------------------------------------------------

def _save_move(row: Customer, *, actor, before: dict, message: str, reason: str = "") -> None:
    row.version += 1
    row.save(update_fields=["owner", "department", "pool", "pool_entered_at", "previous_owner", "owned_since",
                            "pool_warned_at", "version", "updated_at"])
    audit.log(actor=actor, action=Action.ASSIGN, instance=row, changes=audit.diff(before, audit.snapshot(row)),
              message=f"{message}: {reason}" if reason else message)
    audit.record_version(row, actor=actor, comment=message)


def put_in_pool(row: Customer, *, pool: Pool, actor, kind: str, reason: str = "") -> Customer:
    """Move a locked customer row into ``pool``: the owner becomes the previous owner, the department stays."""
    before = audit.snapshot(row)
    owner, department = row.owner_id, row.department_id
    row.previous_owner_id = owner or row.previous_owner_id
    row.owner, row.pool, row.pool_entered_at, row.owned_since, row.pool_warned_at = None, pool, timezone.now(), None, None
    _save_move(row, actor=actor, before=before, message=_("Released to %(pool)s") % {"pool": pool.name}, reason=reason)
    record(customer=row, kind=kind, actor=actor, from_owner=owner, from_department=department, to_owner=None,
           to_department=department, pool=pool, reason=reason)
    return row


def _pool_for_release(row: Customer) -> Pool:
    pool = selectors.target_pool(row.department)
    if pool is None:
        raise ValidationError(_("No public pool takes customers of this department; ask an administrator to set one up."))
    return pool


@transaction.atomic
def release(*, actor, customer: Customer | int, reason: str) -> Customer:
    """Give a customer up to the public pool of its department (needs the update operation on it)."""
    reason = _reason(reason, required=True)
    pk = getattr(customer, "pk", customer)
    row = access.get_visible(actor, "update", Customer.objects.select_for_update(of=("self",)), pk=pk)
    if row.pool_id is not None:
        raise ValidationError(_("This customer is already in a public pool."))
    return put_in_pool(row, pool=_pool_for_release(row), actor=actor, kind=Kind.RELEASE, reason=reason)


def release_many(*, actor, customer_ids, reason: str) -> BatchResult:
    reason = _reason(reason, required=True)
    result = BatchResult()
    for pk in sorted({int(i) for i in customer_ids}):
        try:
            result.done.append(release(actor=actor, customer=pk, reason=reason))
        except ValidationError as exc:
            result.refused.append((pk, " ".join(exc.messages)))
        except Http404:
            result.refused.append((pk, _("Record not found.")))
    return result


# ---- assign and transfer -------------------------------------------------------------------------

@transaction.atomic
def transfer(*, actor, customer_ids, owner, reason: str = "") -> int:
    """Give customers to another working user (needs the assign operation on each); all or nothing."""
    reason = _reason(reason, required=False)
    owner_pk = getattr(owner, "pk", owner)
    new_owner = working_users().filter(pk=owner_pk).first()
    if new_owner is None:
        raise ValidationError({"owner": [_("Unknown or disabled user.")]})
    return core_services.assign_records(actor=actor, model=Customer, pks=list(customer_ids), owner=new_owner, reason=reason)


def after_assign(*, actor, row: Customer, before: dict, reason: str) -> None:
    """core.services.assign_records hook: history, and a customer taken from the pool leaves it."""
    pool = row.pool
    kind = Kind.TRANSFER if before["owner_id"] else Kind.ASSIGN
    Customer.objects.filter(pk=row.pk).update(pool=None, pool_entered_at=None, pool_warned_at=None,
                                              owned_since=timezone.now())
    row.pool, row.pool_entered_at, row.pool_warned_at = None, None, None
    record(customer=row, kind=kind, actor=actor, from_owner=before["owner_id"], to_owner=row.owner_id,
           from_department=before["department_id"], to_department=row.department_id, pool=pool, reason=reason)


def after_create(*, actor, customer: Customer) -> None:
    """customer_create: the first owner starts holding the customer now."""
    now = timezone.now()
    Customer.objects.filter(pk=customer.pk).update(owned_since=now)
    customer.owned_since = now
    record(customer=customer, kind=Kind.CREATE, actor=actor, to_owner=customer.owner_id,
           to_department=customer.department_id, at=now)


# ---- a user leaving ------------------------------------------------------------------------------

def hand_over(*, actor, user, transfer_to=None, release_to_pool=False) -> int:
    """core.offboarding handler: the leaver's customers go to the colleague, or back to the pool."""
    rows = list(Customer.objects.select_for_update(of=("self",)).filter(owner=user, pool__isnull=True).order_by("pk"))
    reason = _("%(name)s left the company") % {"name": user.get_full_name() or user.username}
    if transfer_to is not None:
        for row in rows:
            before = audit.snapshot(row)
            row.owner, row.department, row.owned_since, row.pool_warned_at = (
                transfer_to, transfer_to.department, timezone.now(), None)
            row.version += 1
            row.save(update_fields=["owner", "department", "owned_since", "pool_warned_at", "version", "updated_at"])
            audit.log(actor=actor, action=Action.ASSIGN, instance=row, changes=audit.diff(before, audit.snapshot(row)),
                      message=_("Handed over from %(old)s to %(new)s (left)") % {"old": user, "new": transfer_to})
            record(customer=row, kind=Kind.LEAVE, actor=actor, from_owner=user, to_owner=transfer_to,
                   from_department=before["department_id"], to_department=transfer_to.department_id, reason=reason)
        return len(rows)
    if release_to_pool:
        for row in rows:
            put_in_pool(row, pool=_pool_for_release(row), actor=actor, kind=Kind.LEAVE, reason=reason)
        return len(rows)
    return 0


def may_release(user, customer: Customer) -> bool:
    return customer.pool_id is None and access.visible_to(user, "update", Customer).filter(pk=customer.pk).exists()


def require_manager(user) -> None:
    from core.basedata import may_manage

    if not may_manage(user):
        raise PermissionDenied(_("Only administrators may change public pools."))
