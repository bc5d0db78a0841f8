"""Sales over the API, through the same services as the pages.

/api/v1/opportunities/ (+ audit, unaudit, terminate, reactivate, convert, move-stage; participants,
competitors and tasks as sub-lists), /api/v1/contact-records/?opportunity= (+ complete),
/api/v1/projects/ (+ terminate, reactivate, copy-to-opportunity), /api/v1/maintenance-records/?project=
(+ complete). Out of scope is 404; a refused rule is 400 with its reason.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import GatedModelViewSet, etag
from sales import services, services_project, services_records, services_related
from sales.ui import ContactRecordUI, MaintenanceRecordUI, OpportunityUI, ProjectUI

from .serializers import (
    CompetitorSerializer,
    ContactRecordSerializer,
    MaintenanceRecordSerializer,
    MoveStageSerializer,
    OpportunitySerializer,
    ParticipantSerializer,
    ProjectSerializer,
    TaskDoneSerializer,
    TaskSerializer,
)

CHILDREN = {"participant": ParticipantSerializer, "competitor": CompetitorSerializer, "task": TaskSerializer}


class OpportunityViewSet(GatedModelViewSet):
    """Opportunities (商机) you may see. The amount is computed; audited or terminated ones are locked."""

    ui = OpportunityUI
    serializer_class = OpportunitySerializer
    GATE_ACTIONS = {**GatedModelViewSet.GATE_ACTIONS, "audit": "update", "unaudit": "update", "terminate": "update",
                    "reactivate": "update", "convert": "update", "move_stage": "update",
                    "participants": "read", "competitors": "read", "tasks": "read",
                    "participant_remove": "update", "competitor_remove": "update", "task_change": "update"}

    def _state(self, fn, request):
        saved = fn(actor=request.user, instance=self.get_object())
        return Response(self.get_serializer(saved).data, headers=etag(saved))

    @extend_schema(request=None, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def audit(self, request, pk=None):
        """Audit (审核): the opportunity is locked against edits until unaudited."""
        return self._state(services.opportunity_audit, request)

    @extend_schema(request=None, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def unaudit(self, request, pk=None):
        """Unaudit (反审核); refused while a project made from it exists."""
        return self._state(services.opportunity_unaudit, request)

    @extend_schema(request=None, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        return self._state(services.opportunity_terminate, request)

    @extend_schema(request=None, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._state(services.opportunity_reactivate, request)

    @extend_schema(request=None, responses={201: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Make a project from an audited opportunity (it carries stage, rate, amounts and customer)."""
        project = services.opportunity_convert(actor=request.user, instance=self.get_object())
        return Response(ProjectSerializer(project, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=MoveStageSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], url_path="move-stage")
    def move_stage(self, request, pk=None):
        """The kanban move: the same update and rules as editing the stage."""
        instance = self.get_object()
        payload = MoveStageSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = services.opportunity_move_stage(actor=request.user, instance=instance,
                                                stage=payload.validated_data["stage"],
                                                expected_version=payload.validated_data.get("version"))
        return Response(self.get_serializer(saved).data, headers=etag(saved))

    # ---- decision chain, competitors, tasks ----------------------------------------------------
    def _children(self, request, kind: str):
        opportunity = self.get_object()
        serializer_class = CHILDREN[kind]
        ctx = {**self.get_serializer_context(), "opportunity": opportunity}
        if request.method == "GET":
            rows = getattr(opportunity, {"participant": "participants", "competitor": "competitors",
                                         "task": "tasks"}[kind]).all()
            return Response(serializer_class(rows, many=True, context=ctx).data)
        payload = serializer_class(data=request.data, context=ctx)
        payload.is_valid(raise_exception=True)
        row = services_related.child_add(actor=request.user, opportunity=opportunity, kind=kind,
                                         data=dict(payload.validated_data))
        return Response(serializer_class(row, context=ctx).data, status=status.HTTP_201_CREATED)

    def _remove(self, request, kind: str, child: str):
        services_related.child_delete(actor=request.user, opportunity=self.get_object(), kind=kind, pk=int(child))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], request=None, responses=ParticipantSerializer(many=True))
    @extend_schema(methods=["POST"], request=ParticipantSerializer, responses={201: ParticipantSerializer})
    @action(detail=True, methods=["get", "post"])
    def participants(self, request, pk=None):
        """The decision chain (决策链): contacts of the customer with their role and attitude."""
        return self._children(request, "participant")

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"participants/(?P<child>\d+)")
    def participant_remove(self, request, pk=None, child=None):
        return self._remove(request, "participant", child)

    @extend_schema(methods=["GET"], request=None, responses=CompetitorSerializer(many=True))
    @extend_schema(methods=["POST"], request=CompetitorSerializer, responses={201: CompetitorSerializer})
    @action(detail=True, methods=["get", "post"])
    def competitors(self, request, pk=None):
        """Competitors with their offer, strengths, weaknesses and moves."""
        return self._children(request, "competitor")

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"competitors/(?P<child>\d+)")
    def competitor_remove(self, request, pk=None, child=None):
        return self._remove(request, "competitor", child)

    @extend_schema(methods=["GET"], request=None, responses=TaskSerializer(many=True))
    @extend_schema(methods=["POST"], request=TaskSerializer, responses={201: TaskSerializer})
    @action(detail=True, methods=["get", "post"])
    def tasks(self, request, pk=None):
        """Tasks and actions of the opportunity."""
        return self._children(request, "task")

    @extend_schema(methods=["PATCH"], request=TaskDoneSerializer, responses=TaskSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"tasks/(?P<child>\d+)")
    def task_change(self, request, pk=None, child=None):
        """Mark a task done or open (PATCH {"done": true}), or remove it (DELETE)."""
        if request.method == "DELETE":
            return self._remove(request, "task", child)
        payload = TaskDoneSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        task = services_related.task_set_done(actor=request.user, opportunity=self.get_object(), pk=int(child),
                                              done=payload.validated_data["done"])
        return Response(TaskSerializer(task).data)


