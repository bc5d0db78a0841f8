"""The opportunity kanban (看板): a column per sales stage, a card per opportunity in the user's scope.

Dropping a card on a column POSTs (HTMX) to ``move``, which calls the same service as the edit form
(services.opportunity_move_stage → opportunity_update), so every rule holds: an audited or terminated
opportunity, a lost stage without a lost reason, a stale version — each is refused, nothing changes,
and the board is drawn again from the database with the reason shown (the card snaps back).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core import access, services
from core.models import LookupItem
from org.models import Scope
from org.selectors import working_users

from .models import Opportunity, StageRule
from .services import opportunity_move_stage
from .tasks import limit_days

TEMPLATE = "sales/opportunity_board.html"
CARDS_PER_COLUMN = 20
# What a card shows: the card query reads only these columns.
CARD_FIELDS = ("id", "version", "subject", "amount", "status", "terminated", "converted", "audited", "stage_entered_at",
               "stage_id", "updated_at", "customer__id", "customer__name", "owner__id", "owner__username",
               "owner__first_name", "owner__last_name")


def _owner_choices(user):
    """Salespeople to filter the board by, from the user's scope rather than from the opportunities (a
    pass over every opportunity in scope would cost more than the board): everyone for the whole
    company, the people of the department (and below) for a department scope, oneself otherwise."""
    level = access.scope_level(user, access.spec_for(Opportunity).module, "read")
    people = working_users().order_by("department__path", "id")
    if level == Scope.ALL:
        return people
    if level in (Scope.DEPARTMENT, Scope.SUBTREE) and user.department_id:
        same = (Q(department_id=user.department_id) if level == Scope.DEPARTMENT
                else Q(department__path__startswith=user.department.path))
        return people.filter(same | Q(pk=user.pk))
    return people.filter(pk=user.pk)


def _owner_filter(request):
    try:
        return int(request.GET.get("owner") or request.POST.get("owner") or 0) or None
    except ValueError:
        return None


def board_context(request, *, error: str = "", moved: int | None = None) -> dict:
    user = request.user
    owner = _owner_filter(request)
    qs = access.visible_to(user, "read", Opportunity)
    if owner:
        qs = qs.filter(owner_id=owner)
    stages = list(LookupItem.objects.filter(kind="sales_stage", active=True).order_by("sort", "id"))
    totals = {row["stage_id"]: row for row in qs.order_by().values("stage_id").annotate(n=Count("id"), amount=Sum("amount"))}
    hidden = access.hidden_fields(user, Opportunity)
    rules = dict(StageRule.objects.values_list("stage_id", "max_days"))
    now = timezone.now()
    cards_qs = qs.select_related("customer", "owner").only(*CARD_FIELDS)
    detail_prefix = reverse("sales:opportunity_detail", args=[0]).removesuffix("0/")
    columns = []
    for stage in [*stages, None]:
        stage_id = stage.pk if stage else None
        if stage_id not in totals:
            if stage is None:
                continue
            cards = []  # an empty column: nothing to ask the database
        else:
            # One short index seek per column — (owner, stage, updated_at) or (stage, updated_at) — rather
            # than ranking every opportunity in scope: a salesperson may have tens of thousands.
            cards = list(cards_qs.filter(stage_id=stage_id).order_by("-updated_at", "-id")[:CARDS_PER_COLUMN])
        for card in cards:
            # Days in the current stage, flagged when past the stage's alert limit (open ones only).
            card.dwell_days = (now - card.stage_entered_at).days if card.stage_entered_at else None
            card.stalled = (card.dwell_days is not None and card.status == Opportunity.Status.OPEN
                            and not card.terminated and card.dwell_days > limit_days(stage_id, rules))
            # Hundreds of cards: address, amount and dwell text made here, not by template tags per card.
            card.url = f"{detail_prefix}{card.pk}/"
            card.amount_text = f"¥{card.amount or 0:,.2f}"
            if card.dwell_days is not None:
                card.dwell_text = ngettext("%(d)s day", "%(d)s days", card.dwell_days) % {"d": card.dwell_days}
        total = totals.get(stage_id, {})
        columns.append({"stage": stage, "cards": cards, "count": total.get("n", 0),
                        "amount": None if "amount" in hidden else total.get("amount")})
    owners = _owner_choices(user)
    return {"columns": columns, "owner": owner, "owners": owners, "error": error, "moved": moved,
            "may_update": access.can(user, "update", Opportunity), "hide_amount": "amount" in hidden,
            "may_create": access.can(user, "create", Opportunity)}


@login_required
def board(request):
    access.require(request.user, "read", Opportunity)
    ctx = board_context(request)
    if request.htmx:
        return render(request, f"{TEMPLATE}#board", ctx)
    return render(request, TEMPLATE, ctx)


@login_required
@require_POST
def move(request, pk):
    # Outside the update scope the card does not exist for this user: 404, nothing changes.
    opportunity = access.get_visible(request.user, "update", Opportunity, pk=pk)
    stage = LookupItem.objects.filter(kind="sales_stage", pk=request.POST.get("stage") or 0).first()
    version = request.POST.get("version")
    error, status = "", 200
    try:
        opportunity_move_stage(actor=request.user, instance=opportunity, stage=stage,
                               expected_version=int(version) if version and version.isdigit() else None)
    except services.StaleVersion as exc:
        error, status = str(exc), 409
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", None) or [str(exc)]) or _("Refused.")
        status = 409
    ctx = board_context(request, error=error and _("%(card)s was not moved: %(reason)s") % {
        "card": opportunity, "reason": error}, moved=None if error else opportunity.pk)
    return render(request, f"{TEMPLATE}#board", ctx, status=status)
