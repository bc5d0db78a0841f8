"""The opportunity kanban (看板): a column per sales stage, a card per opportunity in the user's scope.

Dropping a card on a column POSTs (HTMX) to ``move``, which calls the same service as the edit form
(services.opportunity_move_stage → opportunity_update), so every rule holds: an audited or terminated
opportunity, a lost stage without a lost reason, a stale version — each is refused, nothing changes,
and the board is drawn again from the database with the reason shown (the card snaps back).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access, services
from core.models import LookupItem
from core.topn import first_per_group
from org.models import Scope, User
from org.selectors import working_users
from reports.params import Subject
from reports.rollups import opportunity_groups

from .board_cards import CARD_VALUES, CardLook, cards_html
from .models import Opportunity, StageRule
from .services import opportunity_move_stage

TEMPLATE = "sales/opportunity_board.html"
CARDS_PER_COLUMN = 20


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
    return [user]  # signed in, so working (sessions of people who left are ended by org.middleware)


def _owner_filter(request):
    try:
        return int(request.GET.get("owner") or request.POST.get("owner") or 0) or None
    except ValueError:
        return None


def _column_totals(user, owner: int | None) -> dict:
    """Count and amount per stage of the opportunities on the board: from the maintained roll-up where it
    answers exactly what the gate would (reports.rollups), else one GROUP BY over the table."""
    subject = Subject(owner=User(pk=owner)) if owner else Subject()
    rows = opportunity_groups(user, "read", period=None, subject=subject, group=["stage_id"], sums=("amount",))
    return {row["stage_id"]: {"n": row["n"], "amount": row["amount"]} for row in rows}


def board_context(request, *, error: str = "", moved: int | None = None) -> dict:
    user = request.user
    owner = _owner_filter(request)
    qs = access.visible_to(user, "read", Opportunity)
    if owner:
        qs = qs.filter(owner_id=owner)
    stages = list(LookupItem.objects.filter(kind="sales_stage", active=True).order_by("sort", "id"))
    totals = _column_totals(user, owner)
    hidden = access.hidden_fields(user, Opportunity)
    may_update = access.can(user, "update", Opportunity)
    look = CardLook.for_page(draggable=may_update, hidden=hidden, moved=moved)
    rules = dict(StageRule.objects.values_list("stage_id", "max_days"))
    cards_qs = qs.order_by("-updated_at", "-id").values("stage_id", *CARD_VALUES)
    # The newest cards of each non-empty column: one short index seek per column — (owner, stage,
    # updated_at) or (stage, updated_at) — rather than ranking every opportunity in scope.
    filled = [stage.pk for stage in stages if stage.pk in totals]
    cards = first_per_group(cards_qs, "stage_id", filled, CARDS_PER_COLUMN)
    if None in totals:
        cards[None] = list(cards_qs.filter(stage__isnull=True)[:CARDS_PER_COLUMN])
    columns = []
    for stage in [*stages, None]:
        stage_id = stage.pk if stage else None
        if stage is None and stage_id not in totals:
            continue
        rows = cards.get(stage_id, [])
        total = totals.get(stage_id, {})
        columns.append({"stage": stage, "cards": cards_html(rows, stage_id=stage_id, look=look, rules=rules),
                        "shown": len(rows), "count": total.get("n", 0),
                        "amount": None if "amount" in hidden else total.get("amount")})
    return {"columns": columns, "owner": owner, "owners": _owner_choices(user), "error": error, "moved": moved,
            "may_update": may_update, "hide_amount": "amount" in hidden,
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
