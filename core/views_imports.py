"""Pages of spreadsheet imports: upload, column mapping, dry-run result with duplicate decisions,
progress, history. Thin: each POST calls one function of core.imports.services. Another user's
import is a 404."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .imports import report, services
from .models import ImportIssue, ImportRun

Status = ImportRun.Status
SHOW_ERRORS = 50
SHOW_DUPLICATES = 200


def _list_url(importer) -> str:
    try:
        return reverse(importer.list_url_name) if importer.list_url_name else ""
    except NoReverseMatch:
        return ""


def _error_text(exc) -> str:
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@login_required
def import_list(request):
    page = Paginator(services.runs_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/imports/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request, entity: str):
    importer = services.importer_for(request.user, entity)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a file.")
        else:
            try:
                run = services.run_create(actor=request.user, entity=entity, upload=upload)
            except ValidationError as exc:
                error = _error_text(exc)
            else:
                return redirect(run)
    recent = services.runs_for(request.user).filter(entity=entity, started_by=request.user)[:10]
    return render(request, "core/imports/new.html", {
        "importer": importer, "fields": importer.fields(request.user), "error": error, "recent": recent,
        "list_url": _list_url(importer), "max_mb": services.MAX_BYTES // (1024 * 1024)}, status=400 if error else 200)


@login_required
def import_blank(request, entity: str):
    importer = services.importer_for(request.user, entity)
    response = HttpResponse(report.blank_template(importer, request.user),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{entity.replace(".", "-")}-template.xlsx"'
    return response


def _post(request, run: ImportRun):
    """Carry out the form's action; returns the mapping to show (for "apply template") or None."""
    action = request.POST.get("action", "")
    user = request.user
    if action in ("check", "template"):
        if action == "template":
            return services.template_mapping(actor=user, run=run, template_id=request.POST.get("template"))
        mapping = {key[4:]: value for key, value in request.POST.items() if key.startswith("col_") and value}
        run = services.mapping_save(actor=user, run=run, mapping=mapping, decision=request.POST.get("decision", "skip"),
                                    template_name=request.POST.get("template_name", ""),
                                    share=bool(request.POST.get("share")))
        services.check_start(actor=user, run=run)
    elif action in ("decisions", "import"):
        rows = {key[4:]: value for key, value in request.POST.items() if key.startswith("row_") and key[4:].isdigit()}
        run = services.decisions_save(actor=user, run=run, default=request.POST.get("decision", "skip"), rows=rows)
        if action == "import":
            services.import_start(actor=user, run=run)
    elif action == "resume":
        services.import_resume(actor=user, run=run)
    elif action == "delete_template":
        services.template_delete(actor=user, template_id=request.POST.get("template"))
    else:
        raise ValidationError(_("Unknown action."))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request, pk: int):
    run = services.run_get(user=request.user, pk=pk)
    importer = services.get_importer(run.entity)
    shown_mapping = None
    if request.method == "POST":
        try:
            shown_mapping = _post(request, run)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        if shown_mapping is None:
            return redirect(run)
        run.refresh_from_db()
    fields = importer.fields(request.user)
    mapping = shown_mapping if shown_mapping is not None else run.mapping
    context = {
        "run": run, "importer": importer, "fields": fields, "list_url": _list_url(importer),
        "columns": [{"index": str(i), "header": h, "field": mapping.get(str(i), "")} for i, h in enumerate(run.headers)],
        "templates": services.templates_for(request.user, run.entity), "decisions": ImportRun.Decision.choices,
        "resumable": services.resumable(run), "active": run.status in (Status.DRY_RUN, Status.RUNNING),
    }
    if run.status == Status.READY:
        issues = ImportIssue.objects.filter(run=run, phase="check")
        context["errors"] = issues.exclude(kind=ImportIssue.Kind.DUPLICATE)[:SHOW_ERRORS]
        context["duplicates"] = [
            (issue, run.row_decisions.get(str(issue.row), run.decision))
            for issue in issues.filter(kind=ImportIssue.Kind.DUPLICATE)[:SHOW_DUPLICATES]]
    elif run.status in (Status.DONE, Status.FAILED) and run.stage == "import":
        context["errors"] = ImportIssue.objects.filter(run=run, phase="import")[:SHOW_ERRORS]
    if request.htmx and request.method == "GET":
        if not context["active"]:
            # The job finished: the whole page changes (results, decisions), not only the bar.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "core/imports/detail.html#progress", context)
    return render(request, "core/imports/detail.html", context)


@login_required
def import_report(request, pk: int):
    run = services.run_get(user=request.user, pk=pk)
    if not run.report:
        raise Http404
    try:
        handle = run.report.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(run.report.name))
