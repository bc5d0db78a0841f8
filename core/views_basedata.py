"""Settings pages: basic data lists, numbering rules and custom fields. Thin: form → service → page.

Each page works as plain HTML forms and, with HTMX, swaps only its panel (a named partial of the
same template). HTMX replies are 200 even when a form has errors, because HTMX leaves the page
untouched on 4xx replies and the user would not see the messages.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import basedata, customfields, numbering
from .models import CustomField, LookupItem, NumberingRule, Sequence


def allowed(check):
    """Only users passing ``check`` see the page; everyone else gets 403 and nothing changes."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _offset(request) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


def _text_input(**attrs):
    return forms.TextInput(attrs={"class": "form-control", **attrs})


# ---- basic data ------------------------------------------------------------------------------

class LookupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), required=False, widget=_text_input(maxlength=80))
    code = forms.CharField(label=gettext_lazy("Code"), required=False, widget=_text_input(maxlength=40),
                           help_text=gettext_lazy("Leave empty to use the pinyin initials of the name."))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.extras = basedata.KIND_EXTRAS.get(kind, ())
        for spec in self.extras:
            self.fields[spec.key] = forms.CharField(
                label=spec.label, required=False,
                widget=forms.NumberInput(attrs={"class": "form-control", "min": spec.min_value, "max": spec.max_value}))

    def extra_values(self) -> dict:
        return {spec.key: self.cleaned_data.get(spec.key) for spec in self.extras}


def _kind_or_404(kind: str) -> str:
    if kind not in basedata.LOOKUP_KINDS:
        raise Http404(_("Unknown list."))
    return kind


def _lookup_page(request, kind: str, *, form=None, edit_item=None, edit_form=None, status=200):
    counts = dict(LookupItem.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    ctx = {
        "kinds": [(code, label, counts.get(code, 0)) for code, label in basedata.LOOKUP_KINDS.items()],
        "kind": kind, "kind_label": basedata.LOOKUP_KINDS[kind], "extras": basedata.KIND_EXTRAS.get(kind, ()),
        "items": basedata.items(kind, active_only=False),
        "form": form or LookupForm(kind=kind), "edit_item": edit_item, "edit_form": edit_form,
    }
    template = "core/basedata/lookups.html"
    if request.htmx:
        # The kind list swaps the whole body (to move the highlight); buttons in the panel swap the panel.
        part = "body" if request.htmx.target == "basedata-body" else "panel"
        return render(request, f"{template}#{part}", ctx)
    return render(request, template, ctx, status=status)


def _lookup_done(request, kind: str, message: str):
    messages.success(request, message)
    if request.htmx:
        return _lookup_page(request, kind)
    return HttpResponseRedirect(f"{reverse('core:lookup_list')}?kind={kind}")


@allowed(basedata.may_manage)
def lookup_list(request):
    kind = _kind_or_404(request.GET.get("kind") or next(iter(basedata.LOOKUP_KINDS)))
    edit_item = edit_form = None
    if request.GET.get("edit"):
        edit_item = get_object_or_404(LookupItem, pk=request.GET["edit"], kind=kind)
        edit_form = LookupForm(kind=kind, prefix="edit", initial={
            "name": edit_item.name, "code": edit_item.code, **(edit_item.extra or {})})
    return _lookup_page(request, kind, edit_item=edit_item, edit_form=edit_form)


@allowed(basedata.may_manage)
@require_POST
def lookup_create(request, kind):
    kind = _kind_or_404(kind)
    form = LookupForm(request.POST, kind=kind)
    form.is_valid()
    try:
        item = basedata.lookup_create(actor=request.user, kind=kind, name=form.cleaned_data.get("name", ""),
                                      code=form.cleaned_data.get("code", ""), extra=form.extra_values())
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return _lookup_page(request, kind, form=form, status=400)
    return _lookup_done(request, kind, _("Added %(name)s.") % {"name": item.name})


@allowed(basedata.may_manage)
@require_POST
def lookup_update(request, pk):
    item = get_object_or_404(LookupItem, pk=pk)
    kind = _kind_or_404(item.kind)
    form = LookupForm(request.POST, kind=kind, prefix="edit")
    form.is_valid()
    try:
        item = basedata.lookup_update(actor=request.user, item=item, name=form.cleaned_data.get("name", ""),
                                      code=form.cleaned_data.get("code", ""), extra=form.extra_values())
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return _lookup_page(request, kind, edit_item=item, edit_form=form, status=400)
    return _lookup_done(request, kind, _("Saved %(name)s.") % {"name": item.name})


@allowed(basedata.may_manage)
@require_POST
def lookup_move(request, pk):
    item = get_object_or_404(LookupItem, pk=pk)
    basedata.lookup_move(actor=request.user, item=item, offset=_offset(request))
    return _lookup_done(request, item.kind, _("Order saved."))


@allowed(basedata.may_manage)
@require_POST
def lookup_active(request, pk):
    item = get_object_or_404(LookupItem, pk=pk)
    active = request.POST.get("active") == "1"
    basedata.lookup_set_active(actor=request.user, item=item, active=active)
    message = _("%(name)s is active again.") if active else _("%(name)s is no longer offered for new input.")
    return _lookup_done(request, item.kind, message % {"name": item.name})


@allowed(basedata.may_manage)
@require_POST
def lookup_delete(request, pk):
    item = get_object_or_404(LookupItem, pk=pk)
    outcome = basedata.lookup_remove(actor=request.user, item=item)
    if outcome == "deleted":
        message = _("%(name)s was deleted.") % {"name": item.name}
    else:
        message = _("%(name)s is used by records, so it was deactivated instead of deleted.") % {"name": item.name}
    return _lookup_done(request, item.kind, message)


@allowed(basedata.may_manage)
@require_POST
def lookup_defaults(request, kind):
    kind = _kind_or_404(kind)
    added = basedata.lookup_load_defaults(actor=request.user, kind=kind)
    return _lookup_done(request, kind, _("%(n)s default entries added.") % {"n": added})


# ---- numbering rules -------------------------------------------------------------------------

class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), required=False, widget=_text_input(maxlength=80))
    pattern = forms.CharField(label=gettext_lazy("Pattern"), required=False,
                              widget=_text_input(maxlength=120, spellcheck="false", autocomplete="off"))
    reset = forms.ChoiceField(label=gettext_lazy("Sequence restarts"), choices=NumberingRule.Reset.choices,
                              widget=forms.Select(attrs={"class": "form-select"}))


