"""Detail, create, edit, delete and history pages for any ModelUI. Thin: gate → form → service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from . import access, audit, customfields, services
from .forms import form_class_for


class UIView(LoginRequiredMixin, View):
    ui = None

    def get_object(self, action: str = "read"):
        return access.get_visible(self.request.user, action, self.ui.queryset(self.request.user, action), pk=self.kwargs["pk"])

    def base_context(self, **extra):
        user = self.request.user
        model = self.ui.model
        return {
            "ui": self.ui,
            "opts": model._meta,
            "can_create": access.can(user, "create", model),
            "can_update": access.can(user, "update", model),
            "can_delete": access.can(user, "delete", model),
            **extra,
        }


def _related_link(field, value):
    """A related record with pages of its own links to them (its page applies the gate again); the name is
    already on this page, so the link reveals nothing more."""
    from .ui import _registry

    related = _registry.get(f"{field.related_model._meta.app_label}.{field.related_model._meta.model_name}")
    if related is None:
        return value
    try:
        url = related.url("detail", value.pk)
    except NoReverseMatch:
        return value
    return format_html('<a href="{}">{}</a>', url, value)


def detail_rows(ui, user, instance) -> list[tuple[str, object]]:
    """(label, display value) pairs of the fields the user may see, custom fields included."""
    hidden = access.hidden_fields(user, ui.model)
    rows = []
    for name in ui.detail_fields or ui.form_fields:
        if name in hidden:
            continue
        field = ui.model._meta.get_field(name)
        value = getattr(instance, name)
        if field.choices:
            value = getattr(instance, f"get_{name}_display")()
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")  # as the list shows it, in the user's language
        elif value is not None and field.many_to_one:
            value = _related_link(field, value)
        rows.append((field.verbose_name, value))
    for cf in customfields.definitions(ui.key):
        if f"custom.{cf.code}" in hidden:
            continue
        rows.append((cf.label, customfields.display_value(cf, (instance.custom or {}).get(cf.code))))
    return rows


def _may(user, action, model, pk) -> bool:
    return access.visible_to(user, action, model).filter(pk=pk).exists()


class DetailPage(UIView):
    template_name = "core/detail.html"

    def get(self, request, pk):
        instance = self.get_object()
        model = self.ui.model
        may_share = not access.spec_for(model).via and _may(request.user, "share", model, pk)
        ctx = self.base_context(
            object=instance, rows=detail_rows(self.ui, request.user, instance),
            may_update=_may(request.user, "update", model, pk),
            may_delete=_may(request.user, "delete", model, pk),
            may_print=access.can(request.user, "print", model),
            may_share=may_share,
            shares=services.shares_of(instance) if may_share else [],
        )
        return render(request, self.template_name, ctx)


class SharePage(UIView):
    """Add or remove a share (共享) of one record; needs the share operation on it."""

    def post(self, request, pk):
        from org.selectors import share_targets


        instance = self.get_object("share")
        if request.POST.get("remove"):
            services.unshare_record(actor=request.user, instance=instance, share_id=int(request.POST["remove"]))
            messages.success(request, _("The share was removed."))
        else:
            try:
                users, departments = share_targets(request.POST.getlist("users"), request.POST.getlist("departments"))
            except (ValidationError, ValueError):
                raise Http404 from None
            if not users and not departments:
                messages.error(request, _("Choose at least one user or department."))
            else:
                services.share_records(actor=request.user, model=self.ui.model, pks=[pk], users=users,
                                       departments=departments, can_edit=bool(request.POST.get("can_edit")))
                messages.success(request, _("Shared."))
        return HttpResponseRedirect(self.ui.url("detail", pk))


class _FormPage(UIView):
    """Subclasses provide save(form, instance) -> saved record."""

    template_name = "core/form.html"
    creating = False

    def render_form(self, form, instance=None, status=200):
        return render(self.request, self.template_name, self.base_context(form=form, object=instance, creating=self.creating), status=status)

    def handle(self, form, instance):
        if not form.is_valid():
            return self.render_form(form, instance, status=400)
        try:
            saved = self.save(form, instance)
        except services.StaleVersion as exc:
            form.add_error(None, str(exc))
            return self.render_form(form, instance, status=409)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
            return self.render_form(form, instance, status=400)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You do not have permission for this operation."))
            return self.render_form(form, instance, status=403)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.ui.url("detail", saved.pk))


class CreatePage(_FormPage):
    creating = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.can(request.user, "create", self.ui.model):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = form_class_for(self.ui, request.user, creating=True)(initial=request.GET.dict())
        return self.render_form(form)

    def post(self, request):
        form = form_class_for(self.ui, request.user, creating=True)(request.POST, request.FILES)
        return self.handle(form, None)

    def save(self, form, instance):
        return self.ui.create(actor=self.request.user, data=form.model_values(), custom=form.custom_values())


class UpdatePage(_FormPage):
    def get(self, request, pk):
        instance = self.get_object("update")
        return self.render_form(form_class_for(self.ui, request.user, creating=False)(instance=instance), instance)

    def post(self, request, pk):
        instance = self.get_object("update")
        # Bind against a fresh copy so the form's own model validation does not touch `instance`.
        form = form_class_for(self.ui, request.user, creating=False)(request.POST, request.FILES, instance=self.get_object("update"))
        return self.handle(form, instance)

    def save(self, form, instance):
        version = form.cleaned_data.get("version")
        return self.ui.update(actor=self.request.user, instance=instance, data=form.model_values(),
                              custom=form.custom_values(), expected_version=version)


class DeletePage(UIView):
    def get(self, request, pk):
        instance = self.get_object("delete")
        return render(request, "core/confirm_delete.html", self.base_context(object=instance))

    def post(self, request, pk):
        instance = self.get_object("delete")
        try:
            self.ui.delete(actor=request.user, instance=instance)
        except ValidationError as exc:
            return render(request, "core/confirm_delete.html", self.base_context(object=instance, errors=exc.messages), status=400)
        messages.success(request, _("Moved to the recycle bin."))
        return HttpResponseRedirect(self.ui.url("list"))


class HistoryPage(UIView):
    """Audit trail and versions of one record; restoring a version is an update like any other."""

    def get(self, request, pk):
        instance = self.get_object()
        return render(request, "core/history.html", self.base_context(
            object=instance, entries=audit.history_for(instance)[:200], versions=audit.versions_for(instance)[:100],
            may_update=access.visible_to(request.user, "update", self.ui.model).filter(pk=pk).exists(),
        ))

    def post(self, request, pk):
        instance = self.get_object("update")
        try:
            self.ui.restore_version(actor=request.user, instance=instance, number=int(request.POST["number"]),
                                    expected_version=int(request.POST["version"]) if request.POST.get("version") else None)
        except services.StaleVersion as exc:
            messages.error(request, str(exc))
        except (ValidationError, KeyError, ValueError) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [_("Invalid version.")])))
        else:
            messages.success(request, _("The record was restored to version %(n)s.") % {"n": request.POST["number"]})
        return HttpResponseRedirect(self.ui.url("history", pk))
