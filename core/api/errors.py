"""One error format for the whole API: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from core.services import StaleVersion


def exception_handler(exc, context):
    if isinstance(exc, StaleVersion):
        return Response({"error": {"code": "stale_version", "message": str(exc), "fields": {},
                                   "current_version": exc.current_version}}, status=status.HTTP_412_PRECONDITION_FAILED)
    if isinstance(exc, ValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        messages = exc.messages if not fields else [m for ms in fields.values() for m in ms]
        exc = exceptions.ValidationError(fields or {"non_field_errors": messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Record not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields = {}
    if isinstance(detail, dict) and "detail" not in detail:
        fields = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
        message = "; ".join(m for ms in fields.values() for m in ms) or _("Invalid input.")
    elif isinstance(detail, list):
        message = "; ".join(str(m) for m in detail)
    else:
        message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
    code = getattr(exc, "default_code", "error")
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response
