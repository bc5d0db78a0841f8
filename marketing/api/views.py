"""Leads over the API: the generic gated viewset with the lead ModelUI, plus round-robin, lose,
convert and duplicates. The same services as the pages, so the same rules, audit and scope."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core import access
from core.api.viewsets import GatedModelViewSet, etag
from core.models import LookupItem
from customers.models import Customer, Region
from marketing import conversion, routing, services
from marketing.models import Lead, LeadTeam
from marketing.ui import LeadUI

from . import serializers as s


def _lookup(kind: str, pk, field: str):
    if pk is None:
        return None
    item = LookupItem.objects.filter(kind=kind, pk=pk, active=True).first()
    if item is None:
        raise drf_serializers.ValidationError({field: [_("Not in the basic data list.")]})
    return item


def _region(code: str, level: int, field: str):
    if not code:
        return None
    region = Region.objects.filter(pk=code, level=level).first()
    if region is None:
        raise drf_serializers.ValidationError({field: [_("Unknown region.")]})
    return region


class LeadViewSet(GatedModelViewSet):
    """Leads (线索) you may see; writes are audited, versioned and scope-checked."""

    ui = LeadUI
    serializer_class = s.LeadSerializer
    GATE_ACTIONS = {**GatedModelViewSet.GATE_ACTIONS, "round_robin": "assign", "lose": "update", "convert": "update",
                    "duplicates": "read", "reopen": "update", "merge": "update"}

    @extend_schema(request=s.LeadRoundRobinSerializer, responses=s.LeadRoundRobinResultSerializer)
    @action(detail=False, methods=["post"], url_path="round-robin")
    def round_robin(self, request):
        """Give the leads to the members of a lead team in turn; refused whole if any lead is outside
        your assign scope."""
        payload = s.LeadRoundRobinSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        team = LeadTeam.objects.filter(pk=payload.validated_data["team"], active=True).first()
        if team is None:
            raise drf_serializers.ValidationError({"team": [_("Unknown or inactive team.")]})
        given = routing.lead_assign_round_robin(actor=request.user, team=team, pks=payload.validated_data["ids"])
        return Response({"count": sum(given.values()), "owners": {str(u.pk): n for u, n in given.items()}})

    @extend_schema(request=s.LeadLoseSerializer, responses=s.LeadSerializer)
    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        """Mark the lead lost (无效) with a reason from the lead lost reasons."""
        lead = self.get_object()
        payload = s.LeadLoseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        reason = LookupItem.objects.filter(pk=data["reason"], kind="lead_lost_reason", active=True).first()
        if reason is None:
            raise drf_serializers.ValidationError({"reason": [_("Choose one of the lead lost reasons.")]})
        lost = services.lead_lose(actor=request.user, lead=lead, reason=reason, note=data["note"],
                                  expected_version=self.expected_version(lead, data.get("version")))
        return Response(self.get_serializer(lost).data, headers=etag(lost))

    @extend_schema(request=s.LeadConvertSerializer, responses={201: s.LeadConvertResultSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Convert the lead into a customer (new, or existing one you may change), a contact and
        optionally an opportunity, all in one step: any refusal changes nothing."""
        lead = self.get_object()
        payload = s.LeadConvertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        customer_data = existing = None
        if data.get("existing_customer"):
            # A customer outside your update scope does not exist for this purpose.
            existing = access.visible_to(request.user, "update", Customer).filter(pk=data["existing_customer"]).first()
            if existing is None:
                raise Http404
        elif data.get("customer"):
            c = data["customer"]
            customer_data = {"name": c["name"], "phone": c["phone"], "address": c["address"],
                             "province": _region(c["province"], 1, "customer.province"),
                             "city": _region(c["city"], 2, "customer.city"),
                             "industry": _lookup("industry", c["industry"], "customer.industry"),
                             "source": _lookup("customer_source", c["source"], "customer.source")}
        else:
            raise drf_serializers.ValidationError({"customer": [_("Give the new customer or an existing one.")]})
        opportunity = None
        if data.get("opportunity"):
            o = data["opportunity"]
            opportunity = {"subject": o["subject"], "expected_amount": o["expected_amount"],
                           "planned_close": o["planned_close"], "stage": _lookup("sales_stage", o["stage"], "opportunity.stage"),
                           "source": customer_data.get("source") if customer_data else lead.source}
        result = conversion.lead_convert(
            actor=request.user, lead=lead, customer_data=customer_data, existing_customer=existing,
            contact_data=dict(data["contact"]), opportunity_data=opportunity,
            confirm_duplicates=data["confirm_duplicates"],
            expected_version=self.expected_version(lead, data.get("version")))
        return Response({"lead": result.lead.pk, "customer": result.customer.pk, "contact": result.contact.pk,
                         "opportunity": getattr(result.opportunity, "pk", None), "new_customer": result.new_customer},
                        status=201)

    @extend_schema(request=None, responses=s.LeadSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Open a lost lead again (as new); its lost reason is cleared."""
        reopened = services.lead_reopen(actor=request.user, lead=self.get_object())
        return Response(self.get_serializer(reopened).data, headers=etag(reopened))

    @extend_schema(request=s.LeadMergeSerializer, responses=s.LeadSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge another lead into this one (cleaning duplicates): empty fields here take its values, it
        goes to the recycle bin. Needs delete on the other lead."""
        survivor = self.get_object()
        payload = s.LeadMergeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        other = Lead.objects.filter(pk=payload.validated_data["other"]).first()
        if other is None:
            raise Http404
        merged = services.lead_merge(actor=request.user, survivor=survivor, other=other)
        return Response(self.get_serializer(merged).data, headers=etag(merged))

    @extend_schema(responses=s.LeadDuplicatesResultSerializer)
    @action(detail=True, methods=["get"])
    def duplicates(self, request, pk=None):
        """Customers and other leads that look like this lead. A customer you may not read is reported
        only by what matched and who owns it."""
        lead = self.get_object()
        customers = [{k: v for k, v in m.as_dict().items() if k in ("kind", "exact", "visible", "owner", "message",
                                                                    "id", "name", "code")}
                     for m in services.customer_matches(user=request.user, lead=lead)]
        leads = [{"id": other.pk, "name": str(other), "status": other.status,
                  "reasons": [str(r) for r in services.why_same(lead, other)]}
                 for other in services.lead_matches(user=request.user, lead=lead)]
        return Response({"customers": customers, "leads": leads})


def register(router) -> None:
    router.register("leads", LeadViewSet, basename="lead")
