"""List, export, print and batch pages shared by every ModelUI.

Thin views: the rows come from ``ListContext.queryset`` (access gate → search → filter → sort), so
the page, its export and its print view always agree. Writes go through services.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from core import access, audit, services
from core.audit import Action

from . import columns as cols
from . import export as exporting
from . import services as list_services
from .filters import OPERATOR_LABELS, parse_definition, sort_keys
from .paging import paginate
from .query import ListContext, ListState, read_state
from .rows import chooser_html, headers_html, rows_html

PRINT_LIMIT = 2000


class _Base(LoginRequiredMixin, View):
    ui = None
    permission = "read"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            access.require(request.user, self.permission, self.ui.model)
        return super().dispatch(request, *args, **kwargs)

    def next_url(self) -> str:
        target = self.request.POST.get("next") or ""
        if target and url_has_allowed_host_and_scheme(target, {self.request.get_host()}, self.request.is_secure()):
            return target
        return self.ui.url("list")


def _state_from_url(url: str) -> ListState:
    """The list state a form was posted from, for re-showing the page after a refused change."""
    try:
        return read_state(QueryDict(urlsplit(url).query))
    except ValidationError:
        return ListState()


def render_list(request, ui, *, ctx: ListContext | None = None, state: ListState | None = None,
                error: list[str] | None = None, status: int = 200):
    """The list page (or just its table for an HTMX request) for a state; an error shows no rows."""
    user = request.user
    ctx = ctx or ListContext.load(ui, user)
    state = state or ListState()
    size = cols.per_page(ctx.pref, request.GET.get("per_page"))
    page = paged = None
    if not error:
        try:
            qs = ctx.queryset(state)
        except ValidationError as exc:
            error, status = exc.messages, 400
        else:
            fields = cols.page_fields(ui, ctx.visible)
            paged = paginate(qs.only(*fields) if fields else qs, size, request.GET)
            page = paged.page
    rows = []
    if page is not None:
        users = cols.UserNames(ctx.visible, page.object_list)
        for obj in page.object_list:
            rows.append({"pk": obj.pk, "url": ui.url("detail", obj.pk), "css": ui.row_class(obj),
                         "cells": [(cols.display(c, obj, users), cols.is_numeric(c)) for c in ctx.visible]})
    sorting = dict(sort_keys(state.ordering))
    base = state.params(per_page=request.GET.get("per_page"))
    headers = []
    for col in ctx.visible:
        desc = sorting.get(col.name)
        # Clicking a header sorts by it going up; clicking the column sorted going up turns it round.
        target = f"-{col.name}" if desc is False else col.name
        headers.append({"col": col, "sorted": desc is not None, "desc": bool(desc), "numeric": cols.is_numeric(col),
                        "url": "?" + state.params(sort=target, per_page=request.GET.get("per_page")).urlencode()})
    may = {action: access.can(user, action, ui.model) for action in ("create", "assign", "share", "delete", "export", "print")}
    context = {
        "ui": ui, "opts": ui.model._meta, "state": state, "page": page, "rows": rows, "headers": headers,
        "error": error, "per_page": size, "page_sizes": cols.PAGE_SIZES, "frozen": cols.frozen_count(ui, ctx.pref),
        "page_query": base.urlencode(), "page_numbers": paged.numbers if paged else [], "may": may,
        "prev_query": paged.prev_query if paged else "", "next_query": paged.next_query if paged else "",
        "total_estimated": bool(paged and paged.estimated),
    }
    context["extra_batch"] = _extra_batch_buttons(ui, user)
    context["batch"] = may["assign"] or may["share"] or may["delete"] or may["export"] or bool(context["extra_batch"])
    context["rows_html"] = rows_html(rows, batch=context["batch"])
    context["headers_html"] = headers_html(headers)
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return render(request, "core/list.html#table", context, status=status)
    saved = list_services.saved_filters(user=user, ui=ui)
    context.update({
        "query": state.params().urlencode(), "f_param": state.params().get("f", ""),
        "list_url": ui.url("list"), "export_url": ui.url("export"), "print_url": ui.url("print"),
        "batch_url": ui.url("batch"), "create_url": ui.url("create") if may["create"] else "",
        "chooser_html": chooser_html(_chooser(ctx)), "frozen_choices": range(cols.MAX_FROZEN + 1),
        "definition": state.definition or {"op": "and", "rules": []},
        "rule_count": _count_rules(state.definition),
        "fields_json": [f.as_json(lazy=True) for f in ctx.fields],
        "operator_labels": {k: str(v) for k, v in OPERATOR_LABELS.items()},
        "saved_filters": saved, "saved_definitions": {sf.pk: sf.definition for sf in saved},
        "js_text": _js_text(),
    })
    return render(request, "core/list.html", context, status=status)


def _field_choices(ctx: ListContext, name: str) -> JsonResponse:
    """The filter builder's options of one field, asked for when the field is picked. Only the
    user's own filterable fields answer (a hidden field is unknown here), and options that are
    business records are the ones the user may read (core.lists.fields)."""
    for info in ctx.fields:
        if info.name == name and info.choices is not None:
            return JsonResponse({"choices": info.choices})
    raise Http404


def _extra_batch_buttons(ui, user) -> list[dict]:
    """The UI's own batch buttons the user may use; one whose page is not installed is left out."""
    buttons = []
    for spec in getattr(ui, "batch_buttons", []):
        if spec.get("needs") and not access.can(user, spec["needs"], ui.model):
            continue
        try:
            url = reverse(spec["url_name"])
        except NoReverseMatch:
            continue
        buttons.append({"url": url, "icon": spec.get("icon", "circle"), "label": spec.get("label", "")})
    return buttons


