"""List filters for programmes, members, the ledger, redemptions and programme messages."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DateInput
from clientela.core.importing import normalise

from . import selectors
from .models import LoyaltyProgramme, Membership, PointsEntry, ProgrammeMessage, Redemption, Tier


def _programmes(request=None):
    return LoyaltyProgramme.objects.filter(archived_at__isnull=True).order_by("name")


class ProgrammeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=LoyaltyProgramme.Status.choices, empty_label=_("All")
    )

    class Meta:
        model = LoyaltyProgramme
        fields = ["status"]


class MembershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Customer, code, member number…")}),
    )
    programme = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=_programmes, empty_label=_("All"))
    tier = django_filters.ModelChoiceFilter(
        label=_("Tier"),
        queryset=lambda request: Tier.objects.filter(archived_at__isnull=True).select_related("programme"),
        method="by_tier",
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Membership.Status.choices, empty_label=_("All"))
    mine = django_filters.BooleanFilter(label=_("My customers"), method="only_mine", widget=forms.CheckboxInput)

    class Meta:
        model = Membership
        fields = ["q", "programme", "tier", "status", "mine"]

    def search(self, queryset, name, value):
        for term in normalise(value).split()[:8]:
            queryset = queryset.filter(Q(customer__search_text__contains=term) | Q(number__icontains=term))
        return queryset

    def by_tier(self, queryset, name, value):
        return selectors.in_tier(queryset, value) if value else queryset

    def only_mine(self, queryset, name, value):
        return queryset.filter(customer__account_manager=self.request.user) if value else queryset


class EntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), field_name="membership__programme", queryset=_programmes, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PointsEntry.Kind.choices, empty_label=_("All"))
    since = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DateInput()
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = PointsEntry
        fields = ["q", "programme", "kind", "since", "until"]

    def search(self, queryset, name, value):
        for term in normalise(value).split()[:8]:
            queryset = queryset.filter(
                Q(membership__customer__search_text__contains=term) | Q(membership__number__icontains=term)
            )
        return queryset


class RedemptionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), field_name="membership__programme", queryset=_programmes, empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Redemption.Status.choices, empty_label=_("All"))

    class Meta:
        model = Redemption
        fields = ["q", "programme", "status"]

    def search(self, queryset, name, value):
        for term in normalise(value).split()[:8]:
            queryset = queryset.filter(
                Q(membership__customer__search_text__contains=term)
                | Q(number__icontains=term)
                | Q(reward__name__icontains=term)
            )
        return queryset


class MessageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), field_name="membership__programme", queryset=_programmes, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ProgrammeMessage.Kind.choices, empty_label=_("All"))
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=ProgrammeMessage.Channel.choices, empty_label=_("All")
    )
    since = django_filters.DateFilter(
        label=_("From"), field_name="sent_at", lookup_expr="date__gte", widget=DateInput()
    )
    until = django_filters.DateFilter(label=_("To"), field_name="sent_at", lookup_expr="date__lte", widget=DateInput())

    class Meta:
        model = ProgrammeMessage
        fields = ["q", "programme", "kind", "channel", "since", "until"]

    def search(self, queryset, name, value):
        for term in value.split()[:8]:
            queryset = queryset.filter(
                Q(subject__icontains=term)
                | Q(recipient__icontains=term)
                | Q(membership__customer__search_text__contains=normalise(term))
            )
        return queryset
