"""API v1: contracts (with transition and review), deliverables (with the requirements they satisfy),
deliveries, regulations (SPEC §5)."""

from typing import Any

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core.api import ServiceViewSet, TransitionSerializer
from clientela.core.permissions import require
from clientela.requirements import services as requirement_services
from clientela.requirements.models import Requirement

from . import selectors, services
from .models import Contract, ContractRegulation, ContractReview, Deliverable, Delivery, Regulation
from .states import CONTRACT_FLOW, CONTRACT_MOVE_PERMISSIONS

READ_ONLY_RECORD = ("id", "created_at", "updated_at", "lock_version", "archived_at")
RECORD_FIELDS = ["created_at", "updated_at", "lock_version", "archived_at"]


class RegulationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Regulation
        fields = ["id", "code", "title", "jurisdiction", "summary", "url", *RECORD_FIELDS]
        read_only_fields = READ_ONLY_RECORD
        extra_kwargs = {"code": {"validators": []}}


class ContractReviewSerializer(serializers.ModelSerializer):
    passed = serializers.BooleanField(read_only=True)

    class Meta:
        model = ContractReview
        fields = ["id", *ContractReview.CHECKS, "notes", "reviewer", "reviewed_at", "passed", "superseded_at"]
        read_only_fields = fields


class ReviewInputSerializer(serializers.Serializer):
    requirements_defined = serializers.BooleanField()
    differences_resolved = serializers.BooleanField()
    capacity_confirmed = serializers.BooleanField()
    regulations_identified = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ContractRegulationSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="regulation.code", read_only=True)

    class Meta:
        model = ContractRegulation
        fields = ["regulation", "code", "last_reviewed_on", "reviewed_by"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    regulations = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Regulation.objects.filter(archived_at__isnull=True)
    )
    regulation_reviews = ContractRegulationSerializer(source="regulation_links", many=True, read_only=True)
    review = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "customer",
            "contact",
            "title",
            "kind",
            "status",
            "start_date",
            "end_date",
            "value",
            "currency",
            "owner",
            "renews",
            "regulations",
            "regulation_reviews",
            "review",
            "terms",
            "notes",
            "activated_at",
            "closed_at",
            "close_reason",
            *RECORD_FIELDS,
        ]
        read_only_fields = [*READ_ONLY_RECORD, "status", "activated_at", "closed_at", "close_reason"]
        extra_kwargs = {"number": {"validators": [], "required": False}}

    @extend_schema(responses=ContractReviewSerializer(allow_null=True))
    def get_review(self, obj: Contract) -> dict[str, Any] | None:
        """The review that counts (the newest not superseded), or null."""
        prefetched = getattr(obj, "current_reviews", None)
        if prefetched is None:
            review = services.current_review(obj)
        else:
            review = prefetched[0] if prefetched else None
        return ContractReviewSerializer(review).data if review else None


class DeliverableSerializer(serializers.ModelSerializer):
    fulfilled = serializers.BooleanField(read_only=True, help_text="A conforming delivery on or before the due date.")
    outcome = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    requirements = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The customer's requirements this deliverable satisfies (traceability)."
    )

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "contract",
            "description",
            "due_date",
            "acceptance_criteria",
            "responsible",
            "team",
            "status",
            "cancel_reason",
            "recurring",
            "fulfilled",
            "outcome",
            "warnings",
            "requirements",
            *RECORD_FIELDS,
        ]
        read_only_fields = [*READ_ONLY_RECORD, "status", "cancel_reason", "recurring"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["contract"].read_only = True
        return fields

    def get_outcome(self, obj: Deliverable) -> str:
        """pending | overdue | nonconforming | on_time | late | cancelled"""
        return selectors.outcome(obj)[0]

    def get_warnings(self, obj: Deliverable) -> list[str]:
        return services.deliverable_warnings(obj)


class DeliverableTraceSerializer(serializers.Serializer):
    requirements = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Requirement.objects.filter(archived_at__isnull=True),
        help_text="Every requirement the deliverable satisfies (the list replaces the current one; [] clears it).",
    )


