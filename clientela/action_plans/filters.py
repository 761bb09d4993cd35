"""Filters of the action-plan list and of "my actions" (also used by the API)."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.importing import normalise

from .models import Action, ActionPlan
from .selectors import ACTIVE

P = ActionPlan.Status


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, title…")}),
    )
    mine = django_filters.BooleanFilter(label=_("I own them"), method="only_mine", widget=forms.CheckboxInput)
    active = django_filters.BooleanFilter(label=_("Only active"), method="only_active", widget=forms.CheckboxInput)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="only_overdue", widget=forms.CheckboxInput)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=P.choices, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ActionPlan.Kind.choices, empty_label=_("All"))
    origin = django_filters.ChoiceFilter(label=_("Origin"), choices=ActionPlan.Origin.choices, empty_label=_("All"))
    effectiveness_result = django_filters.ChoiceFilter(
        label=_("Effectiveness"), choices=ActionPlan.Result.choices, empty_label=_("Any")
    )

    class Meta:
        model = ActionPlan
        fields = ["q", "mine", "active", "overdue", "status", "kind", "origin", "effectiveness_result"]

    def search(self, queryset, name, value):
        for term in normalise(value).split()[:8]:
            queryset = queryset.filter(search_text__contains=term)
        return queryset

    def only_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value else queryset

    def only_active(self, queryset, name, value):
        return queryset.filter(status__in=ACTIVE) if value else queryset

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=[P.OPEN, P.IN_PROGRESS], due_date__lt=timezone.localdate())


class ActionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Action.Status.choices, empty_label=_("All"))
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="only_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = Action
        fields = ["status", "overdue"]

    def only_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=Action.Status.PENDING, due_date__lt=timezone.localdate())
