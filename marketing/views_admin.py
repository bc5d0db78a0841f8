"""Administrator pages: lead teams (round-robin) and web forms, with the embed snippet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.basedata import may_manage

from . import routing, services_admin
from .forms import TeamForm, WebFormAdminForm
from .models import LeadTeam, WebForm


def _require(request) -> None:
    if not may_manage(request.user):
        raise PermissionDenied


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def team_list(request):
    _require(request)
    teams = LeadTeam.objects.select_related("department", "last_assignee").prefetch_related("members")
    rows = [(team, routing.team_members(team)) for team in teams]
    return render(request, "marketing/team_list.html", {"rows": rows})


@login_required
def team_edit(request, pk: int | None = None):
    _require(request)
    team = get_object_or_404(LeadTeam, pk=pk) if pk else None
    if request.method == "POST":
        if team is not None and request.POST.get("delete"):
            try:
                services_admin.team_delete(actor=request.user, instance=team)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return HttpResponseRedirect(reverse("marketing:team_edit", args=[team.pk]))
            messages.success(request, _("The team was deleted."))
            return HttpResponseRedirect(reverse("marketing:team_list"))
        form = TeamForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_admin.team_save(actor=request.user, data=data, members=data["members"], instance=team)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("marketing:team_list"))
        return render(request, "marketing/team_form.html", {"form": form, "team": team}, status=400)
    initial = {"active": True}
    if team is not None:
        initial = {"name": team.name, "department": team.department, "active": team.active,
                   "members": list(team.members.all())}
    return render(request, "marketing/team_form.html", {"form": TeamForm(initial=initial), "team": team})


@login_required
def form_list(request):
    _require(request)
    forms = WebForm.objects.select_related("team", "source").annotate(lead_count=Count("leads"))
    return render(request, "marketing/form_list.html", {"forms": forms})


@login_required
def form_edit(request, pk: int | None = None):
    _require(request)
    web_form = get_object_or_404(WebForm, pk=pk) if pk else None
    if request.method == "POST":
        form = WebFormAdminForm(request.POST)
        if form.is_valid():
            try:
                saved = services_admin.form_save(actor=request.user, data=form.cleaned_data, instance=web_form)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("marketing:form_edit", args=[saved.pk]))
        return render(request, "marketing/form_form.html", _form_context(request, form, web_form), status=400)
    if web_form is not None:
        initial = {name: getattr(web_form, name) for name in services_admin.FORM_FIELDS}
    else:
        initial = {"active": True, "hourly_limit": 5, "fields": ["company", "mobile", "email", "requirement"],
                   "required": ["mobile"]}
    return render(request, "marketing/form_form.html", _form_context(request, WebFormAdminForm(initial=initial), web_form))


def _form_context(request, form, web_form) -> dict:
    ctx = {"form": form, "web_form": web_form}
    if web_form is not None:
        url = request.build_absolute_uri(reverse("marketing:web_form", args=[web_form.slug]))
        # Snippets for the company's own site: escaped here, and once more when shown in the textarea.
        src, title = escape(url), escape(web_form.title)
        ctx.update({
            "public_url": url,
            "iframe": f'<iframe src="{src}" style="width:100%;max-width:560px;height:720px;border:0" '
                      f'title="{title}"></iframe>',
            "link": f'<a href="{src}" target="_blank" rel="noopener">{title}</a>',
        })
    return ctx
