"""Follow-up pages: create/edit with attachments, detail with attachments and comments (批复), the
attachment download, and the salesperson's list of follow-ups due. Thin: gate → form → service."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import access, crud
from core.forms import form_class_for

from . import services_followup
from .models import Contact, Customer, FollowUp, FollowUpAttachment, FollowUpComment
from .uploads import MAX_SIZE, allowed_text

DUE_WINDOWS = {"overdue": -1, "today": 0, "week": 7, "month": 30}
# Timeline icons by contact method code (basic data "contact_method"); others get a speech bubble.
METHOD_ICONS = {"visit": "walk", "phone": "phone", "wechat": "brand-wechat", "email": "mail", "sms": "message",
                "video": "video"}


# ---- forms -----------------------------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; checked by the service (type, content, size), not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _customer_id(form) -> int | None:
    raw = form.data.get("customer") if form.is_bound else form.initial.get("customer")
    raw = raw or getattr(form.instance, "customer_id", None)
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def followup_form_class(ui, user, *, creating: bool):
    base = form_class_for(ui, user, creating=creating)

    class FollowUpForm(base):
        attachments = MultipleFileField(
            label=gettext_lazy("Attachments"), required=False,
            help_text=gettext_lazy("Pictures, PDF, Office or text files, at most 10 MB each."))

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "contact" in self.fields:
                # Only the contacts of the chosen customer (the gate already limits the list).
                customer_id = _customer_id(self)
                field = self.fields["contact"]
                # A customer's few contacts: a plain select, refilled by HTMX when the customer changes.
                field.widget = forms.Select(attrs={"class": "form-select"})
                field.queryset = field.queryset.filter(customer_id=customer_id) if customer_id else field.queryset.none()
            if "customer" in self.fields:
                if creating:
                    self.fields["customer"].widget.attrs.update({
                        "hx-get": reverse("customers:followup_contact_options"), "hx-target": "#id_contact",
                        "hx-trigger": "change", "hx-swap": "innerHTML"})
                else:
                    self.fields["customer"].disabled = True  # a follow-up stays with its customer

    return FollowUpForm


class _FollowUpFormMixin:
    template_name = "customers/followup_form.html"
    saved = None

    def handle(self, form, instance):
        response = super().handle(form, instance)
        if self.saved is not None and response.status_code == 302:
            # Back to where the salesperson works: the customer's timeline.
            return HttpResponseRedirect(reverse("customers:customer_360", args=[self.saved.customer_id]) + "?tab=followups")
        return response


class FollowUpCreatePage(_FollowUpFormMixin, crud.CreatePage):
    def get(self, request):
        form = followup_form_class(self.ui, request.user, creating=True)(initial=request.GET.dict())
        return self.render_form(form)

    def post(self, request):
        form = followup_form_class(self.ui, request.user, creating=True)(request.POST, request.FILES)
        return self.handle(form, None)

    def save(self, form, instance):
        self.saved = self.ui.create(actor=self.request.user, data=form.model_values(), custom=form.custom_values(),
                                    files=form.cleaned_data.get("attachments") or [])
        return self.saved


class FollowUpUpdatePage(_FollowUpFormMixin, crud.UpdatePage):
    def get(self, request, pk):
        instance = self.get_object("update")
        return self.render_form(followup_form_class(self.ui, request.user, creating=False)(instance=instance), instance)

    def post(self, request, pk):
        instance = self.get_object("update")
        form = followup_form_class(self.ui, request.user, creating=False)(request.POST, request.FILES,
                                                                          instance=self.get_object("update"))
        return self.handle(form, instance)

    def save(self, form, instance):
        files = form.cleaned_data.get("attachments") or []
        # One bad file refuses the whole save, the edit included.
        with transaction.atomic():
            saved = super().save(form, instance)
            if files:
                services_followup.attachments_add(actor=self.request.user, followup=saved, files=files)
        self.saved = saved
        return saved


@login_required
@require_GET
def contact_options(request):
    """The <option>s of the contact field for the chosen customer (HTMX)."""
    try:
        customer_id = int(request.GET.get("customer") or 0)
    except ValueError:
        customer_id = 0
    contacts = access.visible_to(request.user, "read", Contact).filter(customer_id=customer_id).order_by("name", "id")
    return render(request, "customers/followup_form.html#contact_options", {"contacts": contacts})


# ---- detail, history ---------------------------------------------------------------------------------

def _may(user, action: str, model, pk) -> bool:
    return access.visible_to(user, action, model).filter(pk=pk).exists()


def detail_context(request, followup: FollowUp) -> dict:
    user = request.user
    may_update_customer = _may(user, "update", Customer, followup.customer_id)
    return {
        "attachments": list(followup.attachments.all()),
        "comments": list(followup.comments.select_related("author")),
        "may_comment": services_followup.may_comment(user, followup, may_update_customer=may_update_customer),
        "may_attach": may_update_customer,
        "max_size": MAX_SIZE, "allowed_text": allowed_text(),
    }


class FollowUpDetailPage(crud.UIView):
    template_name = "customers/followup_detail.html"

    def get(self, request, pk):
        followup = access.get_visible(request.user, "read", self.ui.queryset(request.user).select_related("created_by"), pk=pk)
        return render(request, self.template_name, self.base_context(
            object=followup, rows=crud.detail_rows(self.ui, request.user, followup),
            may_update=_may(request.user, "update", FollowUp, pk), may_delete=_may(request.user, "delete", FollowUp, pk),
            may_print=access.can(request.user, "print", FollowUp), may_share=False,
            **detail_context(request, followup)))


# ---- attachments and comments ------------------------------------------------------------------------

def _visible_followup(user, action: str, pk) -> FollowUp:
    return access.get_visible(user, action, FollowUp.objects.select_related("customer", "created_by"), pk=pk)


@login_required
@require_POST
def attachments_upload(request, pk):
    followup = _visible_followup(request.user, "update", pk)
    try:
        saved = services_followup.attachments_add(actor=request.user, followup=followup, files=request.FILES.getlist("files"))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s attachments added.") % {"n": len(saved)})
    return HttpResponseRedirect(reverse("customers:followup_detail", args=[pk]))


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = _attachment(request.user, pk)
    try:
        services_followup.attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("The attachment was removed."))
    return HttpResponseRedirect(reverse("customers:followup_detail", args=[attachment.followup_id]))


def _attachment(user, pk) -> FollowUpAttachment:
    row = FollowUpAttachment.objects.filter(pk=pk, followup__in=access.visible_to(user, "read", FollowUp)).first()
    if row is None:
        raise Http404(_("Record not found."))
    return row


@login_required
@require_GET
def attachment_download(request, pk):
    """The file of an attachment, to users who may read its follow-up. Only pictures open inline."""
    row = _attachment(request.user, pk)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(handle, as_attachment=not row.is_image, filename=row.name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def comment_post(request, pk):
    """Add a comment (批复); answers the comments block (HTMX) or goes back to the follow-up."""
    followup = _visible_followup(request.user, "read", pk)
    error = ""
    try:
        services_followup.comment_add(actor=request.user, followup=followup, body=request.POST.get("body", ""))
    except ValidationError as exc:
        error = "; ".join(exc.messages)
    except PermissionDenied as exc:
        error = str(exc)
    if request.htmx:
        comments = list(FollowUpComment.objects.filter(followup=followup).select_related("author"))
        return render(request, "customers/followup_detail.html#comments",
                      {"object": followup, "comments": comments, "comment_error": error,
                       "may_comment": services_followup.may_comment(request.user, followup)},
                      status=200)  # htmx swaps only 2xx answers; the error shows in the block
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(reverse("customers:followup_detail", args=[pk]))


# ---- follow-ups due ----------------------------------------------------------------------------------

@login_required
@require_GET
def due_followups(request):
    """Customers whose next follow-up is due or overdue: the user's own, or all they can see."""
    user = request.user
    access.require(user, "read", Customer)
    when = request.GET.get("when") if request.GET.get("when") in DUE_WINDOWS else "week"
    whose = "all" if request.GET.get("whose") == "all" else "mine"
    today = timezone.localdate()
    rows = access.visible_to(user, "read", Customer).filter(next_followup_on__isnull=False)
    if whose == "mine":
        rows = rows.filter(owner=user)
    if when == "overdue":
        rows = rows.filter(next_followup_on__lt=today)
    else:
        rows = rows.filter(next_followup_on__lte=today + timedelta(days=DUE_WINDOWS[when]))
    rows = rows.select_related("level", "owner").order_by("next_followup_on", "id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for customer in page.object_list:
        customer.days_late = (today - customer.next_followup_on).days
    return render(request, "customers/followup_due.html", {
        "page": page, "when": when, "whose": whose, "windows": [
            ("overdue", _("Overdue")), ("today", _("Due by today")), ("week", _("Next 7 days")), ("month", _("Next 30 days"))],
        "may_add": access.can(user, "create", FollowUp), "today": today,
    })


def timeline_queryset(user, customer):
    """The follow-ups of a customer the user may see, newest first, with what the timeline shows."""
    return (access.visible_to(user, "read", FollowUp).filter(customer=customer)
            .select_related("method", "contact", "created_by")
            .prefetch_related("attachments", Prefetch("comments", queryset=FollowUpComment.objects.select_related("author"))))
