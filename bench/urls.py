"""The project's addresses plus two pages that only the benchmark serves: what Django itself costs
here before any page of ours does its work (bench/scenarios.py, "Django alone" and "Django shell")."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path


@login_required
def signed_in(request):
    """A signed-in request through every middleware of the project, answering a few bytes."""
    return HttpResponse(request.user.username)


@login_required
def empty_shell(request):
    """The page shell (base.html: navigation, bell, header) with nothing in it."""
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/signed-in/", signed_in),
    path("bench/shell/", empty_shell),
    path("", include("zhanggui.urls")),
]
