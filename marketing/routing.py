"""Handing out leads: to a chosen person (the gate's "assign") or in turn within a lead team (轮流分配).

A team's members are its explicit member list, or else the working users of its department and
sub-departments. Turns go by user id: the next lead goes to the first member after the team's last
assignee. The team row is locked (FOR UPDATE) while the turn is taken and the pointer moved, so two
people or two web-form submissions assigning at the same moment still take consecutive turns.
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core import services as core_services
from org.selectors import working_users

from .models import Lead, LeadTeam


def team_members(team: LeadTeam) -> list:
    """The people who take turns, by user id."""
    users = working_users()
    explicit = team.members.all()
    if explicit.exists():
        users = users.filter(pk__in=explicit.values("pk"))
    elif team.department_id:
        users = users.filter(department__path__startswith=team.department.path)
    else:
        return []
    return list(users.select_related("department").order_by("id"))


def _next_after(members: list, last_id: int | None):
    for member in members:
        if last_id is None or member.pk > last_id:
            return member
    return members[0]


@transaction.atomic
def take_turns(team: LeadTeam, count: int) -> list:
    """The next ``count`` members in turn, moving the team's pointer past them (under the team's lock)."""
    # FOR UPDATE is what keeps concurrent assignments fair: the second waits for the first's pointer.
    locked = LeadTeam.objects.select_for_update().get(pk=team.pk)
    if not locked.active:
        raise ValidationError(_("The team %(team)s is not active.") % {"team": locked.name})
    members = team_members(locked)
    if not members:
        raise ValidationError(_("The team %(team)s has no working members.") % {"team": locked.name})
    chosen, last_id = [], locked.last_assignee_id
    for _n in range(count):
        member = _next_after(members, last_id)
        chosen.append(member)
        last_id = member.pk
    locked.last_assignee_id = last_id
    locked.last_assigned_at = timezone.now()
    locked.assigned_count += count
    locked.save(update_fields=["last_assignee", "last_assigned_at", "assigned_count"])
    return chosen


@transaction.atomic
def lead_assign(*, actor, pks, owner, reason: str = "") -> int:
    """Give leads to one person; they must be a working user and the actor needs assign on every lead."""
    if owner is None or not working_users().filter(pk=owner.pk).exists():
        raise ValidationError(_("Choose a working user to assign to."))
    return core_services.assign_records(actor=actor, model=Lead, pks=list(pks), owner=owner, reason=reason)


@transaction.atomic
def lead_assign_round_robin(*, actor, team: LeadTeam, pks, reason: str = "") -> Counter:
    """Give the leads to the team's members in turn. All or nothing: a lead outside the actor's assign
    scope, or a converted one, refuses the whole batch. Returns {user: number of leads}."""
    pks = sorted(set(pks))
    if not pks:
        raise ValidationError(_("Select at least one lead."))
    rows = list(access.visible_to(actor, "assign", Lead.objects.select_for_update(of=("self",))).filter(pk__in=pks))
    if len(rows) != len(pks):
        raise PermissionDenied(_("Some of the selected records are outside your data scope."))
    owners = take_turns(team, len(rows))
    reason = reason or _("Round-robin in team %(team)s") % {"team": team.name}
    given: Counter = Counter()
    for row, owner in zip(rows, owners, strict=True):
        core_services.assign_records(actor=actor, model=Lead, pks=[row.pk], owner=owner, reason=reason)
        given[owner] += 1
    return given
