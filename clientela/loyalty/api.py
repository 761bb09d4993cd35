"""API v1: loyalty programmes, memberships, the points ledger and redemptions (SPEC §5)."""

from typing import Any

import django_filters
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core.api import ServiceViewSet, TransitionSerializer
from clientela.core.permissions import require

from . import selectors, services
from .models import EarningRule, LoyaltyProgramme, Membership, PointsEntry, Redemption, Reward, Tier

READ_ONLY_RECORD = ("id", "created_at", "updated_at", "lock_version", "archived_at")
# Actions the router exposes but these resources refuse: readers get 405 (http_method_names), others 403.
NOT_ALLOWED = {"update": "loyalty.view", "partial_update": "loyalty.view", "destroy": "loyalty.view"}


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "name", "min_points", "benefits"]


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = EarningRule
        fields = [
            "id",
            "event",
            "fixed_points",
            "points_per_unit",
            "currency",
            "max_points",
            "is_active",
            "description",
        ]


class RewardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = ["id", "name", "description", "points_cost", "min_tier", "stock", "is_active"]


class ProgrammeSerializer(serializers.ModelSerializer):
    enrol_segments = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
    tiers = serializers.SerializerMethodField()
    rules = serializers.SerializerMethodField()
    rewards = serializers.SerializerMethodField()

    class Meta:
        model = LoyaltyProgramme
        fields = [
            "id",
            "name",
            "description",
            "status",
            "points_validity_months",
            "max_adjustment",
            "enrol_segments",
            "terms",
            "owner",
            "tiers",
            "rules",
            "rewards",
            "created_at",
            "updated_at",
            "lock_version",
            "archived_at",
        ]
        read_only_fields = [*READ_ONLY_RECORD, "status"]

    def get_tiers(self, obj: LoyaltyProgramme) -> list[dict[str, Any]]:
        return TierSerializer([t for t in obj.tiers.all() if t.archived_at is None], many=True).data

    def get_rules(self, obj: LoyaltyProgramme) -> list[dict[str, Any]]:
        return RuleSerializer([r for r in obj.rules.all() if r.archived_at is None], many=True).data

    def get_rewards(self, obj: LoyaltyProgramme) -> list[dict[str, Any]]:
        return RewardSerializer([r for r in obj.rewards.all() if r.archived_at is None], many=True).data


class MembershipSerializer(serializers.ModelSerializer):
    balance = serializers.IntegerField(read_only=True, help_text="Sum of the member's ledger entries.")
    qualifying_points = serializers.IntegerField(
        source="qualifying", read_only=True, help_text="Points earned in the last 12 months (rolling)."
    )
    tier = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "number",
            "programme",
            "customer",
            "status",
            "source",
            "enrolled_at",
            "ended_at",
            "balance",
            "qualifying_points",
            "tier",
            "created_at",
            "updated_at",
            "lock_version",
        ]
        read_only_fields = [
            "id",
            "number",
            "status",
            "source",
            "enrolled_at",
            "ended_at",
            "created_at",
            "updated_at",
            "lock_version",
        ]
        validators = []  # the service explains a second enrolment on the `customer` field

    def get_tier(self, obj: Membership) -> dict[str, Any] | None:
        tier = getattr(obj, "tier", None)
        return {"id": tier.pk, "name": tier.name} if tier else None


class PointsEntrySerializer(serializers.ModelSerializer):
    source_type = serializers.SlugRelatedField(slug_field="model", read_only=True)

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "membership",
            "kind",
            "points",
            "reason",
            "rule",
            "source_type",
            "source_id",
            "source_label",
            "expires_at",
            "actor",
            "created_at",
        ]
        read_only_fields = [f for f in fields if f not in ("membership", "points", "reason")]
        extra_kwargs = {"points": {"help_text": "Manual adjustment: positive adds points, negative is a correction."}}


class RedemptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Redemption
        fields = [
            "id",
            "number",
            "membership",
            "reward",
            "points",
            "status",
            "note",
            "requested_by",
            "delivered_at",
            "cancelled_at",
            "created_at",
            "updated_at",
            "lock_version",
        ]
        read_only_fields = [f for f in fields if f not in ("membership", "reward", "note")]


class MembershipFilterSet(django_filters.FilterSet):
    class Meta:
        model = Membership
        fields = ["programme", "customer", "status", "number"]


