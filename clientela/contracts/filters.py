"""List filters for contracts, deliverables, deliveries and regulations."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DateInput
from clientela.core.importing import normalise
from clientela.core.periods import Period, PeriodError

from . import selectors
from .models import Contract, Currency, Deliverable, Delivery, Regulation

YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def _search(queryset: QuerySet, field: str, value: str) -> QuerySet:
    for term in normalise(value).split()[:8]:
        queryset = queryset.filter(**{f"{field}__contains": term})
    return queryset


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, title, customer…")}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Contract.Status.choices, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Contract.Kind.choices, empty_label=_("All"))
    currency = django_filters.ChoiceFilter(label=_("Currency"), choices=Currency.choices, empty_label=_("All"))
    owner = django_filters.ChoiceFilter(
        label=_("Owner"), method="by_owner", choices=[("me", _("Me"))], empty_label=_("Anyone")
    )
    attention = django_filters.ChoiceFilter(
        label=_("Needs attention"),
        method="by_attention",
        choices=[("overdue", _("With overdue deliverables")), ("ending", _("Ending within 60 days"))],
        empty_label=_("All"),
    )
    regulation = django_filters.NumberFilter(field_name="regulations", widget=forms.HiddenInput)
    cct_period = django_filters.CharFilter(label=_("CCT period"), method="by_cct", widget=forms.HiddenInput)
    cct = django_filters.CharFilter(method="by_cct", widget=forms.HiddenInput)

    class Meta:
        model = Contract
        fields = ["q", "status", "kind", "currency", "owner", "attention", "regulation", "cct_period", "cct"]

    def search(self, queryset, name, value):
        return _search(queryset, "search_text", value)

    def by_owner(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value == "me" else queryset

    def by_attention(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(overdue_count__gt=0)
        if value == "ending":
            return queryset.filter(
                status=Contract.Status.ACTIVE, end_date__gte=today, end_date__lte=today + dt.timedelta(days=60)
            )
        return queryset

    def by_cct(self, queryset, name, value):
        """?cct_period=2026-Q3&cct=failed: the contracts behind a CCT figure (scope or failed)."""
        if name == "cct":
            return queryset
        try:
            period = Period.parse(value)
        except PeriodError:
            return queryset.none()
        result = selectors.cct(period=period)
        wanted = result.failed_contract_ids if self.data.get("cct") == "failed" else result.contract_ids
        return queryset.filter(pk__in=wanted)


class DeliverableFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Description, contract, customer…")}),
    )
    state = django_filters.ChoiceFilter(
        label=_("Situation"),
        method="by_state",
        choices=[
            ("open", _("Pending")),
            ("overdue", _("Overdue")),
            ("due_soon", _("Due within 7 days")),
            ("on_time", _("On time and in form")),
            ("late", _("Delivered late")),
            ("nonconforming", _("With a nonconforming delivery")),
            ("cancelled", _("Cancelled")),
        ],
        empty_label=_("All"),
    )
    since = django_filters.DateFilter(label=_("Due from"), field_name="due_date", lookup_expr="gte", widget=DateInput())
    until = django_filters.DateFilter(
        label=_("Due until"), field_name="due_date", lookup_expr="lte", widget=DateInput()
    )
    team = django_filters.ChoiceFilter(label=_("Team"), empty_label=_("All"))
    mine = django_filters.BooleanFilter(label=_("Only mine"), method="only_mine", widget=forms.CheckboxInput)
    contract = django_filters.NumberFilter(field_name="contract_id", widget=forms.HiddenInput)

    class Meta:
        model = Deliverable
        fields = ["q", "state", "since", "until", "team", "mine", "contract"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["team"].extra["choices"] = [(t, t) for t in selectors.team_choices()]

    def search(self, queryset, name, value):
        for term in value.split()[:8]:
            queryset = queryset.filter(
                Q(description__icontains=term)
                | Q(contract__number__icontains=term)
                | Q(contract__search_text__contains=normalise(term))
            )
        return queryset

    def by_state(self, queryset, name, value):
        today = timezone.localdate()
        pending = Q(status=Deliverable.Status.PENDING)
        return {
            "open": queryset.filter(pending),
            "overdue": queryset.filter(pending, due_date__lt=today),
            "due_soon": queryset.filter(pending, due_date__gte=today, due_date__lte=today + dt.timedelta(days=7)),
            "on_time": queryset.filter(fulfilled=True).exclude(status=Deliverable.Status.CANCELLED),
            "late": queryset.filter(status=Deliverable.Status.DELIVERED, fulfilled=False),
            "nonconforming": queryset.filter(had_nc=True),
            "cancelled": queryset.filter(status=Deliverable.Status.CANCELLED),
        }.get(value, queryset)

    def only_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = self.request.user
        return queryset.filter(Q(responsible=user) | Q(contract__owner=user))


class DeliveryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    conforming = django_filters.BooleanFilter(label=_("Conforming"), widget=forms.Select(choices=YES_NO))
    since = django_filters.DateFilter(label=_("From"), field_name="delivered_on", lookup_expr="gte", widget=DateInput())
    until = django_filters.DateFilter(label=_("To"), field_name="delivered_on", lookup_expr="lte", widget=DateInput())

    class Meta:
        model = Delivery
        fields = ["q", "conforming", "since", "until"]

    def search(self, queryset, name, value):
        for term in value.split()[:8]:
            queryset = queryset.filter(
                Q(deliverable__description__icontains=term)
                | Q(deliverable__contract__number__icontains=term)
                | Q(deliverable__contract__search_text__contains=normalise(term))
            )
        return queryset


class RegulationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    jurisdiction = django_filters.ChoiceFilter(label=_("Jurisdiction"), empty_label=_("All"))

    class Meta:
        model = Regulation
        fields = ["q", "jurisdiction"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["jurisdiction"].extra["choices"] = [(j, j) for j in selectors.jurisdiction_choices()]

    def search(self, queryset, name, value):
        return _search(queryset, "search_text", value)
