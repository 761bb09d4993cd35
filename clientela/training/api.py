"""API v1: competences, courses, training sessions, attendances, competence evaluations and training
needs (SPEC §5). Whole records are for quality and management; everyone reads their own attendance,
evaluations and needs."""

from typing import Any

import django_filters
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core.api import ServiceViewSet, TransitionSerializer
from clientela.core.permissions import has_perm

from . import selectors, services
from .models import Attendance, Competence, CompetenceEvaluation, Course, TrainingNeed, TrainingSession

RECORD = ["created_at", "updated_at", "lock_version"]


class CompetenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Competence
        fields = ["id", "code", "name", "description", "validity_months", *RECORD, "archived_at"]
        read_only_fields = ["id", *RECORD, "archived_at"]


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = [
            "id",
            "code",
            "title",
            "objectives",
            "competences",
            "duration_hours",
            "modality",
            "provider",
            "provider_name",
            "is_active",
            *RECORD,
        ]
        read_only_fields = ["id", *RECORD]


class SessionSerializer(serializers.ModelSerializer):
    origin_type = serializers.SlugRelatedField(slug_field="model", read_only=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "number",
            "course",
            "starts_at",
            "duration_hours",
            "trainer",
            "trainer_name",
            "modality",
            "location",
            "status",
            "notes",
            "origin_type",
            "origin_id",
            "origin_label",
            *RECORD,
        ]
        read_only_fields = ["id", "number", "status", "origin_id", "origin_label", *RECORD]
        extra_kwargs = {"duration_hours": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["course"].read_only = True
        return fields


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "session", "person", "status", "hours", "note", *RECORD]
        read_only_fields = ["id", *RECORD]
        validators = []  # recording attendance twice updates the line

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["session"].read_only = True
            fields["person"].read_only = True
        return fields


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompetenceEvaluation
        fields = [
            "id",
            "person",
            "competence",
            "session",
            "evaluator",
            "evaluated_on",
            "method",
            "level_before",
            "level_after",
            "result",
            "valid_until",
            "notes",
            *RECORD,
        ]
        read_only_fields = ["id", "valid_until", *RECORD]
        extra_kwargs = {"evaluator": {"required": False}, "evaluated_on": {"required": False}}


class NeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingNeed
        fields = [
            "id",
            "person",
            "competence",
            "source",
            "reason",
            "due_date",
            "status",
            "session",
            "origin_label",
            "closed_at",
            *RECORD,
        ]
        read_only_fields = ["id", "status", "session", "origin_label", "closed_at", *RECORD]
        validators = []


class NeedTransitionSerializer(TransitionSerializer):
    session = serializers.PrimaryKeyRelatedField(queryset=TrainingSession.objects.all(), required=False)


class OwnRecordsMixin:
    """Lists of records about people: quality and management see all, others only their own."""

    def scope(self, queryset):
        user = self.request.user
        return queryset if has_perm(user, "training.view") else queryset.filter(person=user)

    def check_object_permissions(self, request, obj):
        # Reading: the rule is about the person the record is about, not the record itself.
        if self.action in ("list", "retrieve"):
            user = request.user
            if not (has_perm(user, "training.view") or has_perm(user, "training.view_own", obj.person)):
                self.permission_denied(request)
            return
        super().check_object_permissions(request, obj)


READ = {"list": "training.view", "retrieve": "training.view"}
OWN_READ = {"list": "training.view_own", "retrieve": "training.view_own"}
WRITE = {
    "create": "training.manage",
    "update": "training.manage",
    "partial_update": "training.manage",
    "destroy": "training.manage",
}


