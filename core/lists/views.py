"""List, export, print and batch pages shared by every ModelUI (being built out)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.views import View


class _Base(LoginRequiredMixin, View):
    ui = None


class ListPage(_Base):
    def get(self, request):
        rows = self.ui.queryset(request.user)[:50]
        return render(request, "core/list.html", {"ui": self.ui, "rows": rows})


class ExportPage(_Base):
    def get(self, request):
        return HttpResponse(status=404)


class PrintPage(ListPage):
    pass


class BatchPage(_Base):
    def post(self, request):
        return HttpResponse(status=404)
