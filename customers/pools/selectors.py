"""The one place that decides who sees which public pool and its customers.

A pool with departments belongs to the users of those departments and their sub-departments; a pool
without departments belongs to everyone who may read customers. Pool customers have no owner, so
the access gate's "own" scope does not reach them: members see them here, masked where the pool
says so (customers.pools.masking), and take them with a claim.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core import access
from customers.models import Customer, Pool


def _ancestor_ids(department) -> list[int]:
    """The department and every department above it, read from its materialised path ("/1/4/9/")."""
    if department is None or not department.path:
        return []
    return [int(part) for part in department.path.strip("/").split("/") if part]


def pools_for(user) -> QuerySet[Pool]:
    """Active pools the user belongs to (administrators see every active pool)."""
    if user is None or not access.can(user, "read", Customer):
        return Pool.objects.none()
    pools = Pool.objects.filter(active=True)
    if user.is_superuser:
        return pools
    return pools.filter(Q(departments=None) | Q(departments__in=_ancestor_ids(user.department))).distinct()


def pool_for(user, pk) -> Pool | None:
    try:
        return pools_for(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def pool_customers(user, pool: Pool) -> QuerySet[Customer]:
    """The live customers in ``pool``, or none when the user is not a member of it."""
    if not pools_for(user).filter(pk=pool.pk).exists():
        return Customer.objects.none()
    return Customer.objects.filter(pool=pool)


def search(qs, term: str) -> QuerySet[Customer]:
    """Pool lists search by name, code and city only: masked values are never searchable."""
    term = (term or "").strip()
    if not term:
        return qs
    return qs.filter(Q(name__icontains=term) | Q(code__icontains=term) | Q(city__name__icontains=term))


def claimable(user) -> QuerySet[Customer]:
    """Customers in any pool the user belongs to."""
    return Customer.objects.filter(pool__in=pools_for(user).values("pk"))


def pools_with_counts(user) -> list[Pool]:
    return list(pools_for(user).annotate(
        customer_count=Count("customers", filter=Q(customers__deleted_at__isnull=True), distinct=True)).order_by("sort", "id"))


def target_pool(department) -> Pool | None:
    """Where a customer of ``department`` goes when released: the active pool naming the nearest
    department above it (or itself), else an active pool with no departments."""
    ancestors = _ancestor_ids(department)
    if ancestors:
        best, depth = None, -1
        for pool_id, dept_id in Pool.departments.through.objects.filter(
                pool__active=True, department_id__in=ancestors).values_list("pool_id", "department_id").order_by("pool_id"):
            level = ancestors.index(dept_id)
            if level > depth:
                best, depth = pool_id, level
        if best is not None:
            return Pool.objects.get(pk=best)
    return Pool.objects.filter(active=True, departments=None).order_by("sort", "id").first()


def assignments_for(user) -> QuerySet:
    """Moves of the customers the user may read, plus the moves that gave a customer to or took one
    from the user (pages show those without details when the customer is out of the user's scope)."""
    from customers.models import CustomerAssignment

    if user is None or not user.is_authenticated:
        return CustomerAssignment.objects.none()
    readable = access.visible_to(user, "read", Customer.all_objects.all()).values("pk")
    return CustomerAssignment.objects.filter(Q(customer__in=readable) | Q(from_owner=user) | Q(to_owner=user))


def readable_customer_ids(user, customer_ids) -> set[int]:
    return set(access.visible_to(user, "read", Customer.all_objects.all()).filter(pk__in=set(customer_ids))
               .values_list("pk", flat=True))
