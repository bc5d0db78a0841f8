"""Lead pages beyond the generic ones: the detail page with its duplicates panel and actions (lose,
reopen, assign to the next in a team, merge), the unassigned pool, and the batch actions page."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core import access, crud
from core.lists.query import read_state
from core.services import StaleVersion

from . import routing, services
from .forms import LoseForm
from .models import Lead, LeadTeam
from .ui import LeadUI

POOL_LIMIT = 200
STATUS_COLOURS = {"new": "blue", "contacted": "azure", "qualified": "green", "converted": "purple", "lost": "secondary"}


def _may(user, action: str, pk: int) -> bool:
    return access.visible_to(user, action, Lead).filter(pk=pk).exists()


def lead_actions(user, lead: Lead) -> dict:
    """What the user may do to this lead, for the detail page's buttons."""
    may_update = _may(user, "update", lead.pk)
    may_assign = _may(user, "assign", lead.pk) and lead.status != Lead.Status.CONVERTED
    return {
        "may_convert": may_update and lead.is_open and access.can(user, "create", "customers.customer"),
        "may_lose": may_update and lead.is_open,
        "may_reopen": may_update and lead.status == Lead.Status.LOST,
        "may_assign": may_assign,
        "may_merge": may_update and lead.is_open and access.can(user, "delete", Lead),
    }


class LeadDetailPage(crud.DetailPage):
    template_name = "marketing/lead_detail.html"

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        lead = extra.get("object")
        if lead is None:
            return ctx
        user = self.request.user
        actions = lead_actions(user, lead)
        others = services.lead_matches(user=user, lead=lead) if lead.is_open else []
        ctx.update(actions)
        if lead.status == Lead.Status.CONVERTED:
            ctx["may_delete"] = False  # the record of where the customer came from stays
        ctx.update({
            "show_duplicates": lead.is_open,
            "status_colour": STATUS_COLOURS.get(lead.status, "secondary"),
            "customer_matches": [m.as_dict() for m in services.customer_matches(user=user, lead=lead)]
            if lead.is_open else [],
            "lead_matches": [(other, services.why_same(lead, other)) for other in others],
            "mergeable": {o.pk for o in others if o.is_open} if actions["may_merge"] else set(),
            "lose_form": LoseForm() if actions["may_lose"] else None,
            "teams": LeadTeam.objects.filter(active=True) if actions["may_assign"] else [],
            "converted": _converted_links(user, lead),
        })
        return ctx


def _converted_links(user, lead: Lead) -> list[tuple[str, str, str]]:
    """(label, name, url) of the records a conversion made that the user may read."""
    from customers.models import Contact, Customer

    links = []
    if lead.customer_id and access.visible_to(user, "read", Customer).filter(pk=lead.customer_id).exists():
        links.append((_("Customer"), str(lead.customer), reverse("customers:customer_detail", args=[lead.customer_id])))
    if lead.contact_id and access.visible_to(user, "read", Contact).filter(pk=lead.contact_id).exists():
        links.append((_("Contact"), str(lead.contact), reverse("customers:contact_detail", args=[lead.contact_id])))
    if lead.opportunity_id:
        from sales.models import Opportunity

        if access.visible_to(user, "read", Opportunity).filter(pk=lead.opportunity_id).exists():
            links.append((_("Opportunity"), str(lead.opportunity),
                          reverse("sales:opportunity_detail", args=[lead.opportunity_id])))
    return links


def _lead(request, pk: int, action: str) -> Lead:
    return access.get_visible(request.user, action, Lead, pk=pk)


def _back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(LeadUI.url("detail", pk))


def _error(request, exc) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))


@login_required
@require_POST
def lead_lose(request, pk: int):
    lead = _lead(request, pk, "update")
    form = LoseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the lead is lost."))
        return _back(pk)
    try:
        services.lead_lose(actor=request.user, lead=lead, reason=form.cleaned_data["reason"],
                           note=form.cleaned_data["note"], expected_version=_version(request))
    except (ValidationError, StaleVersion) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The lead is marked as lost."))
    return _back(pk)


def _version(request) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_POST
def lead_reopen(request, pk: int):
    lead = _lead(request, pk, "update")
    try:
        services.lead_reopen(actor=request.user, lead=lead)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The lead is open again."))
    return _back(pk)


def _team(request) -> LeadTeam:
    raw = request.POST.get("team", "")
    team = LeadTeam.objects.filter(pk=int(raw), active=True).first() if raw.isdigit() else None
    if team is None:
        raise ValidationError(_("Choose a team."))
    return team


@login_required
@require_POST
def lead_assign_next(request, pk: int):
    """Give the lead to the next member in turn of the chosen team."""
    lead = _lead(request, pk, "assign")
    try:
        given = routing.lead_assign_round_robin(actor=request.user, team=_team(request), pks=[lead.pk])
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Assigned to %(user)s.") % {"user": next(iter(given))})
    return _back(pk)


