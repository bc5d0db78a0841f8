"""Forms of the marketing pages. Rules live in the services; these only parse and show input."""

from __future__ import annotations

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import autocomplete
from core.models import LookupItem
from customers.models import Customer, Region
from org.models import Department
from org.selectors import working_users

from .models import LeadTeam, WebForm
from .webform import HONEYPOT


class TablerForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                widget.attrs.setdefault("class", "form-check-input")
                continue
            if isinstance(field, CaptchaField):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


def _lookups(kind: str):
    return LookupItem.objects.filter(kind=kind, active=True).order_by("sort", "id")


class LoseForm(TablerForm):
    reason = forms.ModelChoiceField(label=_("Lost reason"), queryset=LookupItem.objects.none())
    note = forms.CharField(label=_("Note"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("Note (optional)")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = _lookups("lead_lost_reason")


class ConvertForm(TablerForm):
    """The conversion page: a new customer or an existing one, the contact, and an optional opportunity."""

    MODE_CHOICES = (("new", _("Create a new customer")), ("existing", _("Add to an existing customer")))

    mode = forms.ChoiceField(label=_("Customer"), choices=MODE_CHOICES, widget=forms.RadioSelect, initial="new")
    customer_name = forms.CharField(label=_("customer name"), max_length=120, required=False)
    customer_phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    province = forms.ModelChoiceField(label=_("province"), queryset=Region.objects.filter(level=1), required=False)
    city = forms.ModelChoiceField(label=_("city"), queryset=Region.objects.filter(level=2), required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    industry = forms.ModelChoiceField(label=_("industry"), queryset=LookupItem.objects.none(), required=False)
    source = forms.ModelChoiceField(label=_("source"), queryset=LookupItem.objects.none(), required=False)
    confirm_duplicates = forms.BooleanField(label=_("Create it although similar customers exist"), required=False)
    existing = forms.ModelChoiceField(label=_("Existing customer"), queryset=Customer.objects.none(), required=False)
    contact_name = forms.CharField(label=_("contact name"), max_length=60)
    contact_title = forms.CharField(label=pgettext_lazy("job", "title"), max_length=60, required=False)
    contact_mobile = forms.CharField(label=_("mobile"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("email"), required=False)
    contact_wechat = forms.CharField(label=_("WeChat"), max_length=60, required=False)
    create_opportunity = forms.BooleanField(label=_("Create an opportunity"), required=False, initial=True)
    subject = forms.CharField(label=_("subject"), max_length=200, required=False)
    expected_amount = forms.DecimalField(label=_("expected amount"), max_digits=14, decimal_places=2, min_value=0,
                                         required=False)
    stage = forms.ModelChoiceField(label=_("sales stage"), queryset=LookupItem.objects.none(), required=False)
    planned_close = forms.DateField(label=_("planned close"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, may_opportunity: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = _lookups("industry")
        self.fields["source"].queryset = _lookups("customer_source")
        self.fields["stage"].queryset = _lookups("sales_stage")
        from core import access

        # Only customers the user may change can take a new contact; searched as you type.
        field = self.fields["existing"]
        field.queryset = access.visible_to(user, "update", Customer)
        widget = autocomplete.widget_for(Customer, multiple=False)
        widget.choices = field.choices
        field.widget = widget
        if not may_opportunity:
            for name in ("create_opportunity", "subject", "expected_amount", "stage", "planned_close"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("mode") == "existing" and not data.get("existing"):
            self.add_error("existing", _("Choose the customer."))
        if data.get("mode") == "new" and not data.get("customer_name"):
            self.add_error("customer_name", _("Enter the customer's name."))
        if data.get("create_opportunity") and not data.get("subject"):
            self.add_error("subject", _("Enter the opportunity's subject."))
        return data


class TeamForm(TablerForm):
    name = forms.CharField(label=_("name"), max_length=80)
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.filter(active=True),
                                        required=False,
                                        help_text=_("Its working members, and those of its sub-departments, take turns."))
    members = forms.ModelMultipleChoiceField(
        label=_("members"), queryset=working_users().order_by("department__path", "id"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("When chosen, only these people take turns (the department is ignored)."))
    active = forms.BooleanField(label=_("active"), required=False, initial=True)


class WebFormAdminForm(TablerForm):
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=120)
    slug = forms.CharField(label=_("address key"), max_length=50,
                           help_text=_("Part of the public address: /marketing/web-form/<key>/"))
    intro = forms.CharField(label=_("introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    fields = forms.MultipleChoiceField(label=_("fields"), choices=WebForm.FIELD_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    required = forms.MultipleChoiceField(label=_("required fields"), choices=WebForm.FIELD_CHOICES, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    team = forms.ModelChoiceField(label=_("route to team"), queryset=LeadTeam.objects.filter(active=True),
                                  required=False,
                                  help_text=_("Leads are handed out in turn to this team; empty: they wait in the pool."))
    source = forms.ModelChoiceField(label=_("source"), queryset=LookupItem.objects.none(), required=False)
    campaign = forms.CharField(label=_("campaign"), max_length=120, required=False)
    thank_you = forms.CharField(label=_("thank-you text"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    hourly_limit = forms.IntegerField(label=_("submissions per address and hour"), min_value=1, max_value=1000,
                                      initial=5)
    active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = _lookups("customer_source")


def public_form_class(web_form: WebForm, *, with_captcha: bool):
    """The visitor's form: contact name plus the fields the web form asks for, a honeypot and the stamp."""
    labels = dict(WebForm.FIELD_CHOICES)
    fields: dict[str, forms.Field] = {
        "contact_name": forms.CharField(label=_("Your name"), max_length=60,
                                        widget=forms.TextInput(attrs={"autocomplete": "name"})),
    }
    for name in web_form.fields:
        required = name in web_form.required
        if name == "email":
            field = forms.EmailField(label=labels[name], required=required,
                                     widget=forms.EmailInput(attrs={"autocomplete": "email"}))
        elif name == "requirement":
            field = forms.CharField(label=labels[name], required=required, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 4}))
        elif name in ("mobile", "phone"):
            field = forms.CharField(label=labels[name], required=required, max_length=40,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        else:
            field = forms.CharField(label=labels[name], required=required,
                                    max_length=200 if name == "address" else (120 if name == "company" else 60))
        fields[name] = field
    # A field people never see: robots fill in everything.
    fields[HONEYPOT] = forms.CharField(required=False, label=_("Leave this empty"),
                                       widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    fields["stamp"] = forms.CharField(widget=forms.HiddenInput, required=False)
    if with_captcha:
        fields["captcha"] = CaptchaField(
            label=_("Captcha"), error_messages={"invalid": _("Wrong captcha, please try again."),
                                                "required": _("Enter the characters shown in the picture.")},
            widget=CaptchaTextInput(attrs={"class": "form-control", "autocomplete": "off", "maxlength": 8}))
    return type("PublicLeadForm", (TablerForm,), fields)
