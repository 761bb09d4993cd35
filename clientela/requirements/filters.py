"""List filters for the requirements register."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from clientela.core.importing import normalise
from clientela.customers.selectors import account_manager_choices

from .models import OPEN_STATUSES, Kind, Priority, Requirement, Source, Status


class RequirementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, title, customer…")}),
    )
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status"), method="by_status", empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices, empty_label=_("All"))
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices, empty_label=_("All"))
    account_manager = django_filters.ChoiceFilter(
        label=_("Account manager"), method="by_manager", empty_label=_("Anyone")
    )
    traced = django_filters.ChoiceFilter(
        label=_("Traceability"),
        method="by_trace",
        empty_label=_("All"),
        choices=[("yes", _("Traced to a deliverable")), ("no", _("Not traced to any deliverable"))],
    )
    customer = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    contract = django_filters.NumberFilter(field_name="contract_id", widget=forms.HiddenInput)
    stuck = django_filters.BooleanFilter(
        label=_("Only stuck in clarification"), method="only_stuck", widget=forms.CheckboxInput
    )

    class Meta:
        model = Requirement
        fields = [
            "q",
            "priority",
            "status",
            "kind",
            "source",
            "account_manager",
            "traced",
            "customer",
            "contract",
            "stuck",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["status"].extra["choices"] = [("open", _("Open (not closed)")), *Status.choices]
        self.filters["account_manager"].extra["choices"] = [("me", _("Me"))] + [
            (str(u.pk), str(u)) for u in account_manager_choices()
        ]

    def search(self, queryset, name, value):
        for term in normalise(value).split()[:8]:
            queryset = queryset.filter(Q(search_text__contains=term) | Q(customer__search_text__contains=term))
        return queryset

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def by_manager(self, queryset, name, value):
        if value == "me":
            return queryset.filter(customer__account_manager=self.request.user)
        return queryset.filter(customer__account_manager_id=value) if value.isdigit() else queryset

    def by_trace(self, queryset, name, value):
        traced = Exists(Requirement.deliverables.through.objects.filter(requirement_id=OuterRef("pk")))
        if value == "yes":
            return queryset.filter(traced)
        return queryset.exclude(traced) if value == "no" else queryset

    def only_stuck(self, queryset, name, value):
        return queryset.filter(is_stuck=True) if value else queryset