def _count_rules(group) -> int:
    if not isinstance(group, dict) or not isinstance(group.get("rules"), list):
        return 0
    return sum(_count_rules(r) if isinstance(r, dict) and "rules" in r else 1 for r in group["rules"])


def _js_text() -> dict:
    """Words the filter builder script shows, translated here so the script needs no catalogue."""
    return {
        "and": _("All of these (AND)"), "or": _("Any of these (OR)"), "add_rule": _("Add condition"),
        "add_group": _("Add group"), "remove": _("Remove"), "remove_group": _("Remove group"),
        "not_empty": _("is not empty"), "many_hint": _("Several values, separated by commas"),
        "choose": _("Choose…"), "selected": _("%(n)s selected"), "no_rules": _("No conditions yet."),
        "field": _("Field"), "operator": _("Operator"), "value": _("Value"),
    }


def _chooser(ctx: ListContext) -> list[dict]:
    """Columns for the column chooser: the shown ones in their order, then the others."""
    shown = [c.name for c in ctx.visible]
    rest = [c for c in ctx.available if c.name not in shown]
    return [{"name": c.name, "label": c.label, "shown": True} for c in ctx.visible] + \
           [{"name": c.name, "label": c.label, "shown": False} for c in rest]


class ListPage(_Base):
    def get(self, request):
        ctx = ListContext.load(self.ui, request.user)
        if "choices" in request.GET:
            return _field_choices(ctx, request.GET["choices"])
        try:
            state = read_state(request.GET)
        except ValidationError as exc:
            return render_list(request, self.ui, ctx=ctx, state=_partial_state(request.GET), error=exc.messages, status=400)
        return render_list(request, self.ui, ctx=ctx, state=state)

    def post(self, request):
        """Saved filters and column preferences of the current user."""
        user, ui, data = request.user, self.ui, request.POST
        action = data.get("action")
        try:
            if action == "save_filter":
                saved = list_services.save_filter(user=user, ui=ui, name=data.get("name", ""),
                                                  definition=parse_definition(data.get("f")) or {},
                                                  shared=data.get("shared") == "1")
                messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
            elif action == "delete_filter":
                list_services.delete_filter(user=user, ui=ui, pk=data.get("id"))
                messages.success(request, _("Filter deleted."))
            elif action == "share_filter":
                list_services.set_filter_shared(user=user, ui=ui, pk=data.get("id"), shared=data.get("shared") == "1")
                messages.success(request, _("Filter updated."))
            elif action == "columns":
                list_services.save_columns(user=user, ui=ui, columns=data.getlist("cols"),
                                           frozen=_int(data.get("frozen")), per_page=_int(data.get("per_page")))
                messages.success(request, _("Columns saved."))
            elif action == "reset_columns":
                list_services.reset_columns(user=user, ui=ui)
                messages.success(request, _("Columns reset to the default."))
            else:
                return HttpResponseBadRequest(_("Unknown action."))
        except ValidationError as exc:
            return render_list(request, ui, state=_state_from_url(self.next_url()), error=exc.messages, status=400)
        return HttpResponseRedirect(self.next_url())


