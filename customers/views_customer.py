"""Customer pages beyond the generic ones: the sectioned form with region selects and duplicate check,
the detail page with tags and collaborators, the merge page, and the small HTMX endpoints."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from core import access, crud

from . import dedup, services
from .forms_customer import customer_form_class
from .models import Customer, Region
from .ui import CustomerUI


def _sections(form) -> list[tuple[str, list]]:
    """The form's visible fields grouped as CustomerUI.form_sections says; unlisted fields go first."""
    listed = {name for _title, names in CustomerUI.form_sections for name in names}
    sections = []
    for index, (title, names) in enumerate(CustomerUI.form_sections):
        fields = [form[n] for n in names if n in form.fields]
        if index == 0:
            fields += [form[n] for n in form.fields if n not in listed and n not in ("version", "confirm_duplicates")]
        if fields:
            sections.append((title, fields))
    return sections


class _CustomerFormMixin:
    template_name = "customers/customer_form.html"

    def form_class(self):
        return customer_form_class(self.ui, self.request.user, creating=self.creating)

    def render_form(self, form, instance=None, status=200):
        return render(self.request, self.template_name, self.base_context(
            form=form, object=instance, creating=self.creating, sections=_sections(form),
            duplicates=getattr(form, "duplicates", None)), status=status)

    def save(self, form, instance):
        try:
            return super().save(form, instance)
        except services.DuplicateFound as exc:
            form.show_confirm = True
            form.duplicates = [m.as_dict() for m in exc.matches]
            raise ValidationError(_("Similar customers exist. Check them, then tick the box below to save anyway.")) from None


class CustomerCreatePage(_CustomerFormMixin, crud.CreatePage):
    def get(self, request):
        form = self.form_class()(initial=request.GET.dict())
        return self.render_form(form)

    def post(self, request):
        return self.handle(self.form_class()(request.POST, request.FILES), None)


class CustomerUpdatePage(_CustomerFormMixin, crud.UpdatePage):
    def get(self, request, pk):
        instance = self.get_object("update")
        return self.render_form(self.form_class()(instance=instance), instance)

    def post(self, request, pk):
        instance = self.get_object("update")
        form = self.form_class()(request.POST, request.FILES, instance=self.get_object("update"))
        return self.handle(form, instance)


class CustomerDetailPage(crud.DetailPage):
    template_name = "customers/customer_detail.html"

    def get(self, request, pk):
        try:
            return super().get(request, pk)
        except Http404:
            # A customer in a public pool the user belongs to opens as its masked pool card.
            from .pools.selectors import claimable

            if claimable(request.user).filter(pk=pk).exists():
                return redirect("customers:pool_customer", pk=pk)
            raise

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        if extra.get("object") is not None:
            ctx.update(customer_detail_extra(self.request.user, extra["object"]))
        return ctx


def customer_detail_extra(user, customer) -> dict:
    """Tags, collaborators, subsidiaries and merged records for the detail page (subsidiaries through the gate)."""
    hidden = access.hidden_fields(user, Customer)
    visible = access.visible_to(user, "read", Customer)
    return {
        "tags": [] if "tags" in hidden else list(customer.tags.all()),
        "collaborators": [] if "collaborators" in hidden else list(customer.collaborators.all()),
        "subsidiaries": list(visible.filter(parent=customer).only("pk", "name", "code")[:50]),
        "merged_from": list(access.visible_to(user, "read", Customer.all_objects.filter(merged_into=customer))
                            .only("pk", "name", "code")[:50]),
        "may_merge": access.can(user, "delete", Customer)
        and access.visible_to(user, "update", Customer).filter(pk=customer.pk).exists(),
    }


@login_required
@require_GET
def duplicates(request):
    """The live duplicate check under the create/edit form (HTMX fragment)."""
    user = request.user
    if not (access.can(user, "create", Customer) or access.can(user, "update", Customer)):
        raise PermissionDenied
    exclude = [int(v) for v in request.GET.getlist("exclude") if v.isdigit()]
    if exclude and not access.visible_to(user, "update", Customer).filter(pk__in=exclude).exists():
        raise Http404(_("Record not found."))
    matches = dedup.find_duplicates(user=user, name=request.GET.get("name", "")[:120],
                                    phone=request.GET.get("phone", "")[:40],
                                    credit_code=request.GET.get("credit_code", "")[:40], exclude=exclude)
    return render(request, "customers/customer_form.html#duplicates",
                  {"duplicates": [m.as_dict() for m in matches]})


@login_required
@require_GET
def region_options(request):
    """<option>s of the cities of a province or the districts of a city, for the cascading selects."""
    province, city = request.GET.get("province"), request.GET.get("city")
    if city is not None:
        children = Region.objects.filter(parent_id=city, level=Region.Level.DISTRICT) if city else Region.objects.none()
        clear = None
    else:
        children = Region.objects.filter(parent_id=province, level=Region.Level.CITY) if province else Region.objects.none()
        clear = "id_district"  # a new province empties the district list too
    return render(request, "customers/customer_form.html#region_options",
                  {"options": children.only("code", "name"), "clear": clear})