class CompetenceViewSet(ServiceViewSet):
    serializer_class = CompetenceSerializer
    filterset_fields = ["code"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    permissions = {**READ, **WRITE}

    def get_queryset(self):
        return Competence.objects.order_by("code")

    def create_record(self, data: dict[str, Any]) -> Competence:
        return services.competence_create(actor=self.request.user, data=data)

    def update_record(self, instance: Competence, data: dict[str, Any]) -> Competence:
        return services.competence_update(
            actor=self.request.user, competence=instance, data=data, expected_version=self.expected_version()
        )

    def archive_record(self, instance: Competence) -> None:
        services.competence_archive(actor=self.request.user, competence=instance)


class CourseViewSet(ServiceViewSet):
    serializer_class = CourseSerializer
    filterset_fields = ["code", "modality", "provider", "is_active", "competences"]
    search_fields = ["code", "title"]
    ordering_fields = ["code", "title", "created_at"]
    ordering = ["title", "id"]
    permissions = {**READ, **WRITE}

    def get_queryset(self):
        return Course.objects.prefetch_related("competences").order_by("title", "id")

    def create_record(self, data: dict[str, Any]) -> Course:
        return services.course_create(actor=self.request.user, data=data)

    def update_record(self, instance: Course, data: dict[str, Any]) -> Course:
        return services.course_update(
            actor=self.request.user, course=instance, data=data, expected_version=self.expected_version()
        )

    def archive_record(self, instance: Course) -> None:
        services.course_archive(actor=self.request.user, course=instance)


class SessionFilterSet(django_filters.FilterSet):
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = TrainingSession
        fields = ["course", "status", "trainer", "modality"]


class SessionViewSet(ServiceViewSet):
    """Training sessions; `…/{id}/transition/` with `held` or `cancelled`. DELETE is not offered:
    cancel the session instead."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilterSet
    search_fields = ["number", "course__title"]
    ordering_fields = ["starts_at", "number"]
    ordering = ["-starts_at", "-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permissions = {**READ, **WRITE, "transition": "training.manage"}

    def get_queryset(self):
        return TrainingSession.objects.select_related("course", "trainer", "origin_type").order_by("-starts_at", "-id")

    def create_record(self, data: dict[str, Any]) -> TrainingSession:
        data = dict(data)
        return services.session_create(actor=self.request.user, course=data.pop("course"), data=data)

    def update_record(self, instance: TrainingSession, data: dict[str, Any]) -> TrainingSession:
        return services.session_update(
            actor=self.request.user, session=instance, data=data, expected_version=self.expected_version()
        )

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        session = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = services.session_transition(
            actor=request.user, session=session, to=body.validated_data["to"], note=body.validated_data["note"]
        )
        return Response(SessionSerializer(session).data)


class AttendanceViewSet(OwnRecordsMixin, ServiceViewSet):
    """Attendance lines. POST `{"session", "person", "status", "hours"}` records or updates a line."""

    serializer_class = AttendanceSerializer
    filterset_fields = ["session", "person", "status"]
    ordering_fields = ["created_at"]
    ordering = ["session", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permissions = {**OWN_READ, **WRITE}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Attendance.objects.none()
        return self.scope(Attendance.objects.select_related("session", "person").order_by("session", "id"))

    def create_record(self, data: dict[str, Any]) -> Attendance:
        return services.attendance_record(
            actor=self.request.user,
            session=data["session"],
            person=data["person"],
            status=data.get("status", Attendance.Status.REGISTERED),
            hours=data.get("hours"),
            note=data.get("note", ""),
        )

    def update_record(self, instance: Attendance, data: dict[str, Any]) -> Attendance:
        return services.attendance_record(
            actor=self.request.user,
            session=instance.session,
            person=instance.person,
            status=data.get("status", instance.status),
            hours=data.get("hours", instance.hours),
            note=data.get("note", instance.note),
        )


class EvaluationFilterSet(django_filters.FilterSet):
    evaluated_after = django_filters.DateFilter(field_name="evaluated_on", lookup_expr="gte")
    evaluated_before = django_filters.DateFilter(field_name="evaluated_on", lookup_expr="lte")

    class Meta:
        model = CompetenceEvaluation
        fields = ["person", "competence", "session", "result", "evaluator"]


class EvaluationViewSet(OwnRecordsMixin, ServiceViewSet):
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilterSet
    ordering_fields = ["evaluated_on", "valid_until"]
    ordering = ["-evaluated_on", "-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permissions = {**OWN_READ, **WRITE}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return CompetenceEvaluation.objects.none()
        return self.scope(selectors.evaluation_list(user=self.request.user)).order_by("-evaluated_on", "-id")

    def create_record(self, data: dict[str, Any]) -> CompetenceEvaluation:
        return services.evaluation_record(actor=self.request.user, data=data)

    def update_record(self, instance: CompetenceEvaluation, data: dict[str, Any]) -> CompetenceEvaluation:
        return services.evaluation_update(
            actor=self.request.user, evaluation=instance, data=data, expected_version=self.expected_version()
        )


class NeedViewSet(OwnRecordsMixin, ServiceViewSet):
    """Training needs; `…/{id}/transition/` with `planned` (and a `session`), `closed`, `cancelled` or
    `open`."""

    serializer_class = NeedSerializer
    filterset_fields = ["person", "competence", "status", "source"]
    ordering_fields = ["due_date", "created_at"]
    ordering = ["due_date", "id"]
    http_method_names = ["get", "post", "head", "options"]
    permissions = {**OWN_READ, **WRITE, "transition": "training.manage"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return TrainingNeed.objects.none()
        return self.scope(selectors.need_list(user=self.request.user)).order_by("due_date", "id")

    def create_record(self, data: dict[str, Any]) -> TrainingNeed:
        return services.need_create(actor=self.request.user, data=data)

    @action(detail=True, methods=["post"], serializer_class=NeedTransitionSerializer)
    def transition(self, request, pk=None):
        need = self.get_object()
        body = NeedTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        need = services.need_transition(
            actor=request.user,
            need=need,
            to=body.validated_data["to"],
            session=body.validated_data.get("session"),
            note=body.validated_data["note"],
        )
        return Response(NeedSerializer(need).data)


routes = [
    ("competences", CompetenceViewSet, "competence"),
    ("courses", CourseViewSet, "course"),
    ("training-sessions", SessionViewSet, "training-session"),
    ("attendances", AttendanceViewSet, "attendance"),
    ("competence-evaluations", EvaluationViewSet, "competence-evaluation"),
    ("training-needs", NeedViewSet, "training-need"),
]