class EntryFilterSet(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    customer = django_filters.NumberFilter(field_name="membership__customer")
    programme = django_filters.NumberFilter(field_name="membership__programme")

    class Meta:
        model = PointsEntry
        fields = ["membership", "kind", "customer", "programme"]


class RedemptionFilterSet(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="membership__customer")

    class Meta:
        model = Redemption
        fields = ["membership", "reward", "status", "customer"]


class ProgrammeViewSet(ServiceViewSet):
    """Loyalty programmes with their tiers, earning rules and rewards. DELETE archives."""

    serializer_class = ProgrammeSerializer
    filterset_fields = ["status"]
    search_fields = ["name"]
    ordering_fields = ["name", "status", "created_at"]
    ordering = ["name", "id"]
    permissions = {
        "list": "loyalty.view",
        "retrieve": "loyalty.view",
        "create": "loyalty.manage",
        "update": "loyalty.manage",
        "partial_update": "loyalty.manage",
        "destroy": "loyalty.manage",
        "transition": "loyalty.manage",
    }

    def get_queryset(self):
        return (
            LoyaltyProgramme.objects.select_related("owner")
            .prefetch_related("tiers", "rules", "rewards")
            .order_by("name", "id")
        )

    def create_record(self, data: dict[str, Any]) -> LoyaltyProgramme:
        return services.programme_create(actor=self.request.user, data=data)

    def update_record(self, instance: LoyaltyProgramme, data: dict[str, Any]) -> LoyaltyProgramme:
        return services.programme_update(
            actor=self.request.user, programme=instance, data=data, expected_version=self.expected_version()
        )

    def archive_record(self, instance: LoyaltyProgramme) -> None:
        services.programme_archive(actor=self.request.user, programme=instance)

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        programme = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        programme = services.programme_transition(
            actor=request.user, programme=programme, to=body.validated_data["to"], note=body.validated_data["note"]
        )
        return Response(ProgrammeSerializer(self.get_queryset().get(pk=programme.pk)).data)


class MembershipViewSet(ServiceViewSet):
    """Members with their balance (sum of the ledger), qualifying points and tier. POST enrols an
    active customer; `…/{id}/transition/` suspends, ends or reactivates."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering_fields = ["number", "enrolled_at", "balance", "qualifying"]
    ordering = ["number", "id"]
    http_method_names = ["get", "post", "head", "options"]
    permissions = {
        "list": "loyalty.view",
        "retrieve": "loyalty.view",
        "create": "loyalty.operate",
        "transition": "loyalty.manage",
        **NOT_ALLOWED,
    }

    def get_queryset(self):
        return selectors.membership_list(user=self.request.user).order_by("number", "id")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return selectors.attach_tiers(page) if page is not None else page

    def get_object(self):
        return selectors.attach_tiers([super().get_object()])[0]

    def create_record(self, data: dict[str, Any]) -> Membership:
        require(self.request.user, "loyalty.operate", data["customer"])
        membership = services.membership_enrol(
            actor=self.request.user,
            programme=data["programme"],
            customer=data["customer"],
            source=Membership.Source.API,
        )
        return selectors.attach_tiers([selectors.membership_get(user=self.request.user, pk=membership.pk)])[0]

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        membership = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.membership_transition(
            actor=request.user, membership=membership, to=body.validated_data["to"], note=body.validated_data["note"]
        )
        return Response(MembershipSerializer(self.get_object()).data)


class PointsViewSet(ServiceViewSet):
    """The points ledger, read-only except for manual adjustments: POST `{"membership", "points",
    "reason"}`. Entries are never changed or deleted."""

    serializer_class = PointsEntrySerializer
    filterset_class = EntryFilterSet
    search_fields = ["reason", "source_label"]
    ordering_fields = ["created_at", "points"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]
    permissions = {"list": "loyalty.view", "retrieve": "loyalty.view", "create": "loyalty.operate", **NOT_ALLOWED}

    def get_queryset(self):
        return (
            selectors.entries_list(user=self.request.user).select_related("source_type").order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = serializer.validated_data["membership"]
        require(request.user, "loyalty.operate", membership)
        entry = services.points_adjust(
            actor=request.user,
            membership=membership,
            points=serializer.validated_data["points"],
            reason=serializer.validated_data["reason"],
        )
        return Response(PointsEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class RedemptionViewSet(ServiceViewSet):
    """Redemptions: POST `{"membership", "reward"}` spends the points (409 when they are not there);
    `…/{id}/transition/` with `delivered` or `cancelled` (cancelling returns the points)."""

    serializer_class = RedemptionSerializer
    filterset_class = RedemptionFilterSet
    search_fields = ["number"]
    ordering_fields = ["created_at", "points", "number"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]
    permissions = {
        "list": "loyalty.view",
        "retrieve": "loyalty.view",
        "create": "loyalty.operate",
        "transition": "loyalty.operate",
        **NOT_ALLOWED,
    }

    def get_queryset(self):
        return selectors.redemption_list(user=self.request.user).order_by("-created_at", "-id")

    def create_record(self, data: dict[str, Any]) -> Redemption:
        membership = data["membership"]
        require(self.request.user, "loyalty.operate", membership)
        return services.redemption_create(
            actor=self.request.user, membership=membership, reward=data["reward"], note=data.get("note", "")
        )

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        redemption = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        redemption = services.redemption_transition(
            actor=request.user, redemption=redemption, to=body.validated_data["to"], note=body.validated_data["note"]
        )
        return Response(RedemptionSerializer(redemption).data)


routes = [
    ("loyalty-programmes", ProgrammeViewSet, "loyalty-programme"),
    ("memberships", MembershipViewSet, "membership"),
    ("points", PointsViewSet, "points-entry"),
    ("redemptions", RedemptionViewSet, "redemption"),
]
