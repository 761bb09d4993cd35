"""List filters for courses, sessions, evaluations and training needs."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DateInput
from clientela.core.permissions import Role

from . import selectors
from .models import Competence, CompetenceEvaluation, Course, TrainingNeed, TrainingSession


def _courses(request=None):
    return Course.objects.filter(archived_at__isnull=True).order_by("title")


def _competences(request=None):
    return Competence.objects.filter(archived_at__isnull=True).order_by("code")


def _people(request=None):
    return selectors.staff()


class CompetenceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    role = django_filters.ChoiceFilter(
        label=_("Required of"), choices=Role.choices, method="required_of", empty_label=_("Any role")
    )

    class Meta:
        model = Competence
        fields = ["q", "role"]

    def search(self, queryset, name, value):
        for term in value.split()[:8]:
            queryset = queryset.filter(Q(name__icontains=term) | Q(code__icontains=term))
        return queryset

    def required_of(self, queryset, name, value):
        return queryset.filter(requirements__role=value, requirements__archived_at__isnull=True).distinct()


class CourseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    competence = django_filters.ModelChoiceFilter(
        label=_("Competence"), field_name="competences", queryset=_competences, empty_label=_("All")
    )
    modality = django_filters.ChoiceFilter(label=_("Modality"), choices=Course.Modality.choices, empty_label=_("All"))
    is_active = django_filters.BooleanFilter(
        label=_("Offered"), widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])
    )

    class Meta:
        model = Course
        fields = ["q", "competence", "modality", "is_active"]

    def search(self, queryset, name, value):
        for term in value.split()[:8]:
            queryset = queryset.filter(Q(title__icontains=term) | Q(code__icontains=term))
        return queryset


class SessionFilter(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(label=_("Course"), queryset=_courses, empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TrainingSession.Status.choices, empty_label=_("All")
    )
    person = django_filters.ModelChoiceFilter(
        label=_("Attended by"), queryset=_people, method="attended_by", empty_label=_("Anyone")
    )
    since = django_filters.DateFilter(
        label=_("From"), field_name="starts_at", lookup_expr="date__gte", widget=DateInput()
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="starts_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = TrainingSession
        fields = ["course", "status", "person", "since", "until"]

    def attended_by(self, queryset, name, value):
        return queryset.filter(attendances__person=value).distinct() if value else queryset


class EvaluationFilter(django_filters.FilterSet):
    person = django_filters.ModelChoiceFilter(label=_("Person"), queryset=_people, empty_label=_("Anyone"))
    competence = django_filters.ModelChoiceFilter(label=_("Competence"), queryset=_competences, empty_label=_("All"))
    result = django_filters.ChoiceFilter(
        label=_("Result"), choices=CompetenceEvaluation.Result.choices, empty_label=_("All")
    )
    after_training = django_filters.BooleanFilter(
        label=_("After a training session"),
        field_name="session",
        lookup_expr="isnull",
        exclude=True,
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )
    since = django_filters.DateFilter(label=_("From"), field_name="evaluated_on", lookup_expr="gte", widget=DateInput())
    until = django_filters.DateFilter(label=_("To"), field_name="evaluated_on", lookup_expr="lte", widget=DateInput())

    class Meta:
        model = CompetenceEvaluation
        fields = ["person", "competence", "result", "after_training", "since", "until"]


class NeedFilter(django_filters.FilterSet):
    person = django_filters.ModelChoiceFilter(label=_("Person"), queryset=_people, empty_label=_("Anyone"))
    competence = django_filters.ModelChoiceFilter(label=_("Competence"), queryset=_competences, empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TrainingNeed.Status.choices, empty_label=_("All"))
    source = django_filters.ChoiceFilter(label=_("Source"), choices=TrainingNeed.Source.choices, empty_label=_("All"))

    class Meta:
        model = TrainingNeed
        fields = ["person", "competence", "status", "source"]
