"""Sales pages beyond the generic ones: opportunity and project detail pages with their actions,
record completion, decision chain / competitors / tasks, and the stage rules page. Thin: gate →
service → redirect with the service's refusal shown."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access, crud
from core.basedata import may_manage
from core.models import LookupItem
from org.selectors import working_users

from . import services, services_project, services_records, services_related
from .models import ContactRecord, MaintenanceRecord, Opportunity, OpportunityParticipant, Project, StageRule
from .tasks import default_limit_days


def _may(user, action, model, pk) -> bool:
    return access.visible_to(user, action, model).filter(pk=pk).exists()


def _refusal(request, exc) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc) or _("Refused.")]))


def _last_completed(records) -> int | None:
    done = [r for r in records if r.completed]
    return max(done, key=lambda r: r.seq).pk if done else None


def stage_history(opportunity, now=None) -> list[dict]:
    now = now or timezone.now()
    return [{"stage": s.stage, "entered_at": s.entered_at, "left_at": s.left_at, "by": s.changed_by,
             "days": s.dwell(now).days} for s in opportunity.stage_changes.select_related("stage", "changed_by")]


class OpportunityDetailPage(crud.DetailPage):
    template_name = "sales/opportunity_detail.html"

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        opportunity = extra.get("object")
        if opportunity is None:
            return ctx
        user = self.request.user
        may_update = extra.get("may_update", False)
        records = list(access.visible_to(user, "read", ContactRecord).filter(opportunity=opportunity)
                       .select_related("stage"))
        ctx.update(
            records=records, last_completed=_last_completed(records),
            record_ui="sales:contactrecord",
            participants=list(opportunity.participants.select_related("contact")),
            competitors=list(opportunity.competitors.all()),
            tasks=list(opportunity.tasks.select_related("assignee")),
            history=stage_history(opportunity),
            projects=list(access.visible_to(user, "read", Project).filter(opportunity=opportunity)),
            may_records=may_update and access.can(user, "create", ContactRecord),
            locked=opportunity.audited or opportunity.terminated,
            contacts=opportunity.customer.contacts.all() if may_update else [],
            attitudes=OpportunityParticipant.Attitude.choices,
            assignees=working_users().order_by("department__path", "id") if may_update else [],
            may_create_project=access.can(user, "create", Project),
        )
        return ctx


class ProjectDetailPage(crud.DetailPage):
    template_name = "sales/project_detail.html"

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        project = extra.get("object")
        if project is None:
            return ctx
        user = self.request.user
        records = list(access.visible_to(user, "read", MaintenanceRecord).filter(project=project)
                       .select_related("stage"))
        ctx.update(
            records=records, last_completed=_last_completed(records),
            record_ui="sales:maintenancerecord",
            may_records=extra.get("may_update", False) and access.can(user, "create", MaintenanceRecord),
            locked=project.terminated,
            opportunity=access.visible_to(user, "read", Opportunity).filter(pk=project.opportunity_id).first(),
            may_copy=access.can(user, "create", Opportunity),
        )
        return ctx


class _BackToParent:
    """After saving a record, go back to its opportunity or project, where the timeline is."""

    def save(self, form, instance):
        self.saved = super().save(form, instance)
        return self.saved

    def handle(self, form, instance):
        response = super().handle(form, instance)
        saved = getattr(self, "saved", None)
        if response.status_code == 302 and saved is not None:
            parent = self.ui.parent
            return HttpResponseRedirect(reverse(f"sales:{parent}_detail", args=[getattr(saved, f"{parent}_id")]))
        return response


class RecordCreatePage(_BackToParent, crud.CreatePage):
    pass


class RecordUpdatePage(_BackToParent, crud.UpdatePage):
    pass


OPPORTUNITY_ACTIONS = {
    "audit": (services.opportunity_audit, _("Audited.")),
    "unaudit": (services.opportunity_unaudit, _("Unaudited.")),
    "terminate": (services.opportunity_terminate, _("Terminated.")),
    "reactivate": (services.opportunity_reactivate, _("Reactivated.")),
}


@login_required
@require_POST
def opportunity_action(request, pk, name):
    opportunity = access.get_visible(request.user, "read", Opportunity, pk=pk)
    back = reverse("sales:opportunity_detail", args=[pk])
    try:
        if name == "convert":
            project = services.opportunity_convert(actor=request.user, instance=opportunity)
            messages.success(request, _("Project %(code)s created.") % {"code": project.code})
            return HttpResponseRedirect(reverse("sales:project_detail", args=[project.pk]))
        if name not in OPPORTUNITY_ACTIONS:
            raise Http404
        fn, done = OPPORTUNITY_ACTIONS[name]
        fn(actor=request.user, instance=opportunity)
        messages.success(request, done)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return HttpResponseRedirect(back)


PROJECT_ACTIONS = {
    "terminate": (services_project.project_terminate, _("Terminated.")),
    "reactivate": (services_project.project_reactivate, _("Reactivated.")),
}


@login_required
@require_POST
def project_action(request, pk, name):
    project = access.get_visible(request.user, "read", Project, pk=pk)
    try:
        if name == "copy":
            copy = services_project.project_copy_to_opportunity(actor=request.user, instance=project)
            messages.success(request, _("Opportunity %(code)s created.") % {"code": copy.code})
            return HttpResponseRedirect(reverse("sales:opportunity_detail", args=[copy.pk]))
        if name not in PROJECT_ACTIONS:
            raise Http404
        fn, done = PROJECT_ACTIONS[name]
        fn(actor=request.user, instance=project)
        messages.success(request, done)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return HttpResponseRedirect(reverse("sales:project_detail", args=[pk]))


RECORD_MODELS = {"contactrecord": (ContactRecord, "opportunity"), "maintenancerecord": (MaintenanceRecord, "project")}


@login_required
@require_POST
def record_complete(request, kind, pk):
    if kind not in RECORD_MODELS:
        raise Http404
    model, parent = RECORD_MODELS[kind]
    record = access.get_visible(request.user, "read", model, pk=pk)
    try:
        services_records.record_complete(actor=request.user, instance=record)
        messages.success(request, _("Record #%(seq)s completed.") % {"seq": record.seq})
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return HttpResponseRedirect(reverse(f"sales:{parent}_detail", args=[getattr(record, f"{parent}_id")]))


@login_required
@require_POST
def record_delete(request, kind, pk):
    if kind not in RECORD_MODELS:
        raise Http404
    model, parent = RECORD_MODELS[kind]
    record = access.get_visible(request.user, "read", model, pk=pk)
    try:
        services_records.record_delete(actor=request.user, instance=record)
        messages.success(request, _("Record #%(seq)s deleted.") % {"seq": record.seq})
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return HttpResponseRedirect(reverse(f"sales:{parent}_detail", args=[getattr(record, f"{parent}_id")]))


class ChildForm(forms.Form):
    contact = forms.IntegerField(required=False)
    role = forms.CharField(required=False, max_length=60)
    attitude = forms.CharField(required=False, max_length=10)
    name = forms.CharField(required=False, max_length=120)
    offer = forms.DecimalField(required=False, max_digits=14, decimal_places=2, min_value=0)
    strengths = forms.CharField(required=False)
    weaknesses = forms.CharField(required=False)
    moves = forms.CharField(required=False)
    title = forms.CharField(required=False, max_length=200)
    due = forms.DateField(required=False)
    assignee = forms.IntegerField(required=False)
    notes = forms.CharField(required=False, max_length=200)


def child_payload(opportunity, kind: str, values: dict) -> dict:
    """The child's fields from submitted values; contact and assignee by id, within what is allowed."""
    data = {name: values.get(name) for name in services_related.FIELDS[kind] if name in values}
    if kind == "participant":
        contact = opportunity.customer.contacts.filter(pk=values.get("contact") or 0).first()
        if contact is None:
            raise ValidationError({"contact": _("Choose a contact of the opportunity's customer.")})
        data["contact"] = contact
        data["attitude"] = data.get("attitude") or OpportunityParticipant.Attitude.UNKNOWN
    if kind == "task":
        data.pop("done", None)
        assignee_id = values.get("assignee")
        data["assignee"] = working_users().filter(pk=assignee_id).first() if assignee_id else None
        if assignee_id and data["assignee"] is None:
            raise ValidationError({"assignee": _("Unknown or disabled user.")})
    return {k: ("" if v is None and k in ("role", "notes", "strengths", "weaknesses", "moves") else v)
            for k, v in data.items()}


