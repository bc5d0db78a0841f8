"""Contacts and follow-ups over the API; their scope follows their customer.

/api/v1/contacts/ — contacts with their important dates; ``vcard`` actions export one contact
(``/contacts/{id}/vcard/``) or many (``/contacts/vcard/?ids=1,2`` or ``?customer=5``, plus the list's
filters) as text/vcard, audited as an export.
/api/v1/followups/ — follow-ups; writes go through customers.services_followup so the customer's
follow-up dates stay right; ``attachments`` uploads files (same type and size checks as the UI),
``comments`` lists and adds comments (批复).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core import access
from core.api.serializers import SYSTEM_OUTPUT, RecordSerializer
from core.api.viewsets import GatedModelViewSet
from customers import services_contact, services_followup
from customers.models import Contact, ContactDate, FollowUp, FollowUpAttachment, FollowUpComment
from customers.ui_contacts import ContactUI
from customers.ui_followups import FollowUpUI

VERSION_PARAM = OpenApiParameter("v", str, enum=["3.0", "4.0"], required=False,
                                 description=gettext_lazy("vCard version (default 3.0)."))


# ---- contacts ------------------------------------------------------------------------------------

class ContactDateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactDate
        fields = ["label", "date"]


class ContactSerializer(RecordSerializer):
    important_dates = ContactDateSerializer(many=True, required=False,
                                            help_text=gettext_lazy("Dates remembered every year; sending the list replaces them."))

    class Meta(RecordSerializer.Meta):
        model = Contact
        fields = [*SYSTEM_OUTPUT, *ContactUI.form_fields, "important_dates"]


def _vcard_version(request) -> str:
    return "4.0" if request.query_params.get("v") in ("4", "4.0") else "3.0"


def _vcard_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ContactViewSet(GatedModelViewSet):
    """Contacts (联系人); their scope follows their customer."""

    ui = ContactUI
    serializer_class = ContactSerializer
    GATE_ACTIONS = {**GatedModelViewSet.GATE_ACTIONS, "vcard": "export", "vcards": "export"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("important_dates")

    @extend_schema(parameters=[VERSION_PARAM], responses={(200, "text/vcard"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def vcard(self, request, pk=None):
        """The contact as a vCard (needs the export permission on it)."""
        access.require(request.user, "export", Contact)
        contact = self.get_object()  # GATE_ACTIONS reads it through the export scope (else 404)
        text, _count = services_contact.export_vcards(actor=request.user, queryset=access.visible_to(request.user, "export", Contact).filter(pk=contact.pk),
                                                      version=_vcard_version(request))
        return _vcard_response(text, f"contact-{contact.pk}.vcf")

    @extend_schema(operation_id="v1_contacts_vcard_many", parameters=[
        VERSION_PARAM,
        OpenApiParameter("ids", str, required=False, description=gettext_lazy("Contact ids, comma separated.")),
        OpenApiParameter("customer", int, required=False, description=gettext_lazy("All contacts of this customer.")),
    ], responses={(200, "text/vcard"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="vcard")
    def vcards(self, request):
        """Several contacts as one .vcf: the ids given, a customer's contacts, or the filtered list."""
        access.require(request.user, "export", Contact)
        rows = self.filter_queryset(self.get_queryset())
        raw = request.query_params.get("ids", "")
        if raw:
            try:
                ids = [int(part) for part in raw.split(",") if part.strip()]
            except ValueError:
                raise serializers.ValidationError({"ids": [_("Give contact ids separated by commas.")]})
            rows = rows.filter(pk__in=ids)
        text, _count = services_contact.export_vcards(actor=request.user, queryset=rows, version=_vcard_version(request))
        return _vcard_response(text, "contacts.vcf")


# ---- follow-ups ----------------------------------------------------------------------------------

class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpAttachment
        fields = ["id", "name", "size", "content_type", "uploaded_at", "url"]

    def get_url(self, obj) -> str:
        return f"/api/v1/followups/{obj.followup_id}/attachments/{obj.pk}/"


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpComment
        fields = ["id", "author", "author_name", "body", "created_at"]
        read_only_fields = ["id", "author", "author_name", "created_at"]

    def get_author_name(self, obj) -> str:
        return str(obj.author) if obj.author_id else ""


class FollowUpSerializer(RecordSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta(RecordSerializer.Meta):
        model = FollowUp
        fields = [*SYSTEM_OUTPUT, *FollowUpUI.form_fields, "attachments", "comments"]


class UploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=services_followup.MAX_ATTACHMENTS)


class FollowUpViewSet(GatedModelViewSet):
    """Follow-ups and visits (跟进记录); each write keeps the customer's follow-up dates right."""

    ui = FollowUpUI
    serializer_class = FollowUpSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def gate_action(self) -> str:
        if self.action in ("attachments", "attachment"):
            return "read" if self.request.method == "GET" else "update"
        if self.action == "comments":
            return "read"
        return super().gate_action()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        return super().get_queryset().prefetch_related("attachments", "comments__author")

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: AttachmentSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        """Upload files (form field ``files``, one or more): pictures, PDF, Office or text, at most 10 MB each."""
        followup = self.get_object()
        files = request.FILES.getlist("files")
        if not files:
            raise serializers.ValidationError({"files": [_("Choose at least one file.")]})
        saved = services_followup.attachments_add(actor=request.user, followup=followup, files=files)
        return Response(AttachmentSerializer(saved, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @extend_schema(methods=["DELETE"], responses={204: None})
    @action(detail=True, methods=["get", "delete"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        """Download an attachment, or remove it (needs the update scope)."""
        followup = self.get_object()
        row = FollowUpAttachment.objects.filter(pk=attachment_id, followup=followup).first()
        if row is None:
            raise Http404
        if request.method == "DELETE":
            services_followup.attachment_remove(actor=request.user, attachment=row)
            return Response(status=status.HTTP_204_NO_CONTENT)
        try:
            handle = row.file.open("rb")
        except OSError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=row.name, content_type=row.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(methods=["GET"], responses=CommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """Comments (批复) on the follow-up; the author's superior or anyone who may change the customer may add one."""
        followup = self.get_object()
        if request.method == "GET":
            return Response(CommentSerializer(followup.comments.select_related("author"), many=True).data)
        payload = CommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = services_followup.comment_add(actor=request.user, followup=followup, body=payload.validated_data["body"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("contacts", ContactViewSet, basename="contact")
    router.register("followups", FollowUpViewSet, basename="followup")

