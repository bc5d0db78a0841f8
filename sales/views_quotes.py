"""Quote pages: detail with lines and totals, create/edit with line rows, workflow buttons, PDF,
and the company template editor (administrators). Thin: every write goes through services_quotes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import access, audit
from core.audit import Action
from core.basedata import may_manage
from core.services import StaleVersion
from products.models import Product, Unit

from . import quote_pdf, services_quotes
from .amount_words import amount_in_words
from .models import ContactRecord, MaintenanceRecord, Quote, QuoteTemplate


class QuoteForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("code"), required=False, max_length=40,
                           help_text=gettext_lazy("Leave empty to number it by the numbering rule."))
    valid_until = forms.DateField(label=gettext_lazy("valid until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=gettext_lazy("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LineForm(forms.Form):
    product = forms.ModelChoiceField(label=gettext_lazy("product"), queryset=Product.objects.none())
    unit = forms.ModelChoiceField(label=gettext_lazy("unit"), queryset=Unit.objects.filter(active=True), required=False)
    quantity = forms.DecimalField(label=gettext_lazy("quantity"), max_digits=14, decimal_places=4)
    unit_price = forms.DecimalField(label=gettext_lazy("unit price"), max_digits=16, decimal_places=4)
    discount = forms.DecimalField(label=gettext_lazy("discount (%)"), max_digits=5, decimal_places=2, required=False)
    tax_rate = forms.DecimalField(label=gettext_lazy("tax rate (%)"), max_digits=5, decimal_places=2, required=False)


LineFormSet = forms.formset_factory(LineForm, extra=1, can_delete=True)


def _style(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


def _formset(user, *args, **kwargs):
    formset = LineFormSet(*args, prefix="lines", **kwargs)
    products = access.visible_to(user, "read", Product).order_by("code", "id")
    for form in [*formset.forms, formset.empty_form]:
        form.fields["product"].queryset = products
        _style(form)
    return formset


def _record(request):
    for key, model in (("contact_record", ContactRecord), ("maintenance_record", MaintenanceRecord)):
        if request.GET.get(key):
            return key, access.get_visible(request.user, "read", model, pk=request.GET[key])
    raise Http404(_("Record not found."))


@login_required
def detail(request, pk):
    quote = access.get_visible(request.user, "read", Quote.objects.select_related("customer", "owner"), pk=pk)
    return render(request, "sales/quotes/detail.html", {
        "quote": quote, "lines": quote.lines.select_related("product", "unit"),
        "words": amount_in_words(quote.grand_total),
        "may_update": access.visible_to(request.user, "update", Quote).filter(pk=pk).exists(),
        "may_approve": quote.status == Quote.Status.PENDING and services_quotes.may_approve(request.user, quote),
        "history": audit.history_for(quote)[:20],
    })


@login_required
def edit(request, pk=None):
    quote = access.get_visible(request.user, "update", Quote, pk=pk) if pk else None
    field, record = (None, None) if quote else _record(request)
    if request.method == "POST":
        form, formset = QuoteForm(request.POST), _formset(request.user, request.POST)
        if form.is_valid() and formset.is_valid():
            lines = [{k: v for k, v in f.cleaned_data.items() if k != "DELETE" and v not in (None, "")}
                     for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            try:
                if quote:
                    quote = services_quotes.quote_update(actor=request.user, instance=quote, data=form.cleaned_data,
                                                         lines=lines, expected_version=request.POST.get("version"))
                else:
                    quote = services_quotes.quote_create(actor=request.user, lines=lines,
                                                         data={**form.cleaned_data, field: record})
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("sales:quote_detail", args=[quote.pk]))
            except StaleVersion:
                form.add_error(None, _("Someone else changed this record meanwhile; reload and try again."))
            except (ValidationError, PermissionDenied) as exc:
                for message in getattr(exc, "messages", [str(exc)]):
                    form.add_error(None, message)
    elif quote:
        form = QuoteForm(initial={"code": quote.code, "valid_until": quote.valid_until, "notes": quote.notes})
        formset = _formset(request.user, initial=[
            {"product": ln.product_id, "unit": ln.unit_id, "quantity": ln.quantity_plain,
             "unit_price": ln.unit_price_plain, "discount": ln.discount, "tax_rate": ln.tax_rate}
            for ln in quote.lines.all()])
    else:
        form, formset = QuoteForm(), _formset(request.user)
    _style(form)
    return render(request, "sales/quotes/form.html", {"form": form, "formset": formset, "quote": quote,
                                                      "record": record})


ACTIONS = {"submit": services_quotes.quote_submit, "send": services_quotes.quote_send,
           "approve": services_quotes.quote_approve, "reject": services_quotes.quote_reject,
           "delete": services_quotes.quote_delete}


@login_required
@require_POST
def action(request, pk, name):
    if name not in ACTIONS:
        raise Http404
    quote = access.get_visible(request.user, "read", Quote, pk=pk)
    kwargs = {"note": request.POST.get("note", "")} if name in ("approve", "reject") else {}
    try:
        ACTIONS[name](actor=request.user, instance=quote, **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Done."))
        if name == "delete":
            return HttpResponseRedirect(reverse("sales:quote_list"))
    return HttpResponseRedirect(reverse("sales:quote_detail", args=[pk]))


@login_required
def pdf(request, pk):
    quote = access.get_visible(request.user, "print", Quote.objects.select_related("customer", "owner"), pk=pk)
    data = quote_pdf.render_pdf(quote)
    audit.log(actor=request.user, action=Action.PRINT, instance=quote, message=_("Quote PDF"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.code or quote.pk}.pdf"'
    return response


class TemplateForm(forms.ModelForm):
    class Meta:
        model = QuoteTemplate
        fields = ["company_name", "address", "phone", "logo", "header", "footer", "terms", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "class": "font-monospace"})}

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            quote_pdf.validate_body(body)
        except TemplateSyntaxError as exc:
            raise ValidationError(_("The template has an error: %(error)s") % {"error": exc}) from None
        return body


@login_required
def template_edit(request):
    if not may_manage(request.user):
        raise Http404
    instance = quote_pdf.current_template()
    form = TemplateForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        before = audit.snapshot(instance) if instance.pk else {}
        saved = form.save()
        audit.log(actor=request.user, action=Action.UPDATE, instance=saved,
                  changes=audit.diff(before, audit.snapshot(saved)), message=_("Quote template"))
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("sales:quote_template"))
    _style(form)
    return render(request, "sales/quotes/template.html", {"form": form})
