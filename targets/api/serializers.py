from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from org.selectors import active_departments, working_users

from ..models import SalesTarget


class SalesTargetSerializer(serializers.ModelSerializer):
    # New targets go to people who work here and departments in use (org.selectors), as the edit grid offers.
    owner = serializers.PrimaryKeyRelatedField(queryset=working_users(), allow_null=True, required=False,
                                               help_text=_("The person, for a person target."))
    department = serializers.PrimaryKeyRelatedField(queryset=active_departments(), allow_null=True, required=False,
                                                    help_text=_("The department, for a department target."))
    number = serializers.IntegerField(min_value=0, max_value=12, required=False, default=0,
                                      help_text=_("0 for the year, 1–4 for a quarter, 1–12 for a month."))
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    subject = serializers.CharField(source="subject_label", read_only=True)

    class Meta:
        model = SalesTarget
        fields = ["id", "measure", "level", "owner", "department", "subject", "year", "period", "number", "amount",
                  "version", "created_by", "created_at", "updated_at"]
        read_only_fields = ["id", "subject", "version", "created_by", "created_at", "updated_at"]
        # Uniqueness is the service's answer (one clear message); DRF's own validators would run a query each.
        validators = []


class SalesTargetChangeSerializer(serializers.Serializer):
    """A target's identity (measure, subject, period) stays; only its amount changes."""

    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("The version your change is based on (or send If-Match)."))


class SalesTargetProgressRowSerializer(serializers.Serializer):
    level = serializers.CharField()
    subject_id = serializers.IntegerField(allow_null=True)
    subject = serializers.CharField()
    period = serializers.CharField()
    number = serializers.IntegerField()
    target = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    actual = serializers.DecimalField(max_digits=16, decimal_places=2)
    rate = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True,
                                    help_text=_("Completion in per cent; null without a target."))
    target_id = serializers.IntegerField(allow_null=True, help_text=_("The target row when the period has its own."))
    complete = serializers.BooleanField(help_text=_("False when the figures count only the records you can see."))


class SalesTargetProgressSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    measure = serializers.CharField()
    level = serializers.CharField()
    granularity = serializers.CharField()
    complete = serializers.BooleanField()
    rows = SalesTargetProgressRowSerializer(many=True)