@login_required
@require_POST
def lead_merge(request, pk: int):
    survivor = _lead(request, pk, "update")
    raw = request.POST.get("other", "")
    if not raw.isdigit():
        raise Http404
    other = access.get_visible(request.user, "delete", Lead, pk=int(raw))
    try:
        services.lead_merge(actor=request.user, survivor=survivor, other=other)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Lead #%(pk)s was merged into this one.") % {"pk": other.pk})
    return _back(pk)


# ---- the pool and batch actions ---------------------------------------------------------------------

@login_required
def lead_pool(request):
    """Open leads nobody owns yet (线索池), newest first, with batch assign / round-robin / lost."""
    user = request.user
    access.require(user, "read", Lead)
    rows = (LeadUI.queryset(user).filter(owner__isnull=True, status__in=Lead.OPEN)
            .select_related("source", "city", "web_form").order_by("-id"))
    term = request.GET.get("q", "").strip()[:100]
    if term:
        rows = LeadUI.search(rows, term, user=user)
    total = rows.count()
    return render(request, "marketing/lead_pool.html", {
        "rows": list(rows[:POOL_LIMIT]), "total": total, "limit": POOL_LIMIT, "q": term,
        "colours": STATUS_COLOURS, "by_status": status_counts(user), **_batch_choices(user),
    })


def status_counts(user) -> list[dict]:
    """Leads the user may see per status, each linking to the lead list filtered by that status."""
    counts = dict(LeadUI.queryset(user).order_by().values_list("status").annotate(n=Count("id")))
    out = []
    for value, label in Lead.Status.choices:
        definition = {"op": "and", "rules": [{"field": "status", "operator": "eq", "value": value}]}
        out.append({"label": label, "count": counts.get(value, 0), "colour": STATUS_COLOURS[value],
                    "url": f"{LeadUI.url('list')}?{urlencode({'f': json.dumps(definition)})}"})
    return out


def _batch_choices(user) -> dict:
    from org.selectors import working_users

    may_assign = access.can(user, "assign", Lead)
    return {
        "may_assign": may_assign, "may_update": access.can(user, "update", Lead),
        "teams": LeadTeam.objects.filter(active=True) if may_assign else [],
        "users": working_users().select_related("department").order_by("id") if may_assign else [],
        "lose_form": LoseForm(),
    }


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def lead_batch_actions(request):
    """Assign to a person, round-robin within a team, or mark lost: the selected leads, all or nothing."""
    user = request.user
    access.require(user, "read", Lead)
    params = request.POST if request.method == "POST" else request.GET
    try:
        ids = sorted(set(read_state(params).ids))
    except ValidationError as exc:
        ids, errors = [], exc.messages
    else:
        errors = [] if ids else [_("Select at least one row.")]
    back = _next(request, LeadUI.url("list"))
    leads = list(LeadUI.queryset(user).filter(pk__in=ids).select_related("owner"))
    if len(leads) != len(ids):
        # A lead the user may not see does not exist for them: nothing is done to the others either.
        raise Http404(_("Record not found."))
    if request.method == "POST" and not errors:
        try:
            count = _do_batch(request, ids)
        except (ValidationError, PermissionDenied) as exc:
            errors = getattr(exc, "messages", None) or [str(exc)]
        else:
            messages.success(request, ngettext("%(n)s lead done.", "%(n)s leads done.", count) % {"n": count})
            return HttpResponseRedirect(back)
    return render(request, "marketing/lead_batch.html", {
        "leads": leads, "ids": ",".join(map(str, ids)), "next": back, "errors": errors, **_batch_choices(user),
    }, status=400 if errors and request.method == "POST" else 200)


def _do_batch(request, ids: list[int]) -> int:
    from django.db import transaction

    from org.selectors import working_users

    user, action = request.user, request.POST.get("action")
    if action == "assign":
        raw = request.POST.get("owner", "")
        owner = working_users().filter(pk=int(raw)).first() if raw.isdigit() else None
        return routing.lead_assign(actor=user, pks=ids, owner=owner, reason=request.POST.get("reason", "")[:200])
    if action == "round_robin":
        return sum(routing.lead_assign_round_robin(actor=user, team=_team(request), pks=ids).values())
    if action == "lose":
        form = LoseForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose why the leads are lost."))
        with transaction.atomic():
            # One lead that cannot be lost (outside scope, converted) rolls back the ones before it.
            rows = list(access.visible_to(user, "update", Lead).filter(pk__in=ids))
            if len(rows) != len(ids):
                raise PermissionDenied(_("Some of the selected records are outside your data scope."))
            for row in rows:
                services.lead_lose(actor=user, lead=row, reason=form.cleaned_data["reason"],
                                   note=form.cleaned_data["note"])
        return len(rows)
    raise ValidationError(_("Unknown action."))
