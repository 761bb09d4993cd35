"""API v1: indicators for a period (SPEC §5), targets, management reviews, risks, documents."""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from clientela.core.api import ServiceViewSet, UserLanguageMixin
from clientela.core.periods import Period

from . import registry, selectors, services
from .models import ControlledDocument, DocumentVersion, IndicatorTarget, ManagementReview, RiskOpportunity

# --- GET /api/v1/indicators/?period=2026-Q3 -------------------------------------------------------


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    short_label = serializers.CharField(allow_blank=True)
    unit = serializers.CharField()
    process = serializers.BooleanField()
    proportion = serializers.BooleanField()
    higher_is_better = serializers.BooleanField()
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    target = serializers.FloatField()
    status = serializers.ChoiceField(choices=[registry.ON_TARGET, registry.BELOW_TARGET, registry.NO_DATA])
    level = serializers.ChoiceField(choices=["good", "warning", "bad", "neutral"])
    records_url = serializers.CharField(allow_null=True)
    ci95 = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True, required=False
    )


class IndicatorsSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    provisional = serializers.BooleanField()
    indicators = serializers.DictField(child=FigureSerializer())


def _query_errors(params: Any) -> tuple[Period, str | None, int | None]:
    errors: dict[str, list[str]] = {}
    period = None
    try:
        period = selectors.period_or_error(params.get("period") or Period.current_quarter().label)
    except ValidationError as exc:
        errors["period"] = exc.messages
    segment = params.get("segment") or None
    if segment is not None and (len(segment) > 80 or "\x00" in segment):
        errors["segment"] = [_("Enter a segment of at most 80 characters.")]
    manager = params.get("account_manager") or None
    if manager is not None:
        if not manager.isdigit() or len(manager) > 12:
            errors["account_manager"] = [_("Enter the id of a user.")]
        else:
            manager = int(manager)
    if errors:
        raise exceptions.ValidationError(errors)
    assert period is not None
    return period, segment, manager


class IndicatorsView(UserLanguageMixin, APIView):
    """Every indicator for a period, with target and status; CCT and SC are always present."""

    permission = "indicators.view"

    @extend_schema(
        operation_id="indicators_for_period",
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, description="2026-Q3, 2026-09 or 2026 (default: current quarter)"
            ),
            OpenApiParameter("segment", OpenApiTypes.STR, description="Customer segment"),
            OpenApiParameter("account_manager", OpenApiTypes.INT, description="Id of the account manager"),
        ],
        responses={
            200: IndicatorsSerializer,
            400: OpenApiResponse(description="Malformed period, segment or account manager"),
        },
    )
    def get(self, request, *args, **kwargs):
        period, segment, manager = _query_errors(request.query_params)
        today = timezone.localdate()
        values = selectors.indicator_values(period=period, today=today, segment=segment, account_manager=manager)
        return Response(
            {
                "period": period.label,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "provisional": period.is_provisional(today),
                "indicators": {v.key: v.as_api() for v in values},
            }
        )


