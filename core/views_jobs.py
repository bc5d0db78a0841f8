"""Pages where a user follows the background jobs they started. Someone else's job is a 404."""

import os

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from .models import JobProgress


def _own_job(request, pk: int) -> JobProgress:
    return get_object_or_404(JobProgress, pk=pk, user=request.user)


@login_required
def job_list(request):
    page = Paginator(JobProgress.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    context = {"page": page, "any_active": any(job.is_active for job in page)}
    # While a job on the page runs, the table refreshes itself (the "rows" partial).
    template = "core/jobs/list.html#rows" if request.htmx else "core/jobs/list.html"
    return render(request, template, context)


@login_required
def job_detail(request, pk: int):
    job = _own_job(request, pk)
    template = "core/jobs/detail.html#progress" if request.htmx else "core/jobs/detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != JobProgress.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(job.file.name))