def _int(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a whole number.")) from None


def _partial_state(params) -> ListState:
    """Whatever can be kept of an invalid request, so the user sees their filter and can fix it."""
    try:
        definition = parse_definition(params.get("f"))
    except ValidationError:
        definition = None
    return ListState(search=(params.get("q") or "").strip()[:200], definition=definition,
                     ordering=(params.get("sort") or "")[:300])


def _audit_list(request, ui, action, state: ListState, ctx: ListContext, **extra) -> None:
    audit.log(actor=request.user, action=action, model=ui.model, object_repr=str(ui.model._meta.verbose_name_plural),
              changes={"search": state.search, "filter": state.definition, "sort": state.ordering,
                       "ids": state.ids[:200], "columns": [c.name for c in ctx.visible], **extra})


class ExportPage(_Base):
    """The list as the user sees it, as .xlsx or .csv (needs the export permission; its own data scope)."""

    permission = "export"

    def get(self, request):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in exporting.CONTENT_TYPES:
            return HttpResponseBadRequest(_("Unknown export format."))
        ctx = ListContext.load(self.ui, request.user)
        try:
            state = read_state(request.GET)
            qs = ctx.queryset(state, action="export")
        except ValidationError as exc:
            return HttpResponseBadRequest("; ".join(exc.messages))
        title = str(self.ui.model._meta.verbose_name_plural)
        if fmt == "xlsx":
            out, count = exporting.write_xlsx(qs, ctx.visible, title=title)
        else:
            out, count = exporting.write_csv(qs, ctx.visible)
        _audit_list(request, self.ui, Action.EXPORT, state, ctx, rows=count, format=fmt)
        filename = f"{title}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
        response = FileResponse(out, as_attachment=True, filename=filename, content_type=exporting.CONTENT_TYPES[fmt])
        response["X-Export-Rows"] = str(count)
        return response


class PrintPage(_Base):
    """A clean printable table of the current list, capped so a browser can lay it out."""

    permission = "print"

    def get(self, request):
        ctx = ListContext.load(self.ui, request.user)
        try:
            state = read_state(request.GET)
            qs = ctx.queryset(state, action="print")
        except ValidationError as exc:
            return HttpResponseBadRequest("; ".join(exc.messages))
        total = qs.count()
        objects = list(qs[:PRINT_LIMIT])
        users = cols.UserNames(ctx.visible, objects)
        rows = [[(cols.display(c, obj, users), cols.is_numeric(c)) for c in ctx.visible] for obj in objects]
        _audit_list(request, self.ui, Action.PRINT, state, ctx, rows=len(rows), total=total)
        return render(request, "core/print.html", {
            "ui": self.ui, "opts": self.ui.model._meta, "columns": ctx.visible, "rows": rows, "total": total,
            "capped": total > len(rows), "limit": PRINT_LIMIT, "state": state, "now": timezone.now(),
            "autoprint": request.GET.get("autoprint") == "1",
        })


class BatchPage(_Base):
    """Assign, share or delete the selected rows. All or nothing: one bad id refuses the whole batch."""

    def post(self, request):
        ui, user = self.ui, request.user
        action = request.POST.get("action")
        if action not in ("assign", "share", "delete"):
            return HttpResponseBadRequest(_("Unknown action."))
        access.require(user, action, ui.model)
        try:
            state = read_state(request.POST)
        except ValidationError as exc:
            return self.refuse(exc.messages)
        ids = set(state.ids)
        if not ids:
            return self.refuse([_("Select at least one row.")])
        # Ids outside the user's scope for this action are treated as records that do not exist.
        if access.visible_to(user, action, ui.model).filter(pk__in=ids).count() != len(ids):
            raise Http404(_("Record not found."))
        try:
            count = getattr(self, f"do_{action}")(sorted(ids))
        except ValidationError as exc:
            return self.refuse(exc.messages)
        except PermissionDenied as exc:
            return self.refuse([str(exc) or _("You do not have permission for this operation.")], status=403)
        messages.success(request, _("%(n)s records done.") % {"n": count})
        return HttpResponseRedirect(self.next_url())

    def refuse(self, errors: list[str], status: int = 400):
        return render_list(self.request, self.ui, state=_state_from_url(self.next_url()), error=errors, status=status)

    def _ids(self, name: str) -> list[int]:
        try:
            return [int(v) for v in self.request.POST.getlist(name) if str(v).strip()]
        except ValueError:
            raise ValidationError(_("The selection is not valid.")) from None

    def do_assign(self, ids: list[int]) -> int:
        from org.selectors import working_users

        owner_ids = self._ids("owner")
        # Records go only to people still working here (not to a user who has left).
        owner = working_users().filter(pk__in=owner_ids[:1]).first() if owner_ids else None
        if owner is None:
            raise ValidationError(_("Choose the user to assign to."))
        return services.assign_records(actor=self.request.user, model=self.ui.model, pks=ids, owner=owner,
                                       reason=self.request.POST.get("reason", "")[:200])

    def do_share(self, ids: list[int]) -> int:
        from org.selectors import share_targets

        users, departments = share_targets(self._ids("users"), self._ids("departments"))
        if not users and not departments:
            raise ValidationError(_("Choose users or departments to share with."))
        return services.share_records(actor=self.request.user, model=self.ui.model, pks=ids, users=users,
                                      departments=departments, can_edit=self.request.POST.get("can_edit") == "1")

    def do_delete(self, ids: list[int]) -> int:
        with transaction.atomic():
            # One record that may not be deleted rolls back the ones before it: all or nothing.
            for obj in self.ui.queryset(self.request.user, "delete").filter(pk__in=ids):
                self.ui.delete(actor=self.request.user, instance=obj)
        return len(ids)