@login_required
def find_duplicates_of(request, pk):
    """Duplicates of an existing customer, on its detail page (HTMX fragment)."""
    customer = access.get_visible(request.user, "read", Customer, pk=pk)
    hidden = access.hidden_fields(request.user, Customer)
    matches = dedup.find_duplicates(
        user=request.user, name=customer.name,
        phone="" if "phone" in hidden else customer.phone,
        credit_code="" if "credit_code" in hidden else customer.credit_code, exclude=[customer.pk])
    return render(request, "customers/customer_detail.html#duplicates",
                  {"duplicates": [m.as_dict() for m in matches], "object": customer})


# ---- merge ------------------------------------------------------------------------------------------

MAX_MERGE = 10


def _ids(params) -> list[int]:
    ids = []
    for raw in params.getlist("ids"):
        for part in str(raw).split(","):
            part = part.strip()
            if part:
                if not part.isdigit():
                    raise Http404(_("Record not found."))
                ids.append(int(part))
    return list(dict.fromkeys(ids))


def _display(customer, name: str):
    field = Customer._meta.get_field(name)
    if field.choices:
        return getattr(customer, f"get_{name}_display")()
    value = getattr(customer, name)
    return "" if value is None else value


def merge_rows(user, customers: list[Customer], survivor: Customer) -> list[dict]:
    """One row per field the user may choose, where the customers differ; the default keeps the
    survivor's value unless it is empty and another customer has one."""
    hidden = access.hidden_fields(user, Customer)
    readonly = access.readonly_fields(user, Customer)
    rows = []
    for name in services.MERGE_FIELDS:
        if name in hidden or name in readonly:
            continue
        values = [(c, _display(c, name)) for c in customers]
        if len({str(v) for _c, v in values}) < 2:
            continue
        chosen = survivor.pk
        if _display(survivor, name) in ("", None):
            chosen = next((c.pk for c, v in values if v not in ("", None)), survivor.pk)
        rows.append({"name": name, "label": Customer._meta.get_field(name).verbose_name, "chosen": chosen,
                     "cells": [{"pk": c.pk, "value": v} for c, v in values]})
    return rows


class MergePage(crud.UIView):
    """Choose the survivor and the values to keep, then merge (needs update on it, delete on the others)."""

    ui = CustomerUI

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (access.can(request.user, "update", Customer)
                                                  and access.can(request.user, "delete", Customer)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _load(self, ids: list[int]) -> list[Customer]:
        rows = list(access.visible_to(self.request.user, "read", Customer).filter(pk__in=ids)
                    .select_related("owner", "level", "type", "province", "city", "district", "category"))
        if len(rows) != len(ids):
            raise Http404(_("Record not found."))
        return sorted(rows, key=lambda c: c.pk)

    def _page(self, customers, survivor, errors=(), status=200):
        return render(self.request, "customers/customer_merge.html", self.base_context(
            customers=customers, survivor=survivor, rows=merge_rows(self.request.user, customers, survivor),
            errors=list(errors), ids=",".join(str(c.pk) for c in customers)), status=status)

    def get(self, request):
        return self._start(_ids(request.GET))

    def _start(self, ids):
        if not 2 <= len(ids) <= MAX_MERGE:
            messages.error(self.request, _("Select between 2 and %(n)s customers to merge.") % {"n": MAX_MERGE})
            return HttpResponseRedirect(CustomerUI.url("list"))
        customers = self._load(ids)
        return self._page(customers, customers[0])

    def post(self, request):
        ids = _ids(request.POST)
        if not request.POST.get("confirm"):
            return self._start(ids)  # arriving from the list's batch bar
        if not 2 <= len(ids) <= MAX_MERGE:
            raise Http404(_("Record not found."))
        customers = self._load(ids)
        by_pk = {c.pk: c for c in customers}
        raw_survivor = request.POST.get("survivor", "")
        survivor = by_pk.get(int(raw_survivor)) if raw_survivor.isdigit() else None
        if survivor is None:
            return self._page(customers, customers[0], [_("Choose the customer to keep.")], status=400)
        values = {}
        for row in merge_rows(request.user, customers, survivor):
            raw = request.POST.get(f"keep_{row['name']}", "")
            chosen = by_pk.get(int(raw)) if raw.isdigit() else None
            if chosen is not None and chosen.pk != survivor.pk:
                values[row["name"]] = getattr(chosen, row["name"])
        try:
            merged = services.customer_merge(actor=request.user, survivor=survivor,
                                             others=[c for c in customers if c.pk != survivor.pk], values=values)
        except ValidationError as exc:
            return self._page(customers, survivor, exc.messages, status=400)
        except PermissionDenied as exc:
            return self._page(customers, survivor, [str(exc) or _("You do not have permission for this operation.")], status=403)
        count = len(customers) - 1
        messages.success(request, ngettext("%(n)s customer was merged into this one.",
                                           "%(n)s customers were merged into this one.", count) % {"n": count})
        return HttpResponseRedirect(CustomerUI.url("detail", merged.pk))
