"""Global audit log and the recycle bin (回收站)."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from org.services_users import is_org_admin

from . import access, services
from .models import AuditLog


@login_required
def audit_log(request):
    """Every audit entry, for administrators; filter by user, action, record type and date."""
    if not is_org_admin(request.user):
        raise PermissionDenied
    entries = AuditLog.objects.select_related("actor", "content_type")
    params = request.GET
    if params.get("actor"):
        entries = entries.filter(actor_id=params["actor"]) if params["actor"].isdigit() else entries.none()
    if params.get("action"):
        entries = entries.filter(action=params["action"])
    if params.get("model"):
        entries = entries.filter(content_type__app_label=params["model"].split(".")[0],
                                 content_type__model=params["model"].split(".")[-1])
    if params.get("object_id", "").isdigit():
        entries = entries.filter(object_id=params["object_id"])
    if parse_date(params.get("since", "") or ""):
        entries = entries.filter(created_at__date__gte=parse_date(params["since"]))
    if parse_date(params.get("until", "") or ""):
        entries = entries.filter(created_at__date__lte=parse_date(params["until"]))
    page = Paginator(entries, 50).get_page(params.get("page"))
    from org.models import User

    return render(request, "core/records/audit_log.html", {
        "page": page, "actions": AuditLog.Action.choices, "users": User.objects.order_by("username"),
        "models": [(f"{ct.app_label}.{ct.model}", ct.name) for ct in ContentType.objects.filter(
            pk__in=AuditLog.objects.values("content_type").distinct()).order_by("app_label", "model")],
    })


def _bin_models(user):
    return [m for m in access.registered_models() if hasattr(m, "all_objects") and not access.spec_for(m).via
            and access.can(user, "delete", m)]


def _model_by_label(user, label: str):
    for model in _bin_models(user):
        if model._meta.label_lower == label:
            return model
    raise Http404


@login_required
def recycle_bin(request):
    models = _bin_models(request.user)
    label = request.GET.get("model") or (models[0]._meta.label_lower if models else "")
    rows, model = [], None
    if label:
        model = _model_by_label(request.user, label)
        rows = services.recycle_bin(request.user, model).select_related("deleted_by").order_by("-deleted_at")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "core/records/recycle_bin.html", {
        "models": [(m._meta.label_lower, m._meta.verbose_name_plural) for m in models],
        "current": label, "page": page, "can_purge": request.user.is_superuser,
    })


@login_required
def recycle_restore(request, label, pk):
    if request.method != "POST":
        return redirect("core:recycle_bin")
    model = _model_by_label(request.user, label)
    try:
        row = services.restore_deleted(actor=request.user, model=model, pk=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_bin_url(label))
    messages.success(request, _("%(record)s was restored.") % {"record": row})
    return redirect(_bin_url(label))


@login_required
def recycle_purge(request, label, pk):
    if request.method != "POST":
        return redirect("core:recycle_bin")
    model = _model_by_label(request.user, label)
    if not services.recycle_bin(request.user, model).filter(pk=pk).exists():
        raise Http404
    services.purge_deleted(actor=request.user, model=model, pk=pk)
    messages.success(request, _("The record was removed for good."))
    return redirect(_bin_url(label))


def _bin_url(label: str) -> str:
    from django.urls import reverse

    return f"{reverse('core:recycle_bin')}?model={label}"


@login_required
def recipients(request):
    """The options of the assign and share dialogs of a list (``?model=app.model&for=assign|share``),
    fetched when a dialog opens: a list page does not carry every user and department with it. Only a
    user who may assign (or share) that model's records gets them."""
    action = request.GET.get("for")
    if action not in ("assign", "share"):
        raise Http404
    try:
        model = apps.get_model(request.GET.get("model", ""))
        access.spec_for(model)
    except (LookupError, ValueError, ImproperlyConfigured):
        raise Http404 from None
    if not access.can(request.user, action, model):
        raise Http404
    from org.selectors import active_departments, working_users

    if request.GET.get("what") == "departments":
        if action != "share":
            raise Http404
        return render(request, "core/recipients.html#departments", {"departments": active_departments()})
    users = working_users().select_related("department").order_by("id")
    if action == "share":  # what is yours already needs no share with you
        users = users.exclude(pk=request.user.pk)
    return render(request, "core/recipients.html#users", {"users": users})