def _rule_rows() -> list[dict]:
    saved = {rule.doc_type: rule for rule in NumberingRule.objects.all()}
    examples = numbering.peek_all(context=numbering.sample_context())
    rows = []
    for code in dict.fromkeys([*numbering.DOC_TYPES, *saved]):
        rule = saved.get(code)
        default = numbering.DOC_TYPES.get(code)
        pattern = rule.pattern if rule else default.pattern
        rows.append({
            "doc_type": code, "label": default.label if default else rule.name,
            "name": rule.name if rule else default.label, "pattern": pattern,
            "reset": (rule.get_reset_display() if rule else NumberingRule.Reset(default.reset).label),
            "is_default": rule is None,
            "example": examples[code],
        })
    return rows


def _rule_initial(doc_type: str) -> dict:
    rule = NumberingRule.objects.filter(doc_type=doc_type).first()
    if rule:
        return {"name": rule.name, "pattern": rule.pattern, "reset": rule.reset}
    default = numbering.DOC_TYPES.get(doc_type)
    if default is None:
        raise Http404(_("Unknown document type."))
    return {"name": str(default.label), "pattern": default.pattern, "reset": default.reset}


def _rules_page(request, *, edit=None, form=None, status=200):
    ctx = {"rows": _rule_rows(), "edit": edit, "form": form, "placeholders": numbering.CONTEXT_KEYS}
    if edit:
        ctx["preview"] = numbering.preview(form["pattern"].value() or "", reset=form["reset"].value())
        ctx["counters"] = Sequence.objects.filter(rule__doc_type=edit).order_by("-period", "scope")[:20]
    template = "core/basedata/numbering.html"
    if request.htmx:
        return render(request, f"{template}#panel", ctx)
    return render(request, template, ctx, status=status)


@allowed(customfields.may_manage)
def numbering_list(request):
    edit = request.GET.get("edit")
    form = RuleForm(initial=_rule_initial(edit)) if edit else None
    return _rules_page(request, edit=edit, form=form)


@allowed(customfields.may_manage)
@require_POST
def numbering_update(request, doc_type):
    _rule_initial(doc_type)  # 404 for a type that is neither registered nor saved
    form = RuleForm(request.POST)
    form.is_valid()
    try:
        numbering.rule_save(actor=request.user, doc_type=doc_type, name=form.cleaned_data.get("name", ""),
                            pattern=form.cleaned_data.get("pattern", ""), reset=request.POST.get("reset", ""))
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return _rules_page(request, edit=doc_type, form=form, status=400)
    messages.success(request, _("Numbering rule saved."))
    if request.htmx:
        return _rules_page(request)
    return HttpResponseRedirect(reverse("core:numbering_list"))


@allowed(customfields.may_manage)
@require_POST
def numbering_preview(request):
    result = numbering.preview(request.POST.get("pattern", ""), reset=request.POST.get("reset", ""))
    return render(request, "core/basedata/numbering.html#preview", {"preview": result})


# ---- custom fields ---------------------------------------------------------------------------

class CustomFieldForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), required=False, widget=_text_input(maxlength=60))
    code = forms.CharField(label=gettext_lazy("Code"), required=False, widget=_text_input(maxlength=40),
                           help_text=gettext_lazy("Lowercase letters, digits and _; cannot change later."))
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=CustomField.Type.choices,
                             widget=forms.Select(attrs={"class": "form-select", "data-cf-type": ""}))
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False,
                                  widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    choices = forms.CharField(label=gettext_lazy("Choices"), required=False,
                              widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
                              help_text=gettext_lazy("One per line as value=label, e.g. vip=VIP customer."))
    regex = forms.CharField(label=gettext_lazy("Format (regular expression)"), required=False,
                            widget=_text_input(maxlength=200, spellcheck="false"))
    min_value = forms.CharField(label=gettext_lazy("Minimum"), required=False, widget=_text_input(inputmode="decimal"))
    max_value = forms.CharField(label=gettext_lazy("Maximum"), required=False, widget=_text_input(inputmode="decimal"))
    help_text = forms.CharField(label=gettext_lazy("Help text"), required=False, widget=_text_input(maxlength=200))

    # Which types each optional input applies to (the page hides the others).
    APPLIES = {"choices": "choice multi", "regex": "text", "min_value": "number money", "max_value": "number money"}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True


def _module_or_404(module: str) -> str:
    if module not in dict(customfields.modules()):
        raise Http404(_("Unknown module."))
    return module


def _field_initial(field: CustomField) -> dict:
    return {"label": field.label, "code": field.code, "type": field.type, "required": field.required,
            "choices": customfields.choices_text(field), "regex": field.regex, "help_text": field.help_text,
            "min_value": "" if field.min_value is None else field.min_value.normalize(),
            "max_value": "" if field.max_value is None else field.max_value.normalize()}


def _fields_page(request, module: str, *, form=None, edit_field=None, status=200):
    mods = customfields.modules()
    counts = dict(CustomField.objects.values_list("module").annotate(n=Count("id")).values_list("module", "n"))
    ctx = {
        "modules": [(key, label, counts.get(key, 0)) for key, label in mods], "module": module,
        "module_label": dict(mods).get(module, ""), "fields": CustomField.objects.filter(module=module) if module else [],
        "form": form or CustomFieldForm(), "edit_field": edit_field, "applies": CustomFieldForm.APPLIES,
    }
    template = "core/basedata/customfields.html"
    if request.htmx:
        part = "body" if request.htmx.target == "basedata-body" else "panel"
        return render(request, f"{template}#{part}", ctx)
    return render(request, template, ctx, status=status)


def _fields_done(request, module: str, message: str):
    messages.success(request, message)
    if request.htmx:
        return _fields_page(request, module)
    return HttpResponseRedirect(f"{reverse('core:customfield_list')}?module={module}")


@allowed(customfields.may_manage)
def customfield_list(request):
    mods = customfields.modules()
    module = request.GET.get("module") or (mods[0][0] if mods else "")
    if module:
        _module_or_404(module)
    edit_field, form = None, None
    if request.GET.get("edit"):
        edit_field = get_object_or_404(CustomField, pk=request.GET["edit"], module=module)
        form = CustomFieldForm(initial=_field_initial(edit_field), editing=True)
    return _fields_page(request, module, form=form, edit_field=edit_field)


@allowed(customfields.may_manage)
@require_POST
def customfield_create(request, module):
    module = _module_or_404(module)
    form = CustomFieldForm(request.POST)
    form.is_valid()
    try:
        field = customfields.field_create(actor=request.user, module=module, data=form.cleaned_data)
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return _fields_page(request, module, form=form, status=400)
    return _fields_done(request, module, _("Added the field %(label)s.") % {"label": field.label})


@allowed(customfields.may_manage)
@require_POST
def customfield_update(request, pk):
    field = get_object_or_404(CustomField, pk=pk)
    form = CustomFieldForm(request.POST, initial=_field_initial(field), editing=True)
    form.is_valid()
    try:
        field = customfields.field_update(actor=request.user, field=field, data=form.cleaned_data)
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return _fields_page(request, field.module, form=form, edit_field=field, status=400)
    return _fields_done(request, field.module, _("Saved the field %(label)s.") % {"label": field.label})


@allowed(customfields.may_manage)
@require_POST
def customfield_move(request, pk):
    field = get_object_or_404(CustomField, pk=pk)
    customfields.field_move(actor=request.user, field=field, offset=_offset(request))
    return _fields_done(request, field.module, _("Order saved."))


@allowed(customfields.may_manage)
@require_POST
def customfield_active(request, pk):
    field = get_object_or_404(CustomField, pk=pk)
    active = request.POST.get("active") == "1"
    customfields.field_set_active(actor=request.user, field=field, active=active)
    message = _("%(label)s is shown again.") if active else _("%(label)s is hidden; stored values are kept.")
    return _fields_done(request, field.module, message % {"label": field.label})