class _RecordViewSet(GatedModelViewSet):
    GATE_ACTIONS = {**GatedModelViewSet.GATE_ACTIONS, "complete": "update"}

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the record completed (in order); the parent is back-filled from it."""
        saved = services_records.record_complete(actor=request.user, instance=self.get_object())
        return Response(self.get_serializer(saved).data, headers=etag(saved))


class ContactRecordViewSet(_RecordViewSet):
    """Contact records (联系记录); filter by ``?opportunity=``. Completed ones are immutable."""

    ui = ContactRecordUI
    serializer_class = ContactRecordSerializer
    complete = extend_schema(request=None, responses=ContactRecordSerializer)(_RecordViewSet.complete)


class MaintenanceRecordViewSet(_RecordViewSet):
    """Maintenance records (维护记录) of projects; filter by ``?project=``. Same rules as contact records."""

    ui = MaintenanceRecordUI
    serializer_class = MaintenanceRecordSerializer
    complete = extend_schema(request=None, responses=MaintenanceRecordSerializer)(_RecordViewSet.complete)


class ProjectViewSet(GatedModelViewSet):
    """Projects (项目), made directly or by converting an audited opportunity."""

    ui = ProjectUI
    serializer_class = ProjectSerializer
    GATE_ACTIONS = {**GatedModelViewSet.GATE_ACTIONS, "terminate": "update", "reactivate": "update",
                    "copy_to_opportunity": "read"}

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        saved = services_project.project_terminate(actor=request.user, instance=self.get_object())
        return Response(self.get_serializer(saved).data, headers=etag(saved))

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        saved = services_project.project_reactivate(actor=request.user, instance=self.get_object())
        return Response(self.get_serializer(saved).data, headers=etag(saved))

    @extend_schema(request=None, responses={201: OpportunitySerializer})
    @action(detail=True, methods=["post"], url_path="copy-to-opportunity")
    def copy_to_opportunity(self, request, pk=None):
        """A new opportunity from this project, with its customer, stage and figures."""
        copy = services_project.project_copy_to_opportunity(actor=request.user, instance=self.get_object())
        return Response(OpportunitySerializer(copy, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
