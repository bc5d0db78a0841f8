from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from .search import global_search


@login_required
def home(request):
    from .dashboard import panels_for

    return render(request, "core/home.html", {
        "panels": panels_for(request),
        "recent_notifications": request.user.notifications.all()[:6],
    })


@login_required
def search(request):
    term = request.GET.get("q", "")
    return render(request, "core/search.html", {"term": term, "groups": global_search(request.user, term)})


@login_required
def notifications(request):
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
def notification_open(request, pk):
    note = get_object_or_404(request.user.notifications, pk=pk)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(note.url or "core:notifications")


@login_required
def notifications_read_all(request):
    if request.method == "POST":
        request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("core:notifications")
