"""API v1 of the surveys module (SPEC §5): surveys with nested questions and publishing,
invitations (answering with the single-use link), responses (staff entry) and follow-ups."""

from typing import Any

import django_filters
from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from clientela.core.api import BoundedDateTimeField, ServiceViewSet
from clientela.core.permissions import require
from clientela.customers.models import Contact, Customer

from . import services
from .models import FollowUp, Question, Survey, SurveyInvitation, SurveyResponse, SurveyVersion
from .validation import AnswerErrors

READ_ONLY_RECORD = ("id", "created_at", "updated_at", "lock_version", "archived_at")


# --- surveys ----------------------------------------------------------------------------------


class ShowIfSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, help_text="Position of an earlier question.")
    values = serializers.ListField(child=serializers.JSONField(), help_text="Answers that show this question.")


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(min_value=1, required=False)
    text = serializers.CharField(max_length=500)
    help_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    scale_min = serializers.IntegerField(required=False, allow_null=True)
    scale_max = serializers.IntegerField(required=False, allow_null=True)
    choices = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)
    required = serializers.BooleanField(required=False, default=True)
    is_headline = serializers.BooleanField(required=False, default=False)
    satisfied_min = serializers.IntegerField(required=False, allow_null=True)
    show_if = ShowIfSerializer(required=False, allow_null=True)

    def to_representation(self, question: Question) -> dict[str, Any]:
        return {
            "id": question.pk,
            "position": question.position,
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "choices": question.choices,
            "required": question.required,
            "is_headline": question.is_headline,
            "satisfied_min": question.satisfied_min,
            "show_if": {"position": question.show_if_question.position, "values": question.show_if_values}
            if question.show_if_question_id
            else None,
        }


def _working(survey: Survey) -> SurveyVersion | None:
    """From prefetched versions: the draft being edited, else the published one."""
    versions = list(survey.versions.all())
    draft = next((v for v in versions if v.published_at is None), None)
    if draft is not None:
        return draft
    return next((v for v in versions if v.pk == survey.current_version_id), None)


class SurveySerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, required=False)
    version = serializers.SerializerMethodField(help_text="Number of the version the questions belong to.")
    version_status = serializers.SerializerMethodField(help_text="draft (being edited) or published.")
    published_version = serializers.SerializerMethodField()
    open_link = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "introduction",
            "thanks_message",
            "language",
            "status",
            "touchpoint",
            "counts_toward_sc",
            "trigger",
            "trigger_days",
            "followup_threshold",
            "invitation_days",
            "reminder_days",
            "frequency_cap_days",
            "version",
            "version_status",
            "published_version",
            "questions",
            "open_link",
            "first_published_at",
            "created_at",
            "updated_at",
            "lock_version",
            "archived_at",
        ]
        read_only_fields = [*READ_ONLY_RECORD, "status", "first_published_at"]

    def get_version(self, survey: Survey) -> int | None:
        version = _working(survey)
        return version.number if version else None

    def get_version_status(self, survey: Survey) -> str | None:
        version = _working(survey)
        if version is None:
            return None
        return "draft" if version.published_at is None else "published"

    def get_published_version(self, survey: Survey) -> int | None:
        version = next((v for v in survey.versions.all() if v.pk == survey.current_version_id), None)
        return version.number if version else None

    def get_open_link(self, survey: Survey) -> str | None:
        if not survey.open_link_key:
            return None
        return settings.SITE_URL + reverse("survey_public:open", args=[survey.open_link_key])

    def to_representation(self, survey: Survey) -> dict[str, Any]:
        data = super().to_representation(survey)
        version = _working(survey)
        data["questions"] = (
            [QuestionSerializer().to_representation(q) for q in version.questions.all()] if version else []
        )
        return data

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values = super().to_internal_value(data)
        if "questions" in values:
            ordered = sorted(
                enumerate(values["questions"]), key=lambda pair: (pair[1].get("position") or pair[0] + 1, pair[0])
            )
            specs = []
            for _index, question in ordered:
                spec = dict(question)
                show_if = spec.pop("show_if", None)
                if show_if:
                    spec["show_if_position"] = show_if["position"]
                    spec["show_if_values"] = show_if["values"]
                specs.append(spec)
            values["questions"] = specs
        return values


