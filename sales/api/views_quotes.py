"""/api/v1/quotes/: quotes with nested lines, through the same services as the pages; actions
submit, approve, reject (with a note), send; GET pdf. Out of scope is 404."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core import access, audit
from core.api.viewsets import GatedModelViewSet, etag
from core.audit import Action
from sales import quote_pdf, services_quotes
from sales.models import Quote
from sales.ui_quotes import QuoteUI

from .serializers_quotes import DecisionSerializer, QuoteSerializer


class QuoteViewSet(GatedModelViewSet):
    """Quotes (报价单) you may see. Totals are computed from the lines; status changes by the actions."""

    ui = QuoteUI
    serializer_class = QuoteSerializer
    GATE_ACTIONS = {**GatedModelViewSet.GATE_ACTIONS, "submit": "update", "send": "update", "approve": "read",
                    "reject": "read", "pdf": "print"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("lines")

    def create(self, request, *args, **kwargs):
        access.require(request.user, "create", Quote)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, _custom, _version = serializer.split()
        lines = data.pop("lines", [])
        data = {k: v for k, v in data.items() if v is not None and v != ""}
        quote = services_quotes.quote_create(actor=request.user, data=data, lines=lines)
        return Response(self.get_serializer(quote).data, status=status.HTTP_201_CREATED, headers=etag(quote))

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data, _custom, body_version = serializer.split()
        lines = data.pop("lines", None)
        expected = self.expected_version(instance, body_version)
        saved = services_quotes.quote_update(actor=request.user, instance=instance, data=data, lines=lines,
                                             expected_version=expected)
        return Response(self.get_serializer(saved).data, headers=etag(saved))

    def _state(self, fn, request, **kwargs):
        saved = fn(actor=request.user, instance=self.get_object(), **kwargs)
        return Response(self.get_serializer(saved).data, headers=etag(saved))

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit: approved at once, or pending a manager's approval when a price is below your level."""
        return self._state(services_quotes.quote_submit, request)

    @extend_schema(request=DecisionSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a pending quote (a manager other than its author)."""
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._state(services_quotes.quote_approve, request, note=body.validated_data.get("note", ""))

    @extend_schema(request=DecisionSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a pending quote with a reason."""
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._state(services_quotes.quote_reject, request, note=body.validated_data.get("note", ""))

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Mark an approved quote as sent."""
        return self._state(services_quotes.quote_send, request)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The quote as PDF in the company template (audited as a print)."""
        quote = self.get_object()
        data = quote_pdf.render_pdf(quote)
        audit.log(actor=request.user, action=Action.PRINT, instance=quote, message="Quote PDF")
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{quote.code or quote.pk}.pdf"'
        return response
