from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Department, Role, User


class _Styled:
    def _style(self):
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                continue
            w.attrs.setdefault("class", "form-select" if isinstance(w, forms.Select) else "form-control")


class DepartmentForm(_Styled, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    parent = forms.ModelChoiceField(label=_("Parent department"), queryset=Department.objects.all(), required=False)
    manager = forms.ModelChoiceField(label=_("Department head"), queryset=User.objects.filter(is_active=True), required=False)
    sort = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].label_from_instance = lambda d: f"{'　' * d.depth}{d.name}"
        self._style()


class UserForm(_Styled, forms.ModelForm):
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput(render_value=False), required=False,
                               help_text=_("The user must change it at first login."))

    class Meta:
        model = User
        fields = ["username", "last_name", "first_name", "email", "phone", "department", "title", "superior", "roles", "is_staff"]
        widgets = {"roles": forms.CheckboxSelectMultiple}
        labels = {"last_name": _("Family name"), "first_name": _("Given name"), "is_staff": _("System administrator")}

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.fields["password"].required = creating
        if not creating:
            del self.fields["password"]
        self.fields["department"].label_from_instance = lambda d: f"{'　' * d.depth}{d.name}"
        self._style()

    def _post_clean(self):
        # Validation that must always hold runs in the service; skip ModelForm's own instance validation.
        pass


class LeaveForm(_Styled, forms.Form):
    transfer_to = forms.ModelChoiceField(label=_("Hand records over to"), queryset=User.objects.filter(is_active=True), required=False)
    release_to_pool = forms.BooleanField(label=_("Release customers to the public pool"), required=False)

    def __init__(self, *args, leaving: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transfer_to"].queryset = User.objects.filter(is_active=True).exclude(pk=leaving.pk)
        self._style()


class PasswordResetForm(_Styled, forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    must_change = forms.BooleanField(label=_("Must change at next login"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class RoleForm(_Styled, forms.ModelForm):
    class Meta:
        model = Role
        fields = ["name", "code", "description", "can_backup", "ip_allowlist"]
        widgets = {"ip_allowlist": forms.Textarea(attrs={"rows": 3, "placeholder": "192.168.1.0/24"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def _post_clean(self):
        pass
