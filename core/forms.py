"""Building record forms that respect field permissions and carry custom fields and the version."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.forms import modelform_factory

from . import access, autocomplete, customfields


class RecordForm(forms.ModelForm):
    """Base for generated forms: Tabler classes, and the version the edit is based on."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
                continue
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


def _widget_for(db_field):
    from django.db import models

    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(db_field, models.DateTimeField):
        return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    if isinstance(db_field, models.TextField):
        return forms.Textarea(attrs={"rows": 3})
    return None


def form_class_for(ui, user, *, creating: bool):
    """A ModelForm for the UI's form fields minus hidden ones; read-only ones are disabled."""
    hidden = access.hidden_fields(user, ui.model)
    readonly = access.readonly_fields(user, ui.model)
    names = [name for name in ui.form_fields if name not in hidden]
    widgets = {}
    for name in names:
        widget = _widget_for(ui.model._meta.get_field(name))
        if widget is not None:
            widgets[name] = widget
    form_class = modelform_factory(ui.model, form=RecordForm, fields=names, widgets=widgets)

    class Form(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, user=user, **kwargs)
            if not creating:
                for name in names:
                    if name in readonly:
                        self.fields[name].disabled = True
            for fk_name, field in self.fields.items():
                qs = getattr(field, "queryset", None)
                if qs is None:
                    continue
                current = getattr(self.instance, f"{fk_name}_id", None) if self.instance.pk else None
                try:
                    access.spec_for(qs.model)
                except ImproperlyConfigured:
                    # Not gated (lookups, users): keep a value that was since deactivated selectable,
                    # so editing other fields of an old record still works.
                    if current is not None:
                        field.queryset = (qs | qs.model._default_manager.filter(pk=current)).distinct()
                    continue
                # Related choices go through the gate too: you can only link records you may see.
                field.queryset = access.visible_to(user, "read", qs)
                if autocomplete.has_autocomplete(qs.model):
                    # Tables that grow large are searched as you type, not rendered whole.
                    multiple = isinstance(field, forms.ModelMultipleChoiceField)
                    widget = autocomplete.widget_for(qs.model, multiple=multiple)
                    widget.is_required = field.required
                    field.widget = widget
                    widget.choices = field.choices
            for cf in customfields.definitions(ui.key):
                key = f"custom.{cf.code}"
                if key in hidden:
                    continue
                self.fields[key] = customfields.form_field(cf)
                if self.instance.pk:
                    self.fields[key].initial = (self.instance.custom or {}).get(cf.code)
                if not creating and key in readonly:
                    self.fields[key].disabled = True

        def custom_values(self) -> dict:
            return {name.split(".", 1)[1]: value for name, value in self.cleaned_data.items()
                    if name.startswith("custom.") and not self.fields[name].disabled}

        def model_values(self) -> dict:
            return {name: self.cleaned_data[name] for name in names
                    if name in self.cleaned_data and not self.fields[name].disabled}

    return Form
