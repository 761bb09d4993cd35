"""API v1: requirements (SPEC §5), with their transition, customer confirmation, new version,
versions and traceability to contract deliverables. DELETE archives; a validated or approved
requirement changes only through a new version."""

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from clientela.contracts.models import Deliverable
from clientela.core.api import SearchFilter, ServiceViewSet, TransitionSerializer
from clientela.core.permissions import require
from clientela.customers.models import Contact

from . import selectors, services
from .clarity import find_vague_terms
from .models import NOTE_MAX, ConfirmationMethod, Requirement, RequirementVersion, Status
from .states import transition_permission

READ_ONLY_RECORD = ("id", "created_at", "updated_at", "lock_version", "archived_at")
CONTENT = ("title", "description", "kind", "source", "source_reference", "priority", "acceptance_criteria")


class VagueTermSerializer(serializers.Serializer):
    field = serializers.CharField()
    text = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    hint = serializers.CharField()


class RequirementSerializer(serializers.ModelSerializer):
    is_stuck = serializers.SerializerMethodField()
    vague_terms = serializers.SerializerMethodField()

    class Meta:
        model = Requirement
        fields = [
            "id",
            "number",
            "customer",
            "contract",
            *CONTENT,
            "deliverables",
            "status",
            "status_changed_at",
            "version",
            "confirmed_by",
            "confirmed_on",
            "confirmation_method",
            "confirmation_note",
            "validated_at",
            "validated_by",
            "approved_at",
            "approved_by",
            "is_stuck",
            "vague_terms",
            "created_at",
            "updated_at",
            "lock_version",
            "archived_at",
        ]
        read_only_fields = [
            *READ_ONLY_RECORD,
            "number",
            "deliverables",
            "status",
            "status_changed_at",
            "version",
            "confirmed_by",
            "confirmed_on",
            "confirmation_method",
            "confirmation_note",
            "validated_at",
            "validated_by",
            "approved_at",
            "approved_by",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["customer"].read_only = True
        return fields

    def get_is_stuck(self, obj: Requirement) -> bool:
        """In clarification for longer than the configured limit."""
        return bool(getattr(obj, "is_stuck", False))

    @extend_schema_field(VagueTermSerializer(many=True))
    def get_vague_terms(self, obj: Requirement) -> list[dict[str, Any]]:
        found = []
        for name in ("title", "description", "acceptance_criteria"):
            for match in find_vague_terms(getattr(obj, name)):
                found.append(
                    {"field": name, "text": match.text, "start": match.start, "end": match.end, "hint": str(match.hint)}
                )
        return found


class TraceSerializer(serializers.Serializer):
    deliverables = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Deliverable.objects.select_related("contract"),
        help_text="Every deliverable that satisfies the requirement (the list replaces the current one; [] clears it).",
    )
    lock_version = serializers.IntegerField(required=False)


class RequirementVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequirementVersion
        fields = [
            "version",
            *CONTENT,
            "status",
            "change_reason",
            "confirmed_by",
            "confirmed_on",
            "confirmation_method",
            "confirmation_note",
            "validated_at",
            "validated_by",
            "approved_at",
            "approved_by",
            "created_at",
            "created_by",
            "superseded_at",
        ]
        read_only_fields = fields


class ConfirmationSerializer(serializers.Serializer):
    confirmed_by = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.filter(archived_at__isnull=True))
    confirmed_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ConfirmationMethod.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)
    lock_version = serializers.IntegerField(required=False)


class NewVersionSerializer(serializers.ModelSerializer):
    change_reason = serializers.CharField(max_length=NOTE_MAX)
    lock_version = serializers.IntegerField(required=False)

    class Meta:
        model = Requirement
        fields = [*CONTENT, "change_reason", "lock_version"]
        extra_kwargs = {name: {"required": False} for name in CONTENT}


class RequirementFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    deliverable = django_filters.NumberFilter(field_name="deliverables", help_text="Traced to this deliverable.")
    traced = django_filters.BooleanFilter(method="by_trace", help_text="Traced to at least one deliverable.")
    stuck = django_filters.BooleanFilter(field_name="is_stuck")
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Requirement
        fields = ["customer", "contract", "status", "priority", "kind", "source", "number"]

    def by_trace(self, queryset, name, value):
        traced = Exists(Requirement.deliverables.through.objects.filter(requirement_id=OuterRef("pk")))
        return queryset.filter(traced) if value else queryset.exclude(traced)


class RequirementOrdering(OrderingFilter):
    """`?ordering=priority` sorts in MoSCoW order and `status` in life-cycle order, not alphabetically."""

    RANKED = {"priority": "priority_rank", "status": "status_rank"}

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        ranked = []
        for term in ordering:
            descending = term.startswith("-")
            name = self.RANKED.get(term.lstrip("-"), term.lstrip("-"))
            ranked.append(f"-{name}" if descending else name)
        return [*ranked, "id"]