class ReadViewSet(UserLanguageMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve only (and the explicit actions a subclass declares)."""

    permissions: dict[str, str] = {}

    def required_permission(self) -> str | None:
        return self.permissions.get(self.action or "")


# --- targets --------------------------------------------------------------------------------------


class IndicatorTargetSerializer(serializers.ModelSerializer):
    indicator = serializers.ChoiceField(choices=[])
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    target = serializers.DecimalField(max_digits=9, decimal_places=2)
    warning_band = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = IndicatorTarget
        fields = ["id", "indicator", "year", "target", "warning_band", "set_by", "lock_version", "updated_at"]
        read_only_fields = ["id", "set_by", "lock_version", "updated_at"]
        validators = []  # POST sets the year's target whether or not one exists (the service decides)

    def get_fields(self):
        fields = super().get_fields()
        fields["indicator"].choices = [(d.key, str(d.label)) for d in registry.definitions()]
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["indicator"].read_only = True
            fields["year"].read_only = True
        return fields


class IndicatorTargetFilterSet(django_filters.FilterSet):
    class Meta:
        model = IndicatorTarget
        fields = ["indicator", "year"]


class IndicatorTargetViewSet(ServiceViewSet):
    """Targets per indicator and year. POST sets the target of an indicator for a year (creating or
    changing it); only top management may."""

    serializer_class = IndicatorTargetSerializer
    filterset_class = IndicatorTargetFilterSet
    ordering_fields = ["year", "indicator"]
    ordering = ["-year", "indicator"]
    permissions = {
        "list": "indicators.view",
        "retrieve": "indicators.view",
        "create": "indicators.set_targets",
        "update": "indicators.set_targets",
        "partial_update": "indicators.set_targets",
        "destroy": "indicators.set_targets",  # refused: a year's target is changed, never deleted
    }

    def get_queryset(self):
        return selectors.target_list()

    def create_record(self, data: dict[str, Any]) -> IndicatorTarget:
        return services.target_set(
            actor=self.request.user,
            indicator=data["indicator"],
            year=data["year"],
            target=data["target"],
            warning_band=data.get("warning_band"),
        )

    def update_record(self, instance: IndicatorTarget, data: dict[str, Any]) -> IndicatorTarget:
        return services.target_set(
            actor=self.request.user,
            indicator=instance.indicator,
            year=instance.year,
            target=data.get("target", instance.target),
            warning_band=data.get("warning_band", instance.warning_band),
            expected_version=self.expected_version(),
        )


# --- management reviews ---------------------------------------------------------------------------


class ManagementReviewSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = ManagementReview
        fields = [
            "id",
            "period",
            "status",
            "meeting_date",
            "attendees",
            "other_attendees",
            "external_changes",
            "audit_results",
            "conclusions",
            "resources",
            "approved_at",
            "approved_by",
            "pack",
            "pdf_url",
            "lock_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_pdf_url(self, obj: ManagementReview) -> str:
        return reverse("indicators:review_pdf", args=[obj.pk])


class ApproveSerializer(serializers.Serializer):
    lock_version = serializers.IntegerField(required=False, min_value=1)


class ManagementReviewViewSet(ReadViewSet):
    """Management reviews (read); `POST …/{id}/approve/` freezes one (top management)."""

    serializer_class = ManagementReviewSerializer
    ordering_fields = ["period", "meeting_date", "approved_at"]
    ordering = ["-period"]
    filterset_fields = ["status", "period"]
    permissions = {"list": "reviews.view", "retrieve": "reviews.view", "approve": "reviews.approve"}

    def get_queryset(self):
        return selectors.review_list().prefetch_related("attendees").order_by("-period", "id")

    @extend_schema(request=ApproveSerializer, responses={200: ManagementReviewSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        review = self.get_object()
        payload = ApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.review_approve(
            actor=request.user, review=review, expected_version=payload.validated_data.get("lock_version")
        )
        return Response(self.get_serializer(review).data)


# --- risks and documents (read) -------------------------------------------------------------------


class RiskSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(read_only=True, allow_null=True)
    strategy = serializers.ChoiceField(choices=RiskOpportunity.Strategy.choices, allow_blank=True, read_only=True)
    level = serializers.SerializerMethodField()
    plans = serializers.SerializerMethodField()

    class Meta:
        model = RiskOpportunity
        fields = [
            "id",
            "code",
            "kind",
            "title",
            "description",
            "source",
            "likelihood",
            "impact",
            "score",
            "level",
            "strategy",
            "treatment",
            "owner",
            "review_date",
            "signal",
            "plans",
            "archived_at",
            "lock_version",
        ]
        read_only_fields = fields

    def get_level(self, obj: RiskOpportunity) -> str:
        return obj.level

    def get_plans(self, obj: RiskOpportunity) -> list[str]:
        return [link.plan_reference for link in obj.plan_links.all()]


class RiskViewSet(ReadViewSet):
    serializer_class = RiskSerializer
    filterset_fields = ["kind", "owner", "signal"]
    search_fields = ["code", "title", "description"]
    ordering_fields = ["code", "review_date"]
    ordering = ["code"]
    permissions = {"list": "risks.view", "retrieve": "risks.view"}

    def get_queryset(self):
        return selectors.risk_list(include_archived=True).order_by("code", "id")


class DocumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["id", "version", "status", "effective_date", "change_summary", "approver_label", "approved_at"]
        read_only_fields = fields


class ControlledDocumentSerializer(serializers.ModelSerializer):
    versions = DocumentVersionSerializer(many=True, read_only=True)

    class Meta:
        model = ControlledDocument
        fields = ["id", "code", "title", "author", "approver", "versions"]
        read_only_fields = fields


class ControlledDocumentViewSet(ReadViewSet):
    serializer_class = ControlledDocumentSerializer
    filterset_fields = ["code"]
    ordering = ["code"]
    permissions = {"list": "documents.view", "retrieve": "documents.view"}

    def get_queryset(self):
        return selectors.documents_with_versions()


routes = [
    ("indicator-targets", IndicatorTargetViewSet, "indicator-target"),
    ("management-reviews", ManagementReviewViewSet, "management-review"),
    ("risks", RiskViewSet, "risk"),
    ("controlled-documents", ControlledDocumentViewSet, "controlled-document"),
]

urlpatterns = [path("indicators/", IndicatorsView.as_view(), name="api-indicators")]
