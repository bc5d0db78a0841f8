"""Administration pages of the organisation: departments, users (incl. leaving), roles, permissions."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import access, customfields

from . import services, services_users
from .forms_admin import DepartmentForm, LeaveForm, PasswordResetForm, RoleForm, UserForm
from .models import Department, FieldRule, Grant, Role, Scope, User


def org_admin_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services_users.is_org_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _data(request):
    """Bind forms on POST even when nothing was sent (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _errors_to_form(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# ---- departments --------------------------------------------------------------------------------

@org_admin_required
def department_list(request):
    departments = Department.objects.select_related("manager").annotate(member_count=Count("members"))
    return render(request, "org/admin/department_list.html", {"departments": departments})


@org_admin_required
def department_edit(request, pk=None):
    dept = get_object_or_404(Department, pk=pk) if pk else None
    initial = {"parent": request.GET.get("parent")} if dept is None else {
        "name": dept.name, "parent": dept.parent_id, "manager": dept.manager_id, "sort": dept.sort, "active": dept.active}
    form = DepartmentForm(_data(request), initial=initial)
    if dept is not None:
        form.fields["parent"].queryset = Department.objects.exclude(path__startswith=dept.path)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if dept is None:
                services.department_create(actor=request.user, name=data["name"], parent=data["parent"],
                                           manager=data["manager"], sort=data["sort"])
            else:
                services.department_update(actor=request.user, department=dept, name=data["name"], parent=data["parent"],
                                           manager=data["manager"], sort=data["sort"], active=data["active"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:department_list")
    return render(request, "org/admin/form.html", {"form": form, "title": _("Department"), "object": dept,
                                                   "back": "org:department_list"}, status=400 if form.errors else 200)


@org_admin_required
def department_delete(request, pk):
    dept = get_object_or_404(Department, pk=pk)
    if request.method == "POST":
        try:
            services.department_delete(actor=request.user, department=dept)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Deleted."))
    return redirect("org:department_list")


# ---- users --------------------------------------------------------------------------------------

@org_admin_required
def user_list(request):
    users = User.objects.select_related("department", "superior").prefetch_related("roles").order_by("department__path", "id")
    term = request.GET.get("q", "").strip()
    if term:
        users = users.filter(Q(username__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
                             | Q(phone__icontains=term) | Q(title__icontains=term))
    if request.GET.get("department"):
        dept = Department.objects.filter(pk=request.GET["department"]).first()
        if dept:
            users = users.filter(department__path__startswith=dept.path)
    status = request.GET.get("status", "active")
    if status in (User.Status.ACTIVE, User.Status.LEFT):
        users = users.filter(status=status)
    page = Paginator(users, 30).get_page(request.GET.get("page"))
    return render(request, "org/admin/user_list.html", {"page": page, "departments": Department.objects.all(),
                                                        "term": term, "status": status})


@org_admin_required
def user_edit(request, pk=None):
    user = get_object_or_404(User, pk=pk) if pk else None
    form = UserForm(_data(request), instance=user, creating=user is None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("roles", "password")}
        try:
            if user is None:
                user = services_users.user_create(actor=request.user, data={**data, "must_change_password": True},
                                            roles=form.cleaned_data["roles"], password=form.cleaned_data["password"])
            else:
                services_users.user_update(actor=request.user, user=user, data=data, roles=form.cleaned_data["roles"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:user_list")
    return render(request, "org/admin/form.html", {"form": form, "title": _("User"), "object": user, "back": "org:user_list"},
                  status=400 if form.errors else 200)


@org_admin_required
def user_leave(request, pk):
    leaving = get_object_or_404(User, pk=pk, status=User.Status.ACTIVE)
    form = LeaveForm(_data(request), leaving=leaving)
    owned = {access.spec_for(m).label: access.visible_to(request.user, "read", m).filter(**{access.spec_for(m).owner: leaving}).count()
             for m in access.registered_models() if not access.spec_for(m).via and access.spec_for(m).owner}
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.user_leave(actor=request.user, user=leaving, transfer_to=form.cleaned_data["transfer_to"],
                                        release_to_pool=form.cleaned_data["release_to_pool"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("%(user)s has left; %(n)s records were handed over.") % {"user": leaving, "n": sum(moved.values())})
            return redirect("org:user_list")
    return render(request, "org/admin/user_leave.html", {"form": form, "leaving": leaving, "owned": owned},
                  status=400 if form.errors else 200)


@org_admin_required
def user_toggle_active(request, pk):
    user = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        try:
            services_users.user_set_active(actor=request.user, user=user, active=not user.is_active)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("org:user_list")


@org_admin_required
def user_password(request, pk):
    user = get_object_or_404(User, pk=pk)
    form = PasswordResetForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services_users.user_set_password(actor=request.user, user=user, password=form.cleaned_data["password"],
                                       must_change=form.cleaned_data["must_change"])
        except ValidationError as exc:
            form.add_error("password", exc.messages)
        else:
            messages.success(request, _("Password changed."))
            return redirect("org:user_list")
    return render(request, "org/admin/form.html", {"form": form, "title": _("Reset password"), "object": user, "back": "org:user_list"},
                  status=400 if form.errors else 200)


# ---- roles and permissions ----------------------------------------------------------------------

@org_admin_required
def role_list(request):
    roles = Role.objects.annotate(user_count=Count("users", distinct=True))
    return render(request, "org/admin/role_list.html", {"roles": roles})


@org_admin_required
def role_edit(request, pk=None):
    role = get_object_or_404(Role, pk=pk) if pk else None
    form = RoleForm(_data(request), instance=role)
    if request.method == "POST" and form.is_valid():
        try:
            role = services_users.role_save(actor=request.user, role=role, data=form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:role_permissions", role.pk)
    return render(request, "org/admin/form.html", {"form": form, "title": _("Role"), "object": role, "back": "org:role_list"},
                  status=400 if form.errors else 200)


@org_admin_required
def role_delete(request, pk):
    role = get_object_or_404(Role, pk=pk)
    if request.method == "POST":
        try:
            services_users.role_delete(actor=request.user, role=role)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Deleted."))
    return redirect("org:role_list")


@org_admin_required
def role_permissions(request, pk):
    """The permission matrix: module rows × operation columns, a data scope in each cell."""
    role = get_object_or_404(Role, pk=pk)
    actions = Grant.Action.choices
    modules = sorted(access.MODULES.items(), key=lambda kv: str(kv[1].label))
    if request.method == "POST":
        grants = {}
        valid_scopes = {str(s) for s in Scope.values}
        for module, _spec in modules:
            for action, _label in actions:
                value = request.POST.get(f"{module}:{action}", "0")
                if value not in valid_scopes:
                    messages.error(request, _("Invalid data scope."))
                    return redirect("org:role_permissions", pk)
                grants.setdefault(module, {})[action] = int(value)
        services.role_set_grants(actor=request.user, role=role, grants=grants)
        messages.success(request, _("Permissions saved."))
        return redirect("org:role_permissions", pk)
    current = {(g.module, g.action): g.scope for g in role.grants.all()}
    rows = [{"module": module, "label": spec.label,
             "cells": [{"name": f"{module}:{action}", "value": current.get((module, action), 0)} for action, _l in actions]}
            for module, spec in modules]
    return render(request, "org/admin/role_permissions.html", {"role": role, "actions": actions, "rows": rows,
                                                               "scopes": Scope.choices})


@org_admin_required
def role_fields(request, pk):
    """Field permissions of a role: per module and field, hidden / read-only / editable."""
    role = get_object_or_404(Role, pk=pk)
    modules = sorted(((key, access.model_of(key)._meta.verbose_name_plural) for key in access.ENTITIES), key=lambda kv: str(kv[1]))
    module = request.GET.get("module") or request.POST.get("module") or (modules[0][0] if modules else "")
    if module not in access.ENTITIES:
        raise PermissionDenied
    spec = access.ENTITIES[module]
    model = access.model_of(module)
    fields = [(name, model._meta.get_field(name).verbose_name) for name in spec.fields]
    fields += [(f"custom.{cf.code}", cf.label) for cf in customfields.definitions(module)]
    if request.method == "POST":
        rules = {}
        for name, _label in fields:
            mode = request.POST.get(f"field:{name}", "")
            if mode in (FieldRule.Mode.HIDDEN, FieldRule.Mode.READONLY):
                rules[name] = mode
        services_users.role_set_field_rules(actor=request.user, role=role, module=module, rules=rules)
        messages.success(request, _("Field permissions saved."))
        return redirect(f"{request.path}?module={module}")
    current = dict(role.field_rules.filter(module=module).values_list("field", "mode"))
    return render(request, "org/admin/role_fields.html", {
        "role": role, "modules": modules, "module": module,
        "fields": [{"name": n, "label": label, "mode": current.get(n, "")} for n, label in fields],
        "modes": [("", _("Editable")), (FieldRule.Mode.READONLY, _("Read-only")), (FieldRule.Mode.HIDDEN, _("Hidden"))],
    })
