"""API v1: action plans (SPEC §5) with their nested actions; state changes are explicit:
`POST /action-plans/{id}/transition/`, `POST /action-plans/{id}/verify/`,
`POST /action-plans/{plan}/actions/{id}/transition/`."""

from typing import Any

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core.api import ServiceViewSet, TransitionSerializer
from clientela.core.permissions import require

from . import selectors, services
from .models import Action, ActionPlan, EffectivenessCheck

PLAN_INPUT = [
    "kind",
    "origin",
    "customer",
    "title",
    "problem",
    "containment",
    "correction",
    "consequences",
    "root_cause_method",
    "five_whys",
    "ishikawa",
    "root_cause",
    "similar_cases_checked",
    "similar_cases",
    "risk_update_needed",
    "owner",
    "due_date",
    "effectiveness_criterion",
    "verification_due",
]


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
            "description",
            "owner",
            "due_date",
            "status",
            "done_at",
            "evidence",
            "created_at",
            "updated_at",
            "lock_version",
        ]
        read_only_fields = ["id", "plan", "status", "done_at", "created_at", "updated_at", "lock_version"]


class CheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = EffectivenessCheck
        fields = ["id", "method", "evidence", "result", "verified_by", "verified_at"]


class ActionPlanSerializer(serializers.ModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)
    checks = CheckSerializer(many=True, read_only=True)
    source_type = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="app_label.model of the origin record"
    )
    source_id = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "number",
            *PLAN_INPUT,
            "source_type",
            "source_id",
            "source_label",
            "status",
            "effectiveness_result",
            "verified_by",
            "verified_at",
            "closed_at",
            "cancel_reason",
            "follow_up_of",
            "actions",
            "checks",
            "created_at",
            "updated_at",
            "lock_version",
            "archived_at",
        ]
        read_only_fields = [f for f in fields if f not in (*PLAN_INPUT, "source_type", "source_id")]

    def to_representation(self, instance: ActionPlan) -> dict[str, Any]:
        data = super().to_representation(instance)
        ct = instance.source_content_type
        data["source_type"] = f"{ct.app_label}.{ct.model}" if ct else None
        data["source_id"] = instance.source_object_id
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        source_type, source_id = attrs.pop("source_type", ""), attrs.pop("source_id", None)
        if self.instance is not None:
            return attrs
        if bool(source_type) != bool(source_id):
            raise serializers.ValidationError({"source_id": [_("Give both the origin type and its id, or neither.")]})
        if source_type:
            app_label, _dot, model = source_type.lower().partition(".")
            ct = ContentType.objects.filter(app_label=app_label, model=model).first()
            model_class = ct.model_class() if ct else None
            source = model_class._default_manager.filter(pk=source_id).first() if model_class else None
            if source is None:
                raise serializers.ValidationError({"source_id": [_("The origin record does not exist.")]})
            attrs["source"] = source
        return attrs


class PlanTransitionSerializer(TransitionSerializer):
    lock_version = serializers.IntegerField(required=False)


class VerificationSerializer(serializers.Serializer):
    method = serializers.CharField(max_length=10000)
    evidence = serializers.CharField(max_length=10000)
    result = serializers.ChoiceField(choices=ActionPlan.Result.choices)
    follow_up = serializers.BooleanField(required=False, default=False)
    lock_version = serializers.IntegerField(required=False)


class ActionTransitionSerializer(TransitionSerializer):
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    lock_version = serializers.IntegerField(required=False)


class PlanFilterSet(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = ActionPlan
        fields = ["kind", "origin", "status", "customer", "owner", "effectiveness_result", "number"]


class ActionPlanViewSet(ServiceViewSet):
    """Corrective and improvement action plans, with their actions and verifications."""

    serializer_class = ActionPlanSerializer
    filterset_class = PlanFilterSet
    search_text_field = "search_text"
    ordering_fields = ["created_at", "due_date", "number", "status"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    permissions = {
        "list": "action_plans.view",
        "retrieve": "action_plans.view",
        "create": "action_plans.add",
        "update": "action_plans.change",  # PUT and DELETE answer 405
        "destroy": "action_plans.change",
        "partial_update": "action_plans.change",
        "transition": "action_plans.change",
        "verify": "action_plans.verify",
    }

    def get_queryset(self):
        return (
            selectors.plan_list(user=self.request.user, include_archived=True)
            .select_related("source_content_type")
            .prefetch_related("actions", "checks")
            .order_by("-created_at", "-id")
        )

    def create_record(self, data: dict[str, Any]) -> ActionPlan:
        data = dict(data)
        source = data.pop("source", None)
        return services.plan_create(actor=self.request.user, data=data, source=source)

    def update_record(self, instance: ActionPlan, data: dict[str, Any]) -> ActionPlan:
        return services.plan_update(
            actor=self.request.user, plan=instance, data=data, expected_version=self.expected_version()
        )

    def _fresh(self, plan: ActionPlan) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=plan.pk)).data

    @extend_schema(request=PlanTransitionSerializer, responses=ActionPlanSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Start the actions (`in_progress`), send to verification (`pending_verification`) or cancel."""
        plan = self.get_object()
        payload = PlanTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.plan_transition(
            actor=request.user,
            plan=plan,
            to=payload.validated_data["to"],
            note=payload.validated_data["note"],
            expected_version=payload.validated_data.get("lock_version"),
        )
        return Response(self._fresh(plan))

    @extend_schema(request=VerificationSerializer, responses=ActionPlanSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Record the effectiveness verification (quality representatives): effective closes the plan."""
        plan = self.get_object()
        payload = VerificationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("lock_version", None)
        plan = services.plan_verify(actor=request.user, plan=plan, data=data, expected_version=version)
        return Response(self._fresh(plan))


class ActionViewSet(ServiceViewSet):
    """The actions of one plan."""

    serializer_class = ActionSerializer
    ordering_fields = ["due_date", "created_at"]
    ordering = ["due_date", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    permissions = {
        "list": "action_plans.view",
        "retrieve": "action_plans.view",
        "create": "action_plans.change",
        "update": "actions.work",  # PUT and DELETE answer 405
        "destroy": "actions.work",
        "partial_update": "actions.work",
        "transition": "actions.work",
    }

    def plan(self) -> ActionPlan:
        if not hasattr(self, "_plan"):
            self._plan = get_object_or_404(ActionPlan, pk=self.kwargs["plan_pk"])
        return self._plan

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no plan
            return Action.objects.none()
        return Action.objects.filter(plan=self.plan()).select_related("owner", "plan").order_by("due_date", "id")

    def create_record(self, data: dict[str, Any]) -> Action:
        require(self.request.user, "action_plans.change", self.plan())
        return services.action_create(actor=self.request.user, plan=self.plan(), data=data)

    def update_record(self, instance: Action, data: dict[str, Any]) -> Action:
        return services.action_update(
            actor=self.request.user, action=instance, data=data, expected_version=self.expected_version()
        )

    @extend_schema(request=ActionTransitionSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, plan_pk=None, pk=None):
        """Mark the action `done` (with evidence), `cancelled` (with a reason) or `pending` again."""
        item = self.get_object()
        payload = ActionTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.action_transition(
            actor=request.user,
            action=item,
            to=payload.validated_data["to"],
            note=payload.validated_data["note"],
            evidence=payload.validated_data.get("evidence"),
            expected_version=payload.validated_data.get("lock_version"),
        )
        return Response(self.get_serializer(item).data)


routes = [
    ("action-plans", ActionPlanViewSet, "action-plan"),
    (r"action-plans/(?P<plan_pk>\d+)/actions", ActionViewSet, "action-plan-action"),
]
