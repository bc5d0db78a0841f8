"""The customer form: the generated record form plus cascading region selects and the live duplicate check."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forms import form_class_for

from .models import Region, Tag

DUP_FIELDS = ("name", "phone", "credit_code")


def _value(form, name: str):
    """The submitted value of a field, or the instance's when the form is not bound."""
    if form.is_bound:
        return form.data.get(form.add_prefix(name)) or None
    if name in form.initial:
        value = form.initial[name]
        return getattr(value, "pk", value) or None
    return getattr(form.instance, f"{name}_id", None)


def customer_form_class(ui, user, *, creating: bool):
    base = form_class_for(ui, user, creating=creating)

    class CustomerForm(base):
        confirm_duplicates = forms.BooleanField(
            required=False, label=_("I have checked the similar customers above; save anyway"))

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.show_confirm = False
            if not creating:
                del self.fields["confirm_duplicates"]
            self._narrow_regions()
            if "tags" in self.fields:
                self.fields["tags"].queryset = Tag.objects.all()
                self.fields["tags"].widget.attrs.update({"size": 4})
            if "collaborators" in self.fields:
                from org.models import User

                self.fields["collaborators"].queryset = User.objects.filter(is_active=True).order_by("id")
                self.fields["collaborators"].widget.attrs.update({"size": 4})
            if "parent" in self.fields and self.instance.pk:
                self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(pk=self.instance.pk)
            self._live_duplicate_check()

        def _narrow_regions(self):
            """Each region select offers the children of the one above it (the rest arrive by HTMX)."""
            options = reverse("customers:customer_region_options")
            province, city = _value(self, "province"), _value(self, "city")
            if "province" in self.fields:
                self.fields["province"].queryset = Region.objects.filter(level=Region.Level.PROVINCE)
                self.fields["province"].widget.attrs.update({
                    "hx-get": options, "hx-target": "#id_city", "hx-trigger": "change", "hx-swap": "innerHTML"})
            if "city" in self.fields:
                self.fields["city"].queryset = Region.objects.filter(level=Region.Level.CITY, parent_id=province)
                self.fields["city"].widget.attrs.update({
                    "hx-get": options, "hx-target": "#id_district", "hx-trigger": "change", "hx-swap": "innerHTML"})
            if "district" in self.fields:
                self.fields["district"].queryset = Region.objects.filter(level=Region.Level.DISTRICT, parent_id=city)

        def _live_duplicate_check(self):
            url = reverse("customers:customer_duplicates")
            if self.instance.pk:
                url += f"?exclude={self.instance.pk}"
            names = [n for n in DUP_FIELDS if n in self.fields]
            for name in names:
                self.fields[name].widget.attrs.update({
                    "hx-get": url, "hx-trigger": "input changed delay:600ms, change",
                    "hx-target": "#customer-duplicates", "hx-swap": "innerHTML",
                    "hx-include": ", ".join(f"[name='{n}']" for n in names),
                })

        def model_values(self) -> dict:
            values = super().model_values()
            if self.cleaned_data.get("confirm_duplicates"):
                values["confirm_duplicates"] = True
            return values

    return CustomerForm