class SurveyFilterSet(django_filters.FilterSet):
    class Meta:
        model = Survey
        fields = ["status", "touchpoint", "counts_toward_sc", "language", "trigger"]


def _survey_queryset():
    questions = Question.objects.select_related("show_if_question").order_by("position")
    return Survey.objects.prefetch_related(
        Prefetch("versions", queryset=SurveyVersion.objects.prefetch_related(Prefetch("questions", queryset=questions)))
    ).order_by("title", "id")


class SurveyViewSet(ServiceViewSet):
    """Surveys with their questions. Questions are those being edited (a draft) or, when there is
    no draft, the published ones; changing the questions of a published survey starts a new version
    that `publish` puts live. DELETE archives a draft or closed survey."""

    serializer_class = SurveySerializer
    filterset_class = SurveyFilterSet
    search_fields = ["title"]
    ordering_fields = ["title", "status", "touchpoint", "created_at", "updated_at"]
    ordering = ["title", "id"]
    permissions = {
        "list": "surveys.view",
        "retrieve": "surveys.view",
        "create": "surveys.change",
        "update": "surveys.change",
        "partial_update": "surveys.change",
        "destroy": "surveys.change",
        "publish": "surveys.change",
        "close": "surveys.change",
    }

    def get_queryset(self):
        return _survey_queryset()

    def create_record(self, data: dict[str, Any]) -> Survey:
        data = dict(data)
        questions = data.pop("questions", None)
        return services.survey_create(actor=self.request.user, data=data, questions=questions)

    def update_record(self, instance: Survey, data: dict[str, Any]) -> Survey:
        data = dict(data)
        questions = data.pop("questions", None)
        services.survey_update(
            actor=self.request.user,
            survey=instance,
            data=data,
            expected_version=self.expected_version(),
            questions=questions,
        )
        return _survey_queryset().get(pk=instance.pk)

    def archive_record(self, instance: Survey) -> None:
        services.survey_archive(actor=self.request.user, survey=instance, expected_version=self.expected_version())

    @extend_schema(request=None, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the draft version: its questions freeze and customers answer it from now on."""
        survey = services.survey_publish(
            actor=request.user, survey=self.get_object(), expected_version=self.expected_version()
        )
        return Response(self.get_serializer(_survey_queryset().get(pk=survey.pk)).data)

    @extend_schema(request=None, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Stop accepting answers and invitations; the results stay."""
        survey = services.survey_close(
            actor=request.user, survey=self.get_object(), expected_version=self.expected_version()
        )
        return Response(self.get_serializer(_survey_queryset().get(pk=survey.pk)).data)


# --- invitations ------------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.filter(archived_at__isnull=True))
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.filter(archived_at__isnull=True))

    class Meta:
        model = SurveyInvitation
        fields = [
            "id",
            "survey",
            "contact",
            "customer",
            "status",
            "origin",
            "expires_at",
            "sent_at",
            "reminded_at",
            "opened_at",
            "responded_at",
            "cancelled_at",
            "created_at",
            "updated_at",
            "lock_version",
        ]
        read_only_fields = [
            *READ_ONLY_RECORD,
            "customer",
            "status",
            "origin",
            "expires_at",
            "sent_at",
            "reminded_at",
            "opened_at",
            "responded_at",
            "cancelled_at",
        ]


class NewInvitationSerializer(InvitationSerializer):
    """The single-use link is shown once, to whoever created the invitation."""

    token = serializers.CharField(read_only=True)
    url = serializers.CharField(source="public_url", read_only=True)

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "token", "url"]


