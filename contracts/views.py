"""Contract/order detail pages with their actions (approve, lines, plan, documents) and the receivable
page with its "Record receipt" form. Thin: gate → service → redirect with the service's refusal shown."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import access, crud
from core.models import LookupItem
from products.models import Product, Unit

from . import attachments, receipts, services
from .models import Contract, DocumentStatus, Order, Receipt, Receivable
from .ui import STATUS_BADGE

MODELS = {"contract": Contract, "order": Order}


def _refusal(request, exc) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc) or _("Refused.")]))


def _may(user, action, model, pk) -> bool:
    return access.visible_to(user, action, model).filter(pk=pk).exists()


class DocumentDetailPage(crud.DetailPage):
    template_name = "contracts/document_detail.html"

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        doc = extra.get("object")
        if doc is None:
            return ctx
        user = self.request.user
        kind = doc._meta.model_name
        ctx.update(
            kind=kind, badge=STATUS_BADGE.get(doc.status, ""),
            lines=list(doc.lines.select_related("product", "unit")), plan=list(doc.plan.all()),
            receivables=list(access.visible_to(user, "read", Receivable).filter(**{kind: doc})),
            receipts=list(access.visible_to(user, "read", Receipt).filter(**{f"receivable__{kind}": doc})
                          .select_related("method")),
            attachments=list(doc.attachments.all()) if kind == "contract" else [],
            draft=doc.status == DocumentStatus.DRAFT,
            products=list(access.visible_to(user, "read", Product).select_related("base_unit")[:500])
            if extra.get("may_update") else [],
            units=list(Unit.objects.filter(active=True)) if extra.get("may_update") else [],
            moves=[(s, DocumentStatus(s).label) for s in services.MOVES.get(doc.status, ())],
        )
        return ctx


def _document(request, kind: str, pk: int, action: str = "update"):
    model = MODELS.get(kind)
    if model is None:
        from django.http import Http404

        raise Http404
    return access.get_visible(request.user, action, model, pk=pk)


def _back(kind: str, pk: int):
    return HttpResponseRedirect(f"/contracts/{kind}/{pk}/")


@login_required
@require_POST
def document_action(request, kind: str, pk: int, what: str):
    """approve / unapprove / status: the button forms of the detail page."""
    doc = _document(request, kind, pk)
    try:
        if what == "approve":
            services.document_approve(actor=request.user, instance=doc)
            messages.success(request, _("Approved; its receivables were generated."))
        elif what == "unapprove":
            services.document_unapprove(actor=request.user, instance=doc)
            messages.success(request, _("Back to draft."))
        else:
            services.document_set_status(actor=request.user, instance=doc, status=request.POST.get("status", ""))
            messages.success(request, _("The status was changed."))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return _back(kind, pk)


def _current_lines(doc) -> list[dict]:
    return [{"product": li.product_id, "unit": li.unit_id, "quantity": li.quantity, "price": li.price,
             "discount": li.discount, "tax_rate": li.tax_rate} for li in doc.lines.all()]


def _current_plan(doc) -> list[dict]:
    return [{"due_date": p.due_date, "amount": p.amount} for p in doc.plan.all()]


class PlanForm(forms.Form):
    due_date = forms.DateField(label=gettext_lazy("due date"))
    amount = forms.DecimalField(label=gettext_lazy("amount"), max_digits=14, decimal_places=2, min_value=0.01)


@login_required
@require_POST
def document_lines(request, kind: str, pk: int):
    """Add a line (product, unit, quantity, price, discount, tax) or remove line ``remove`` of a draft."""
    doc = _document(request, kind, pk)
    lines = _current_lines(doc)
    remove = request.POST.get("remove")
    if remove:
        ids = [li.pk for li in doc.lines.all()]
        lines = [row for li_id, row in zip(ids, lines, strict=True) if str(li_id) != remove]
    else:
        lines.append({key: request.POST.get(key) or None
                      for key in ("product", "unit", "quantity", "price", "discount", "tax_rate")})
    try:
        services.document_update(actor=request.user, instance=doc, data={}, lines=lines)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return _back(kind, pk)


@login_required
@require_POST
def document_plan(request, kind: str, pk: int):
    """Add a plan period, or remove period ``remove`` (the periods are renumbered in order)."""
    doc = _document(request, kind, pk)
    plan = _current_plan(doc)
    remove = request.POST.get("remove")
    if remove:
        plan = [row for number, row in enumerate(plan, start=1) if str(number) != remove]
    else:
        form = PlanForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(m for msgs in form.errors.values() for m in msgs))
            return _back(kind, pk)
        plan.append(form.cleaned_data)
        plan.sort(key=lambda row: row["due_date"])
    try:
        services.document_update(actor=request.user, instance=doc, data={}, plan=plan)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return _back(kind, pk)


@login_required
@require_POST
def attachment_upload(request, pk: int):
    contract = _document(request, "contract", pk)
    try:
        for upload in request.FILES.getlist("files"):
            attachments.attachment_add(actor=request.user, contract=contract, upload=upload)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return _back("contract", pk)


@login_required
@require_POST
def attachment_delete(request, pk: int):
    row = attachments.attachment_for_download(user=request.user, attachment_id=pk)
    attachments.attachment_remove(actor=request.user, attachment_id=pk)
    return _back("contract", row.contract_id)


@login_required
def attachment_download(request, pk: int):
    row = attachments.attachment_for_download(user=request.user, attachment_id=pk)
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(row.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ReceiptForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("amount"), max_digits=14, decimal_places=2)
    date = forms.DateField(label=gettext_lazy("date"))
    method = forms.ModelChoiceField(label=gettext_lazy("payment method"), required=False,
                                    queryset=LookupItem.objects.filter(kind="payment_method", active=True),
                                    widget=forms.Select(attrs={"class": "form-select"}))
    notes = forms.CharField(label=gettext_lazy("notes"), required=False, max_length=500)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ReceiptDetailPage(crud.DetailPage):
    """A receipt is never edited or deleted by hand: its receivable's balance depends on it."""

    def base_context(self, **extra):
        return {**super().base_context(**extra), "may_update": False, "may_delete": False}


class ReceivableDetailPage(crud.DetailPage):
    template_name = "contracts/receivable_detail.html"

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        receivable = extra.get("object")
        if receivable is None:
            return ctx
        # A fresh key per rendered form: a double click sends it twice and records one receipt.
        form = ReceiptForm(initial={"amount": receivable.balance, "date": timezone.localdate(),
                                    "idempotency_key": uuid.uuid4().hex})
        # Edit and delete are not offered: a receivable changes only through receipts and approvals.
        ctx.update(badge=STATUS_BADGE.get(receivable.status, ""), form=form,
                   receipts=list(receivable.receipts.select_related("method", "created_by")),
                   may_receive=extra.get("may_update") and receivable.balance > 0,
                   may_update=False, may_delete=False)
        return ctx


@login_required
@require_POST
def receipt_record(request, pk: int):
    receivable = access.get_visible(request.user, "update", Receivable, pk=pk)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for msgs in form.errors.values() for m in msgs))
    else:
        try:
            receipts.receipt_post(actor=request.user, receivable=receivable, **form.cleaned_data)
            messages.success(request, _("The receipt was recorded."))
        except (ValidationError, PermissionDenied) as exc:
            _refusal(request, exc)
    return HttpResponseRedirect(f"/contracts/receivable/{pk}/")
