"""One error format for the whole API: {"error": {"code", "message", "fields"}}.

Django's own exceptions (raised by services and the access gate) are mapped here, so views never
translate them by hand: ValidationError → 400, PermissionDenied → 403, Http404 and a missing row →
404, StaleVersion → 412 (with the record's current version).
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from core.services import StaleVersion


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF error details (nested dicts/lists) as {"field.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for sub, messages in _flatten(value, name).items():
                out.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            # A list of messages belongs to the field itself; a list of objects to its items.
            name = f"{prefix}.{index}" if isinstance(item, (dict, list)) else prefix
            for sub, messages in _flatten(item, name).items():
                out.setdefault(sub, []).extend(messages)
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def _from_django(exc: ValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        fields = {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        return exceptions.ValidationError(fields)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def exception_handler(exc, context):
    if isinstance(exc, StaleVersion):
        return Response(error_body("stale_version", str(exc), current_version=exc.current_version),
                        status=status.HTTP_412_PRECONDITION_FAILED)
    if isinstance(exc, ValidationError):
        exc = _from_django(exc)
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound(_("Record not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields: dict[str, list[str]] = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(detail)
        message = "; ".join(m for ms in fields.values() for m in ms) or _("Invalid input.")
    elif isinstance(detail, dict):
        message = str(detail.get("detail", detail))
    else:
        message = str(detail)
    code = getattr(exc, "default_code", "error")
    response.data = error_body(code, message, fields)
    return response