class InvitationFilterSet(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = SurveyInvitation
        fields = ["survey", "customer", "contact", "status", "origin"]


class InvitationViewSet(ServiceViewSet):
    """Invitations. POST e-mails the contact a single-use link and answers with its `token` and
    `url` (shown only then). DELETE cancels the invitation; its link stops working."""

    serializer_class = InvitationSerializer
    filterset_class = InvitationFilterSet
    ordering_fields = ["created_at", "expires_at", "status"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    permissions = {
        "list": "surveys.view",
        "retrieve": "surveys.view",
        "create": "surveys.invite",
        "update": "surveys.invite",
        "partial_update": "surveys.invite",
        "destroy": "surveys.invite",
    }

    def get_queryset(self):
        return SurveyInvitation.objects.select_related("customer").order_by("-created_at", "-id")

    def get_serializer_class(self):
        return NewInvitationSerializer if self.action == "create" else InvitationSerializer

    def create_record(self, data: dict[str, Any]) -> SurveyInvitation:
        contact = data["contact"]
        require(self.request.user, "surveys.invite", contact.customer)
        return services.invitation_create(actor=self.request.user, survey=data["survey"], contact=contact)

    def archive_record(self, instance: SurveyInvitation) -> None:
        services.invitation_cancel(actor=self.request.user, invitation=instance)


# --- responses --------------------------------------------------------------------------------


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1)
    value = serializers.JSONField(
        help_text="A number on the scale, an option's text, a list of options, true/false or text."
    )

    def to_representation(self, answer: Any) -> dict[str, Any]:
        return {"question": answer.question_id, "value": answer.value}


class ResponseSerializer(serializers.ModelSerializer):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.all())
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.filter(archived_at__isnull=True), required=False, allow_null=True
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.filter(archived_at__isnull=True), required=False, allow_null=True
    )
    submitted_at = BoundedDateTimeField(required=False)
    channel = serializers.ChoiceField(choices=SurveyResponse.Channel.choices, required=False, default="other")
    complete = serializers.BooleanField(
        required=False,
        default=True,
        help_text="false stores the response although required questions are unanswered (it then counts nowhere).",
    )
    answers = AnswerSerializer(many=True)
    version = serializers.SerializerMethodField()

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "survey",
            "version",
            "customer",
            "contact",
            "submitted_at",
            "channel",
            "complete",
            "answers",
            "headline_value",
            "invitation",
            "note",
            "entered_by",
            "created_at",
            "updated_at",
            "lock_version",
            "archived_at",
        ]
        read_only_fields = [*READ_ONLY_RECORD, "headline_value", "invitation", "entered_by"]

    def get_version(self, response: SurveyResponse) -> int:
        return response.version.number

    def validate_answers(self, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen = set()
        for answer in answers:
            if answer["question"] in seen:
                raise serializers.ValidationError(_("Question %(id)s is answered twice.") % {"id": answer["question"]})
            seen.add(answer["question"])
        if not answers:
            raise serializers.ValidationError(_("Give at least one answer."))
        return answers


class ResponseFilterSet(django_filters.FilterSet):
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    anonymous = django_filters.BooleanFilter(field_name="customer", lookup_expr="isnull")

    class Meta:
        model = SurveyResponse
        fields = ["survey", "customer", "contact", "channel", "complete"]


class ResponseViewSet(ServiceViewSet):
    """Survey responses. POST records answers taken by phone, on paper or in person with the moment
    the customer really answered. A response is never edited; DELETE withdraws it (body `{"note"}`)."""

    serializer_class = ResponseSerializer
    filterset_class = ResponseFilterSet
    ordering_fields = ["submitted_at", "created_at", "headline_value"]
    ordering = ["-submitted_at", "-id"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    permissions = {
        "list": "surveys.view",
        "retrieve": "surveys.view",
        "create": "surveys.respond",
        "update": "surveys.change",
        "partial_update": "surveys.change",
        "destroy": "surveys.change",
    }

    def get_queryset(self):
        return (
            SurveyResponse.objects.filter(archived_at__isnull=True)
            .select_related("version", "customer")
            .prefetch_related("answers")
            .order_by("-submitted_at", "-id")
        )

    def create_record(self, data: dict[str, Any]) -> SurveyResponse:
        customer, contact = data.get("customer"), data.get("contact")
        if contact is not None and customer is not None and contact.customer_id != customer.pk:
            raise serializers.ValidationError({"contact": [_("The contact belongs to another customer.")]})
        target = customer or (contact.customer if contact else None)
        require(self.request.user, "surveys.respond", target)
        try:
            return services.response_record(
                actor=self.request.user,
                survey=data["survey"],
                raw={a["question"]: a["value"] for a in data["answers"]},
                submitted_at=data.get("submitted_at") or timezone.now(),
                channel=data.get("channel") or SurveyResponse.Channel.OTHER,
                customer=customer,
                contact=contact,
                complete=data.get("complete", True),
                note=data.get("note", ""),
            )
        except AnswerErrors as exc:
            raise serializers.ValidationError({"answers": exc.flat()}) from exc

    def archive_record(self, instance: SurveyResponse) -> None:
        note = self.request.data.get("note", "") if hasattr(self.request.data, "get") else ""
        services.response_void(actor=self.request.user, response=instance, note=str(note or ""))

    def perform_create(self, serializer: serializers.Serializer) -> None:
        serializer.instance = self.get_queryset().get(pk=self.create_record(serializer.validated_data).pk)


# --- follow-ups -------------------------------------------------------------------------------


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = [
            "id",
            "response",
            "customer",
            "assigned_to",
            "status",
            "due_date",
            "notes",
            "resolution",
            "closed_at",
            "closed_by",
            "created_at",
            "updated_at",
            "lock_version",
        ]
        read_only_fields = [*READ_ONLY_RECORD, "response", "customer", "status", "resolution", "closed_at", "closed_by"]


class FollowUpTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=FollowUp.Status.choices)
    resolution = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class FollowUpFilterSet(django_filters.FilterSet):
    class Meta:
        model = FollowUp
        fields = ["customer", "assigned_to", "status"]


class FollowUpViewSet(ServiceViewSet):
    """Follow-ups of dissatisfied answers (closing the loop). They are opened by the responses;
    `transition` moves them (`in_progress`, `closed` with a `resolution`, back to `in_progress`)."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    ordering_fields = ["due_date", "created_at", "status"]
    ordering = ["due_date", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    permissions = {
        "list": "surveys.view",
        "retrieve": "surveys.view",
        "create": "surveys.followup",
        "update": "surveys.followup",
        "partial_update": "surveys.followup",
        "destroy": "surveys.followup",
        "transition": "surveys.followup",
    }

    def get_queryset(self):
        return FollowUp.objects.select_related("customer").order_by("due_date", "id")

    def update_record(self, instance: FollowUp, data: dict[str, Any]) -> FollowUp:
        return services.followup_update(
            actor=self.request.user, followup=instance, data=data, expected_version=self.expected_version()
        )

    @extend_schema(request=FollowUpTransitionSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        followup = self.get_object()
        body = FollowUpTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        followup = services.followup_transition(
            actor=request.user,
            followup=followup,
            to=body.validated_data["to"],
            note=body.validated_data["note"],
            resolution=body.validated_data["resolution"],
            expected_version=self.expected_version(),
        )
        return Response(FollowUpSerializer(followup).data, status=status.HTTP_200_OK)


routes = [
    ("surveys", SurveyViewSet, "survey"),
    ("survey-invitations", InvitationViewSet, "survey-invitation"),
    ("survey-responses", ResponseViewSet, "survey-response"),
    ("survey-follow-ups", FollowUpViewSet, "survey-follow-up"),
]