class RequirementViewSet(ServiceViewSet):
    """Requirements. DELETE archives (drafts, rejected or withdrawn ones only)."""

    serializer_class = RequirementSerializer
    filterset_class = RequirementFilterSet
    filter_backends = [DjangoFilterBackend, SearchFilter, RequirementOrdering]
    search_text_field = "search_text"
    ordering_fields = ["number", "priority", "status", "created_at", "updated_at", "status_changed_at", "version"]
    ordering = ["-created_at", "-id"]
    permissions = {
        "list": "requirements.view",
        "retrieve": "requirements.view",
        "versions": "requirements.view",
        "create": "requirements.change",
        "update": "requirements.change",
        "partial_update": "requirements.change",
        "destroy": "requirements.change",
        "confirmation": "requirements.change",
        "new_version": "requirements.change",
        "trace": "requirements.change",
        "transition": "requirements.view",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Requirement.objects.none()
        return (
            selectors.requirement_list(user=self.request.user, include_archived=True)
            .prefetch_related(Prefetch("deliverables", queryset=Deliverable.objects.only("pk")))
            .order_by("-created_at", "-id")
        )

    def _fresh(self, requirement: Requirement) -> Requirement:
        return selectors.requirement_get(user=self.request.user, pk=requirement.pk)

    def create_record(self, data: dict[str, Any]) -> Requirement:
        data = dict(data)
        customer = data.pop("customer")
        require(self.request.user, "requirements.change", customer)
        return self._fresh(services.requirement_create(actor=self.request.user, customer=customer, data=data))

    def update_record(self, instance: Requirement, data: dict[str, Any]) -> Requirement:
        updated = services.requirement_update(
            actor=self.request.user, requirement=instance, data=data, expected_version=self.expected_version()
        )
        return self._fresh(updated)

    def archive_record(self, instance: Requirement) -> None:
        services.requirement_archive(actor=self.request.user, requirement=instance)

    @extend_schema(request=TransitionSerializer, responses=RequirementSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the requirement to another status: `{"to": "validated", "note": "…"}`; 409 if not allowed."""
        requirement = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = body.validated_data["to"]
        require(request.user, transition_permission(target), requirement)
        updated = services.requirement_transition(
            actor=request.user,
            requirement=requirement,
            target=target,
            note=body.validated_data["note"],
            expected_version=self.expected_version(),
        )
        return Response(RequirementSerializer(self._fresh(updated)).data)

    @extend_schema(request=ConfirmationSerializer, responses=RequirementSerializer)
    @action(detail=True, methods=["post"])
    def confirmation(self, request: Request, pk: str | None = None) -> Response:
        """Record who at the customer confirmed the current version, when and how."""
        requirement = self.get_object()
        body = ConfirmationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = services.requirement_confirm(
            actor=request.user,
            requirement=requirement,
            contact=body.validated_data["confirmed_by"],
            confirmed_on=body.validated_data["confirmed_on"],
            method=body.validated_data["method"],
            note=body.validated_data["note"],
            expected_version=body.validated_data.get("lock_version"),
        )
        return Response(RequirementSerializer(self._fresh(updated)).data)

    @extend_schema(request=NewVersionSerializer, responses=RequirementSerializer)
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str | None = None) -> Response:
        """Change a validated or approved requirement: a new version, back in clarification."""
        requirement = self.get_object()
        body = NewVersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if k not in ("change_reason", "lock_version")}
        updated = services.requirement_new_version(
            actor=request.user,
            requirement=requirement,
            data=data,
            reason=body.validated_data["change_reason"],
            expected_version=body.validated_data.get("lock_version"),
        )
        return Response(RequirementSerializer(self._fresh(updated)).data)

    @extend_schema(request=TraceSerializer, responses=RequirementSerializer)
    @action(detail=True, methods=["post"])
    def trace(self, request: Request, pk: str | None = None) -> Response:
        """Say which contract deliverables satisfy the requirement: `{"deliverables": [ids]}` replaces the
        list. Deliverables of another customer's contracts are a 400; a rejected or withdrawn
        requirement takes no new deliverables (409)."""
        requirement = self.get_object()
        body = TraceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = services.requirement_trace(
            actor=request.user,
            requirement=requirement,
            deliverables=body.validated_data["deliverables"],
            expected_version=body.validated_data.get("lock_version"),
        )
        return Response(RequirementSerializer(self._fresh(updated)).data)

    @extend_schema(responses=RequirementVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """Every version of the requirement as it stood, oldest first."""
        requirement = self.get_object()
        return Response(RequirementVersionSerializer(selectors.versions_of(requirement), many=True).data)


routes = [("requirements", RequirementViewSet, "requirement")]