class DeliverySerializer(serializers.ModelSerializer):
    on_time = serializers.BooleanField(read_only=True)
    deliverable_version = serializers.IntegerField(
        write_only=True,
        required=False,
        help_text="The deliverable's lock_version as you read it: a delivery recorded meanwhile answers 409.",
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "deliverable",
            "delivered_on",
            "conforming",
            "notes",
            "nonconformity",
            "severity",
            "recorded_by",
            "on_time",
            "deliverable_version",
            *RECORD_FIELDS,
        ]
        read_only_fields = [*READ_ONLY_RECORD, "recorded_by"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["deliverable"].read_only = True
        return fields


class ContractFilterSet(django_filters.FilterSet):
    start_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")
    end_after = django_filters.DateFilter(field_name="end_date", lookup_expr="gte")
    end_before = django_filters.DateFilter(field_name="end_date", lookup_expr="lte")
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Contract
        fields = ["number", "customer", "status", "kind", "currency", "owner", "renews", "regulations"]


class DeliverableFilterSet(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="contract__customer")
    requirement = django_filters.NumberFilter(field_name="requirements", help_text="Satisfies this requirement.")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Deliverable
        fields = ["contract", "status", "responsible", "team", "recurring"]


class DeliveryFilterSet(django_filters.FilterSet):
    contract = django_filters.NumberFilter(field_name="deliverable__contract")
    customer = django_filters.NumberFilter(field_name="deliverable__contract__customer")
    delivered_after = django_filters.DateFilter(field_name="delivered_on", lookup_expr="gte")
    delivered_before = django_filters.DateFilter(field_name="delivered_on", lookup_expr="lte")

    class Meta:
        model = Delivery
        fields = ["deliverable", "conforming", "severity", "recorded_by"]


class RegulationFilterSet(django_filters.FilterSet):
    class Meta:
        model = Regulation
        fields = ["code", "jurisdiction"]


class ContractViewSet(ServiceViewSet):
    """Contracts. DELETE archives the contract with its deliverables and deliveries (nothing is lost)."""

    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    search_text_field = "search_text"
    ordering_fields = ["number", "title", "start_date", "end_date", "value", "status", "created_at", "updated_at"]
    ordering = ["-start_date", "-id"]
    permissions = {
        "list": "contracts.view",
        "retrieve": "contracts.view",
        "create": "contracts.add",
        "update": "contracts.change",
        "partial_update": "contracts.change",
        "destroy": "contracts.archive",
        "transition": "contracts.view",
        "review": "contracts.review",
    }

    def get_queryset(self):
        current = ContractReview.objects.filter(superseded_at__isnull=True).select_related("reviewer")
        return (
            Contract.objects.select_related("customer", "customer__account_manager")
            .prefetch_related(
                "regulations",
                Prefetch("regulation_links", queryset=ContractRegulation.objects.select_related("regulation")),
                Prefetch("reviews", queryset=current, to_attr="current_reviews"),
            )
            .order_by("-start_date", "-id")
        )

    def create_record(self, data: dict[str, Any]) -> Contract:
        require(
            self.request.user, "contracts.change", Contract(customer=data["customer"], status=Contract.Status.DRAFT)
        )
        return services.contract_create(actor=self.request.user, data=data)

    def update_record(self, instance: Contract, data: dict[str, Any]) -> Contract:
        if data.get("customer", instance.customer) != instance.customer:
            require(self.request.user, "contracts.change", Contract(customer=data["customer"], status=instance.status))
        return services.contract_update(
            actor=self.request.user, contract=instance, data=data, expected_version=self.expected_version()
        )

    def archive_record(self, instance: Contract) -> None:
        services.contract_archive(actor=self.request.user, contract=instance)

    @extend_schema(request=TransitionSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the contract: {"to": "in_review" | "active" | "completed" | …, "note"}. 409 if not allowed."""
        contract = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = body.validated_data["to"]
        CONTRACT_FLOW.check(contract.status, target)
        require(
            request.user, CONTRACT_MOVE_PERMISSIONS.get((contract.status, target), "contracts.transition"), contract
        )
        services.contract_transition(
            actor=request.user,
            contract=contract,
            to=target,
            note=body.validated_data["note"],
            expected_version=self.expected_version(),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=contract.pk)).data)

    @extend_schema(request=ReviewInputSerializer, responses={201: ContractReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Record the contract review (ISO 9001 8.2.3). Activation needs the four checks true."""
        contract = self.get_object()
        body = ReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.contract_review_record(actor=request.user, contract=contract, data=body.validated_data)
        return Response(ContractReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class DeliverableViewSet(ServiceViewSet):
    """Deliverables (obligations). They are cancelled, not deleted: POST …/transition/ {"to": "cancelled", "note"}."""

    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilterSet
    search_fields = ["description", "contract__number"]
    ordering_fields = ["due_date", "description", "created_at"]
    ordering = ["due_date", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permissions = {
        "list": "contracts.view",
        "retrieve": "contracts.view",
        "create": "deliverables.change",
        "update": "deliverables.change",
        "partial_update": "deliverables.change",
        "destroy": "deliverables.change",
        "transition": "deliverables.change",
        "trace": "requirements.change",
    }

    def get_queryset(self):
        traced = Requirement.objects.filter(archived_at__isnull=True).only("pk")
        return (
            selectors.with_outcome(Deliverable.objects.select_related("contract", "contract__customer"))
            .prefetch_related(Prefetch("requirements", queryset=traced))
            .order_by("due_date", "id")
        )

    def _fresh(self, deliverable: Deliverable) -> Deliverable:
        return self.get_queryset().get(pk=deliverable.pk)

    def create_record(self, data: dict[str, Any]) -> Deliverable:
        data = dict(data)
        contract = data.pop("contract")
        require(self.request.user, "deliverables.change", contract)
        return self._fresh(services.deliverable_create(actor=self.request.user, contract=contract, data=data))

    def update_record(self, instance: Deliverable, data: dict[str, Any]) -> Deliverable:
        updated = services.deliverable_update(
            actor=self.request.user, deliverable=instance, data=data, expected_version=self.expected_version()
        )
        return self._fresh(updated)

    @extend_schema(request=TransitionSerializer, responses=DeliverableSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Cancel ({"to": "cancelled", "note": reason}) or reinstate ({"to": "pending"}) a deliverable."""
        deliverable = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.deliverable_transition(
            actor=request.user,
            deliverable=deliverable,
            to=body.validated_data["to"],
            note=body.validated_data["note"],
            expected_version=self.expected_version(),
        )
        return Response(self.get_serializer(self._fresh(deliverable)).data)

    @extend_schema(request=DeliverableTraceSerializer, responses=DeliverableSerializer)
    @action(detail=True, methods=["post"])
    def trace(self, request, pk=None):
        """Say which requirements of the customer the deliverable satisfies: {"requirements": [ids]}
        replaces the list; requirements of another customer are a 400."""
        deliverable = self.get_object()
        body = DeliverableTraceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        requirement_services.deliverable_trace(
            actor=request.user, deliverable=deliverable, requirements=body.validated_data["requirements"]
        )
        return Response(self.get_serializer(self._fresh(deliverable)).data)


class DeliveryViewSet(ServiceViewSet):
    """Deliveries against deliverables. Recorded, then corrected if needed; never deleted."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    search_fields = ["notes", "nonconformity", "deliverable__description"]
    ordering_fields = ["delivered_on", "created_at"]
    ordering = ["-delivered_on", "-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permissions = {
        "list": "contracts.view",
        "retrieve": "contracts.view",
        "create": "deliveries.add",
        "update": "deliveries.change",
        "partial_update": "deliveries.change",
        "destroy": "deliveries.change",
    }

    def get_queryset(self):
        return Delivery.objects.select_related("deliverable", "deliverable__contract__customer").order_by(
            "-delivered_on", "-id"
        )

    def create_record(self, data: dict[str, Any]) -> Delivery:
        data = dict(data)
        deliverable = data.pop("deliverable")
        require(self.request.user, "deliveries.add", deliverable)
        version = data.pop("deliverable_version", None)
        return services.delivery_record(
            actor=self.request.user, deliverable=deliverable, data=data, expected_version=version
        )

    def update_record(self, instance: Delivery, data: dict[str, Any]) -> Delivery:
        data = {k: v for k, v in data.items() if k != "deliverable_version"}
        return services.delivery_update(
            actor=self.request.user, delivery=instance, data=data, expected_version=self.expected_version()
        )


class RegulationViewSet(ServiceViewSet):
    """The regulations register. DELETE archives a regulation; contracts that cite it keep the link."""

    serializer_class = RegulationSerializer
    filterset_class = RegulationFilterSet
    search_text_field = "search_text"
    ordering_fields = ["code", "title", "jurisdiction"]
    ordering = ["code", "id"]
    permissions = {
        "list": "contracts.view",
        "retrieve": "contracts.view",
        "create": "regulations.change",
        "update": "regulations.change",
        "partial_update": "regulations.change",
        "destroy": "regulations.change",
    }

    def get_queryset(self):
        return Regulation.objects.order_by("code", "id")

    def create_record(self, data: dict[str, Any]) -> Regulation:
        return services.regulation_create(actor=self.request.user, data=data)

    def update_record(self, instance: Regulation, data: dict[str, Any]) -> Regulation:
        return services.regulation_update(
            actor=self.request.user, regulation=instance, data=data, expected_version=self.expected_version()
        )

    def archive_record(self, instance: Regulation) -> None:
        services.regulation_archive(actor=self.request.user, regulation=instance)


routes = [
    ("contracts", ContractViewSet, "contract"),
    ("deliverables", DeliverableViewSet, "deliverable"),
    ("deliveries", DeliveryViewSet, "delivery"),
    ("regulations", RegulationViewSet, "regulation"),
]
