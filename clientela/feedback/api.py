"""API v1: complaints, suggestions and compliments (SPEC §5), with their ISO 10002 steps as
`POST /feedback/{id}/transition/` and the customer's answer as `POST /feedback/{id}/answer/`."""

from typing import Any

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core.api import ServiceViewSet, TransitionSerializer
from clientela.core.permissions import has_perm, require

from . import selectors, services, sla, states
from .filters import filter_sla
from .models import Feedback

READ_ONLY_RECORD = ("id", "created_at", "updated_at", "lock_version", "archived_at")
INPUT_FIELDS = [
    "kind",
    "customer",
    "contact",
    "submitter_name",
    "submitter_email",
    "submitter_phone",
    "submitter_organisation",
    "channel",
    "received_at",
    "subject",
    "description",
    "category",
    "severity",
    "assigned_to",
    "remedy_sought",
]


class FeedbackSerializer(serializers.ModelSerializer):
    sla_status = serializers.SerializerMethodField(help_text="on_time, at_risk, breached, paused, met, or null")

    class Meta:
        model = Feedback
        fields = [
            "id",
            "number",
            *INPUT_FIELDS,
            "status",
            "impact",
            "immediate_action_needed",
            "immediate_action",
            "assessed_at",
            "assessed_by",
            "root_cause",
            "resolution",
            "response_to_customer",
            "responded_at",
            "customer_accepted",
            "customer_decision_at",
            "customer_decision_note",
            "evaluation",
            "rejection_reason",
            "closed_at",
            "reopen_count",
            "acknowledge_target_hours",
            "resolve_target_hours",
            "acknowledge_due_at",
            "acknowledge_warn_at",
            "resolve_due_at",
            "resolve_warn_at",
            "acknowledged_at",
            "resolved_at",
            "acknowledge_breached_at",
            "resolve_breached_at",
            "sla_paused_at",
            "sla_paused_seconds",
            "resolution_seconds",
            "sla_status",
            *READ_ONLY_RECORD[1:],
        ]
        read_only_fields = [f for f in fields if f not in INPUT_FIELDS]
        extra_kwargs = {"received_at": {"required": False}}

    def get_sla_status(self, obj: Feedback) -> str | None:
        state = sla.state(obj, self.context.get("now"))
        return state.value if state else None

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["kind"].read_only = True
        return fields


class FeedbackTransitionSerializer(TransitionSerializer):
    """`to` and `note`, plus the facts the step asks for (see the step's documentation)."""

    severity = serializers.ChoiceField(choices=Feedback.Severity.choices, required=False)
    impact = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    immediate_action_needed = serializers.BooleanField(required=False)
    immediate_action = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    root_cause = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    response_to_customer = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    rejection_reason = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    lock_version = serializers.IntegerField(required=False)


class CustomerAnswerSerializer(serializers.Serializer):
    customer_accepted = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    lock_version = serializers.IntegerField(required=False)


class FeedbackFilterSet(django_filters.FilterSet):
    sla_status = django_filters.ChoiceFilter(choices=sla.SlaState.choices, method="by_sla")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Feedback
        fields = ["kind", "status", "severity", "customer", "contact", "category", "channel", "assigned_to", "number"]

    def by_sla(self, queryset, name, value):
        return filter_sla(queryset, value)


class FeedbackViewSet(ServiceViewSet):
    """Complaints, suggestions and compliments. Records are never deleted."""

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilterSet
    search_text_field = "search_text"  # ?search= over number, subject and who filed it, accent-insensitive
    ordering_fields = ["received_at", "number", "severity", "status", "acknowledge_due_at", "resolve_due_at"]
    ordering = ["-received_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    permissions = {
        "list": "feedback.view",
        "retrieve": "feedback.view",
        "create": "feedback.add",
        "update": "feedback.work",  # PUT and DELETE answer 405: only PATCH edits, nothing is deleted
        "destroy": "feedback.work",
        "partial_update": "feedback.work",
        "transition": "feedback.view",
        "answer": "feedback.work",
    }

    def get_queryset(self):
        return selectors.feedback_list(user=self.request.user, include_archived=True).order_by("-received_at", "-id")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def create_record(self, data: dict[str, Any]) -> Feedback:
        if data.get("assigned_to") is not None:
            require(self.request.user, "feedback.assign")
        return services.feedback_create(actor=self.request.user, data=data)

    def update_record(self, instance: Feedback, data: dict[str, Any]) -> Feedback:
        data = dict(data)
        assignee = data.pop("assigned_to", instance.assigned_to)
        if data:
            instance = services.feedback_update(
                actor=self.request.user, feedback=instance, data=data, expected_version=self.expected_version()
            )
        if assignee != instance.assigned_to:
            user = self.request.user
            if not (assignee == user and has_perm(user, "feedback.take", instance)):
                require(user, "feedback.assign", instance)
            instance = services.feedback_assign(actor=user, feedback=instance, assignee=assignee)
        return instance

    @extend_schema(request=FeedbackTransitionSerializer, responses=FeedbackSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the record to its next ISO 10002 step (`to`): 409 if the move is not allowed now."""
        feedback = self.get_object()
        payload = FeedbackTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        to, note = data.pop("to"), data.pop("note", "")
        version = data.pop("lock_version", None)
        if to in Feedback.Status.values:
            require(request.user, states.permission_for(feedback, to), feedback)
        feedback = services.feedback_transition(
            actor=request.user, feedback=feedback, to=to, note=note, data=data, expected_version=version
        )
        return Response(self.get_serializer(feedback).data)

    @extend_schema(request=CustomerAnswerSerializer, responses=FeedbackSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Record whether the customer accepted the resolution (needed before closing)."""
        feedback = self.get_object()
        payload = CustomerAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        feedback = services.feedback_record_answer(
            actor=request.user,
            feedback=feedback,
            accepted=payload.validated_data["customer_accepted"],
            note=payload.validated_data["note"],
            expected_version=payload.validated_data.get("lock_version"),
        )
        return Response(self.get_serializer(feedback).data)


routes = [("feedback", FeedbackViewSet, "feedback")]
