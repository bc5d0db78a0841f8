"""API shapes of opportunities, projects, their records and the opportunity's side rows."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.api.serializers import SYSTEM_OUTPUT, RecordSerializer
from core.models import LookupItem
from sales.models import (
    Competitor,
    ContactRecord,
    MaintenanceRecord,
    Opportunity,
    OpportunityParticipant,
    OpportunityTask,
    Project,
)
from sales.ui import ContactRecordUI, MaintenanceRecordUI, OpportunityUI, ProjectUI


class ComputedRefused(RecordSerializer):
    """Computed fields are output only: sending one back unchanged is fine, a different value is refused."""

    COMPUTED: tuple[str, ...] = ()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for name in self.COMPUTED:
                if name in data and name in self.fields:
                    current = self.fields[name].to_representation(getattr(self.instance, name)) \
                        if self.instance is not None and getattr(self.instance, name) is not None else None
                    if data[name] != current:
                        errors[name] = [_("This field is computed and cannot be set.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class OpportunitySerializer(ComputedRefused):
    COMPUTED = ("amount", "audited", "audited_by", "audited_at", "terminated", "converted", "stage_entered_at",
                "from_project")

    class Meta(RecordSerializer.Meta):
        model = Opportunity
        fields = [*SYSTEM_OUTPUT, *OpportunityUI.form_fields, "amount", "audited", "audited_by", "audited_at",
                  "terminated", "converted", "stage_entered_at", "from_project"]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, "amount", "audited", "audited_by", "audited_at",
                            "terminated", "converted", "stage_entered_at", "from_project"]


class ProjectSerializer(ComputedRefused):
    COMPUTED = ("amount", "terminated", "opportunity")

    class Meta(RecordSerializer.Meta):
        model = Project
        fields = [*SYSTEM_OUTPUT, *ProjectUI.form_fields, "amount", "terminated", "opportunity"]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, "amount", "terminated", "opportunity"]


class ContactRecordSerializer(ComputedRefused):
    COMPUTED = ("seq", "completed", "completed_at")

    class Meta(RecordSerializer.Meta):
        model = ContactRecord
        fields = [*SYSTEM_OUTPUT, *ContactRecordUI.form_fields, "seq", "completed", "completed_at"]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, "seq", "completed", "completed_at"]


class MaintenanceRecordSerializer(ComputedRefused):
    COMPUTED = ("seq", "completed", "completed_at")

    class Meta(RecordSerializer.Meta):
        model = MaintenanceRecord
        fields = [*SYSTEM_OUTPUT, *MaintenanceRecordUI.form_fields, "seq", "completed", "completed_at"]
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, "seq", "completed", "completed_at"]


class MoveStageSerializer(serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=LookupItem.objects.filter(kind="sales_stage", active=True),
                                               help_text=gettext_lazy("An active sales stage."))
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=gettext_lazy("The version your move is based on."))


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpportunityParticipant
        fields = ["id", "contact", "role", "attitude", "notes"]
        extra_kwargs = {"contact": {"queryset": OpportunityParticipant.contact.field.related_model.objects.none()}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opportunity = self.context.get("opportunity")
        if opportunity is not None:
            # Only contacts of the opportunity's customer can join its decision chain.
            self.fields["contact"].queryset = opportunity.customer.contacts.all()


class CompetitorSerializer(serializers.ModelSerializer):
    offer = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"), required=False,
                                     allow_null=True)

    class Meta:
        model = Competitor
        fields = ["id", "name", "offer", "strengths", "weaknesses", "moves"]


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpportunityTask
        fields = ["id", "title", "due", "assignee", "done", "done_at"]
        read_only_fields = ["done_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from org.selectors import working_users

        self.fields["assignee"].queryset = working_users()


class TaskDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField()
