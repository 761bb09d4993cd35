"""List filters for surveys, invitations, responses and follow-ups."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core.forms import DateInput
from clientela.core.importing import normalise
from clientela.core.permissions import QUALITY, roles_of

from .models import FollowUp, Survey, SurveyInvitation, SurveyResponse


def _customer_search(queryset: QuerySet, value: str, prefix: str = "customer__") -> QuerySet:
    for term in normalise(value).split()[:8]:
        queryset = queryset.filter(**{f"{prefix}search_text__contains": term})
    return queryset


def _surveys(request=None) -> QuerySet:
    return Survey.objects.filter(archived_at__isnull=True).order_by("title")


class SurveyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), field_name="title", lookup_expr="icontains", widget=forms.TextInput(attrs={"type": "search"})
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Survey.Status.choices, empty_label=_("All"))
    touchpoint = django_filters.ChoiceFilter(
        label=_("Touchpoint"), choices=Survey.Touchpoint.choices, empty_label=_("All")
    )
    counts_toward_sc = django_filters.BooleanFilter(
        label=_("Counts toward SC"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Survey
        fields = ["q", "status", "touchpoint", "counts_toward_sc"]


class InvitationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Customer"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    survey = django_filters.ModelChoiceFilter(label=_("Survey"), queryset=_surveys, empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SurveyInvitation.Status.choices, empty_label=_("All")
    )
    origin = django_filters.ChoiceFilter(
        label=_("Origin"), choices=SurveyInvitation.Origin.choices, empty_label=_("All")
    )

    class Meta:
        model = SurveyInvitation
        fields = ["q", "survey", "status", "origin"]

    def search(self, queryset, name, value):
        return _customer_search(queryset, value)


class ResponseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Customer"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    survey = django_filters.ModelChoiceFilter(label=_("Survey"), queryset=_surveys, empty_label=_("All"))
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=SurveyResponse.Channel.choices, empty_label=_("All")
    )
    since = django_filters.DateFilter(
        label=_("From"), field_name="submitted_at", lookup_expr="date__gte", widget=DateInput()
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="submitted_at", lookup_expr="date__lte", widget=DateInput()
    )
    who = django_filters.ChoiceFilter(
        label=_("Respondent"),
        method="by_respondent",
        choices=[("known", _("Identified customers")), ("anonymous", _("Anonymous"))],
        empty_label=_("All"),
    )
    complete = django_filters.BooleanFilter(
        label=_("Complete"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = SurveyResponse
        fields = ["q", "survey", "channel", "since", "until", "who", "complete"]

    def search(self, queryset, name, value):
        return _customer_search(queryset, value)

    def by_respondent(self, queryset, name, value):
        if value == "anonymous":
            return queryset.filter(customer__isnull=True)
        if value == "known":
            return queryset.filter(customer__isnull=False)
        return queryset


class FollowUpFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Customer"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="by_status",
        choices=[("pending", _("Not closed")), *FollowUp.Status.choices],
        empty_label=_("All"),
    )
    mine = django_filters.BooleanFilter(
        label=pgettext_lazy("follow-ups", "Only mine"), method="only_mine", widget=forms.CheckboxInput
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="only_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = FollowUp
        fields = ["q", "status", "mine", "overdue"]

    def search(self, queryset, name, value):
        return _customer_search(queryset, value)

    def by_status(self, queryset, name, value):
        if value == "pending":
            return queryset.exclude(status=FollowUp.Status.CLOSED)
        return queryset.filter(status=value)

    def only_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = self.request.user
        mine = Q(assigned_to=user)
        if QUALITY in roles_of(user):
            mine |= Q(assigned_to__isnull=True)
        return queryset.filter(mine)

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.exclude(status=FollowUp.Status.CLOSED).filter(due_date__lt=timezone.localdate())