@login_required
@require_POST
def child_add(request, pk, kind):
    if kind not in services_related.CHILD_MODELS:
        raise Http404
    opportunity = access.get_visible(request.user, "update", Opportunity, pk=pk)
    form = ChildForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        services_related.child_add(actor=request.user, opportunity=opportunity, kind=kind,
                                   data=child_payload(opportunity, kind, form.cleaned_data))
        messages.success(request, _("Added."))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return HttpResponseRedirect(reverse("sales:opportunity_detail", args=[pk]) + f"#tab-{kind}")


@login_required
@require_POST
def child_delete(request, pk, kind, child):
    if kind not in services_related.CHILD_MODELS:
        raise Http404
    opportunity = access.get_visible(request.user, "update", Opportunity, pk=pk)
    try:
        if kind == "task" and request.POST.get("done") in ("0", "1"):
            services_related.task_set_done(actor=request.user, opportunity=opportunity, pk=child,
                                           done=request.POST["done"] == "1")
        else:
            services_related.child_delete(actor=request.user, opportunity=opportunity, kind=kind, pk=child)
        messages.success(request, _("Saved."))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return HttpResponseRedirect(reverse("sales:opportunity_detail", args=[pk]) + f"#tab-{kind}")


# ---- stage rules (admins) ------------------------------------------------------------------------

@login_required
def stage_rules(request):
    if not may_manage(request.user):
        raise PermissionDenied
    stages = list(LookupItem.objects.filter(kind="sales_stage").order_by("sort", "id"))
    if request.method == "POST":
        from .services_stage import stage_rules_save

        try:
            limits = {s.pk: request.POST.get(f"days_{s.pk}", "").strip() for s in stages}
            stage_rules_save(actor=request.user, limits=limits)
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("sales:stage_rules"))
        except ValidationError as exc:
            _refusal(request, exc)
    rules = dict(StageRule.objects.values_list("stage_id", "max_days"))
    rows = [{"stage": s, "days": rules.get(s.pk, "")} for s in stages]
    return render(request, "sales/stage_rules.html", {"rows": rows, "default_days": default_limit_days()})
