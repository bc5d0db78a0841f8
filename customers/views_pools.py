"""Public pool pages: the pool lists (masked), the masked card of a pool customer with its Claim
button, claim and release, and the administrators' page of pools and rules.

Who sees which pool and its customers is decided by customers.pools.selectors only; writes go
through customers.pools.services (limits, locks, history) and customers.pools.configure.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import access
from core.basedata import may_manage
from core.models import LookupItem
from org.models import Department

from .models import Customer, Pool, PoolRule
from .pools import configure, masking, selectors, services

PAGE_SIZE = 25


def _next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_GET
def pool_list(request, pk=None):
    user = request.user
    if not access.can(user, "read", Customer):
        raise PermissionDenied
    pools = selectors.pools_with_counts(user)
    pool = None
    if pk is not None:
        pool = next((p for p in pools if p.pk == pk), None)
        if pool is None:
            raise Http404
    elif pools:
        pool = pools[0]
    context = {"pools": pools, "pool": pool, "q": request.GET.get("q", "").strip()}
    if pool is not None:
        rows = selectors.search(selectors.pool_customers(user, pool), context["q"])
        rows = rows.select_related(*masking.POOL_SELECT_RELATED).order_by("-pool_entered_at", "-pk")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(page=page, rows=masking.pool_rows(user, page.object_list, pool=pool),
                       standing=services.standing(user, pool), hidden=access.hidden_fields(user, Customer))
    return render(request, "customers/pools/pool_list.html", context)


@login_required
@require_GET
def pool_customer(request, pk):
    """The card of a customer in one of the user's pools: masked where the pool says so, with Claim."""
    customer = (selectors.claimable(request.user).select_related(*masking.POOL_SELECT_RELATED, "pool")
                .filter(pk=pk).first())
    if customer is None:
        raise Http404
    pool = customer.pool
    row = masking.pool_rows(request.user, [customer], pool=pool)[0]
    return render(request, "customers/pools/pool_customer.html", {
        "pool": pool, "row": row, "standing": services.standing(request.user, pool),
        "refusal": services.refusal(request.user, customer, pool),
    })


@login_required
@require_POST
def pool_claim(request):
    """Claim one or more pool customers (batch bar or the card's button); each is claimed or refused on its own."""
    ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
    fallback = reverse("customers:pool_list")
    if not ids:
        messages.error(request, _("Choose at least one customer."))
        return HttpResponseRedirect(_next(request, fallback))
    try:
        result = services.claim_many(actor=request.user, customer_ids=ids, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(_next(request, fallback))
    if result.done:
        messages.success(request, _("Claimed %(n)s customers.") % {"n": len(result.done)})
    for _pk, why in result.refused:
        messages.error(request, why)
    if len(ids) == 1 and result.done:
        return redirect("customers:customer_360", result.done[0].pk)
    return HttpResponseRedirect(_next(request, fallback))


@login_required
@require_POST
def customer_release(request, pk):
    """Release a customer (360 page dialog); the owner loses it, so the answer goes to the customer list."""
    customer = access.get_visible(request.user, "update", Customer, pk=pk)
    try:
        released = services.release(actor=request.user, customer=customer, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:customer_360", pk)
    messages.success(request, _("%(name)s was released to %(pool)s.") % {"name": released.name, "pool": released.pool.name})
    if access.visible_to(request.user, "read", Customer).filter(pk=pk).exists():
        return redirect("customers:customer_360", pk)
    return redirect("customers:customer_list")


MAX_RELEASE = 200


def _release_ids(params) -> list[int]:
    ids = []
    for raw in params.getlist("ids"):
        ids += [int(part) for part in str(raw).split(",") if part.strip().isdigit()]
    return list(dict.fromkeys(ids))[:MAX_RELEASE]


@login_required
def customer_release_batch(request):
    """Release the customers chosen on the list (batch bar): shows where each goes, asks for the reason
    once, then releases each on its own through the service (a refusal names the customer and why)."""
    access.require(request.user, "update", Customer)
    params = request.POST if request.method == "POST" else request.GET
    ids = _release_ids(params)
    back = _next(request, reverse("customers:customer_list")) if request.method == "POST" else (
        params.get("next") if url_has_allowed_host_and_scheme(params.get("next") or "", {request.get_host()})
        else reverse("customers:customer_list"))
    customers = list(access.visible_to(request.user, "update", Customer).filter(pk__in=ids)
                     .select_related("department", "pool").order_by("name", "id"))
    if not customers:
        messages.error(request, _("Choose at least one customer."))
        return HttpResponseRedirect(back)
    error = ""
    if request.method == "POST":
        try:
            result = services.release_many(actor=request.user, customer_ids=[c.pk for c in customers],
                                           reason=params.get("reason", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if result.done:
                messages.success(request, _("Released %(n)s customers to the public pool.") % {"n": len(result.done)})
            names = {c.pk: c.name for c in customers}
            for pk, why in result.refused:
                messages.error(request, f"{names.get(pk, pk)}: {why}")
            return HttpResponseRedirect(back)
    rows = [{"customer": c, "pool": None if c.pool_id else selectors.target_pool(c.department)} for c in customers]
    return render(request, "customers/pools/release_batch.html", {
        "rows": rows, "ids": ",".join(str(c.pk) for c in customers), "next": back, "error": error,
        "reason": params.get("reason", ""),
    }, status=400 if error else 200)


# ---- administration ------------------------------------------------------------------------------

def _manage_page(request, errors=(), status=200):
    pools = Pool.objects.prefetch_related("departments", "rules__level").order_by("sort", "id")
    return render(request, "customers/pools/pool_manage.html", {
        "pools": pools, "departments": Department.objects.filter(active=True).order_by("path"),
        "levels": LookupItem.objects.filter(kind="customer_level", active=True).order_by("sort", "id"),
        "errors": list(errors),
    }, status=status)


def _pool_data(post) -> dict:
    data = {key: post.get(key, "") for key in ("name", "description", *configure.LIMIT_FIELDS)}
    data["active"] = post.get("active") == "1"
    data["mask_contacts"] = post.get("mask_contacts") == "1"
    return data


@login_required
def pool_manage(request):
    if not may_manage(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return _manage_page(request)
    post, actor = request.POST, request.user
    action = post.get("action")
    try:
        if action == "pool_save":
            instance = get_object_or_404(Pool, pk=post["id"]) if post.get("id") else None
            departments = list(Department.objects.filter(pk__in=[i for i in post.getlist("departments") if i.isdigit()]))
            configure.pool_save(actor=actor, data=_pool_data(post), departments=departments, instance=instance)
        elif action == "pool_delete":
            configure.pool_delete(actor=actor, instance=get_object_or_404(Pool, pk=post.get("id")))
        elif action == "rule_save":
            pool = get_object_or_404(Pool, pk=post.get("pool"))
            instance = get_object_or_404(PoolRule, pk=post["id"], pool=pool) if post.get("id") else None
            level = get_object_or_404(LookupItem, pk=post["level"], kind="customer_level") if post.get("level") else None
            configure.rule_save(actor=actor, pool=pool, level=level, no_followup_days=post.get("no_followup_days"),
                                no_deal_days=post.get("no_deal_days"), active=post.get("active", "1") == "1",
                                instance=instance)
        elif action == "rule_delete":
            configure.rule_delete(actor=actor, instance=get_object_or_404(PoolRule, pk=post.get("id")))
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except ValidationError as exc:
        return _manage_page(request, exc.messages, status=400)
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(reverse("customers:pool_manage"))
