"""Forms of the login, password, two-factor, profile, login history and security policy pages."""

from __future__ import annotations

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import security
from .models import LoginRecord, SecurityPolicy, User


class TablerMixin:
    """Tabler classes on every widget, so templates can render fields as they are."""

    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.HiddenInput)):
                widget.attrs.setdefault("class", "form-check-input")
                continue
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(field, CaptchaField):
                widget.attrs.setdefault("class", "form-control")


class LoginForm(TablerMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, with_captcha: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_captcha:
            self.add_captcha()
        self._style()

    def add_captcha(self) -> None:
        """Also used after a failed attempt, so the page shown next asks for the captcha."""
        self.fields["captcha"] = CaptchaField(
            label=_("Captcha"), error_messages={"invalid": _("Wrong captcha, please try again."),
                                                "required": _("Enter the characters shown in the picture.")},
            widget=CaptchaTextInput(attrs={"class": "form-control", "autocomplete": "off", "maxlength": 8}))

    @property
    def captcha_failed(self) -> bool:
        return "captcha" in self.errors


class TotpLoginForm(TablerMixin, forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=8, widget=forms.TextInput(
        attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class PasswordChangeForm(TablerMixin, forms.Form):
    old_password = forms.CharField(label=_("Current password"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}))
    new_password1 = forms.CharField(label=_("New password"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("New password again"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["new_password1"].help_text = security.PolicyMinimumLengthValidator().get_help_text()
        self._style()

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise ValidationError(_("The current password is not correct."))
        return value

    def clean(self):
        data = super().clean()
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2:
            if new1 != new2:
                self.add_error("new_password2", _("The two passwords do not match."))
            elif new1 == data.get("old_password"):
                self.add_error("new_password1", _("Choose a password different from the current one."))
            else:
                try:
                    security.validate_new_password(new1, self.user)
                except ValidationError as exc:
                    self.add_error("new_password1", exc)
        return data


class TotpConfirmForm(TotpLoginForm):
    pass


class TotpDisableForm(TablerMixin, forms.Form):
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ProfileForm(TablerMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = list(security.PROFILE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class LoginHistoryFilter(TablerMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.order_by("username"), required=False)
    result = forms.ChoiceField(label=_("Result"), choices=[("", _("All results")), *LoginRecord.Result.choices], required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, see_all: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not see_all:
            # Someone who only sees their own history gets no way to name another user.
            del self.fields["user"]
        self._style()


class SecurityPolicyForm(TablerMixin, forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = list(security.POLICY_FIELDS)
        widgets = {"ip_allowlist": forms.Textarea(attrs={"rows": 4, "placeholder": "192.168.1.0/24\n203.0.113.7"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
