"""Filters of the complaints inbox and board (also used by the API)."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.core.importing import normalise
from clientela.core.listing import QuickSelect
from clientela.customers.models import Customer

from . import services, sla
from .models import Category, Feedback

S = Feedback.Status


def search_feedback(queryset: QuerySet, value: str) -> QuerySet:
    for term in normalise(value).split()[:8]:
        queryset = queryset.filter(Q(search_text__contains=term) | Q(customer__search_text__contains=term))
    return queryset


def filter_sla(queryset: QuerySet, value: str) -> QuerySet:
    return queryset.filter(sla.state_filter(value)) if value in sla.SlaState.values else queryset


OPEN_STATUSES = [s for s in S.values if s not in (S.CLOSED, S.REJECTED)]


class ChosenCustomerSelect(QuickSelect):
    """The customer filter's <select>: "All" and the customer filtered by (links from a customer's
    page set it), not every customer with a complaint — tens of thousands of options on each view
    of the inbox. Customers are found by name with the search box."""

    def render(self, name, value, attrs=None, renderer=None):
        values = value if isinstance(value, list | tuple) else [value]
        ids = [int(v) for v in values if str(v or "").isdigit()]
        chosen = list(Customer.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else []
        self.choices = [("", _("All")), *chosen]
        return super().render(name, value, attrs, renderer)


class FeedbackFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, subject, customer…")}),
    )
    mine = django_filters.BooleanFilter(label=_("Assigned to me"), method="only_mine", widget=forms.CheckboxInput)
    open = django_filters.BooleanFilter(label=_("Only open"), method="only_open", widget=forms.CheckboxInput)
    sla = django_filters.ChoiceFilter(
        label=_("SLA"), choices=sla.SlaState.choices, method="by_sla", empty_label=_("Any")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Feedback.Kind.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=S.choices, empty_label=_("All"))
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Feedback.Severity.choices, empty_label=_("All"))
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("All")
    )
    customer = django_filters.ModelChoiceFilter(
        label=_("Customer"), queryset=Customer.objects.none(), empty_label=_("All"), widget=ChosenCustomerSelect
    )
    assigned = django_filters.ChoiceFilter(label=_("Assigned to"), method="by_assignee", empty_label=_("Anyone"))

    class Meta:
        model = Feedback
        fields = ["q", "mine", "open", "sla", "kind", "status", "severity", "category", "customer", "assigned"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["customer"].queryset = Customer.objects.filter(
            pk__in=Feedback.objects.filter(customer__isnull=False).values("customer")
        ).order_by("name")
        self.filters["assigned"].extra["choices"] = [("none", _("Nobody"))] + [
            (str(u.pk), str(u)) for u in services.workers()
        ]

    def search(self, queryset, name, value):
        return search_feedback(queryset, value)

    def only_mine(self, queryset, name, value):
        return queryset.filter(assigned_to=self.request.user) if value else queryset

    def only_open(self, queryset, name, value):
        # The open statuses by name: `status IN (…)` is a few seeks in the status index, where
        # `NOT status IN ('closed', 'rejected')` reads every record ever received.
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset

    def by_sla(self, queryset, name, value):
        return filter_sla(queryset, value)

    def by_assignee(self, queryset, name, value):
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to_id=value) if value.isdigit() else queryset
