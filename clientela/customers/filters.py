"""List filters for customers, contacts and interactions."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from clientela.core.forms import DateInput
from clientela.core.importing import normalise
from clientela.core.textsearch import term_q, terms, text_search

from .models import Contact, Customer, Interaction
from .selectors import account_manager_options, country_choices, segment_choices


def _search(queryset: QuerySet, name: str, value: str) -> QuerySet:
    return text_search(queryset, "search_text", value)


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, code, tax ID, e-mail…")}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Customer.Status.choices, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Customer.Kind.choices, empty_label=_("All"))
    country = django_filters.ChoiceFilter(label=_("Country"), empty_label=_("All"))
    segment = django_filters.ChoiceFilter(label=_("Segment"), empty_label=_("All"))
    account_manager = django_filters.ChoiceFilter(
        label=_("Account manager"), method="by_manager", empty_label=_("Anyone")
    )

    class Meta:
        model = Customer
        fields = ["q", "status", "kind", "country", "segment", "account_manager"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = set(country_choices())
        self.filters["country"].extra["choices"] = [(c.code, c.name) for c in countries if c.code in used]
        self.filters["segment"].extra["choices"] = [(s, s) for s in segment_choices()]
        self.filters["account_manager"].extra["choices"] = [
            ("me", _("Me")),
            ("none", _("Nobody")),
            *account_manager_options(),
        ]

    def search(self, queryset, name, value):
        return _search(queryset, name, value)

    def by_manager(self, queryset, name, value):
        if value == "me":
            return queryset.filter(account_manager=self.request.user)
        if value == "none":
            return queryset.filter(account_manager__isnull=True)
        return queryset.filter(account_manager_id=value) if value.isdigit() else queryset


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    survey_consent = django_filters.BooleanFilter(
        label=_("Agrees to surveys"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )
    marketing_consent = django_filters.BooleanFilter(
        label=_("Agrees to marketing"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Contact
        fields = ["q", "survey_consent", "marketing_consent"]

    def search(self, queryset, name, value):
        for term in terms(value):
            queryset = queryset.filter(
                term_q(Contact, "search_text", term) | term_q(Customer, "search_text", term, path="customer__")
            )
        return queryset


class InteractionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Interaction.Channel.choices, empty_label=_("All"))
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=Interaction.Direction.choices, empty_label=_("All")
    )
    since = django_filters.DateFilter(
        label=_("From"), field_name="occurred_at", lookup_expr="date__gte", widget=DateInput()
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="occurred_at", lookup_expr="date__lte", widget=DateInput()
    )
    mine = django_filters.BooleanFilter(
        label=pgettext_lazy("interactions", "Only mine"), method="only_mine", widget=forms.CheckboxInput
    )

    class Meta:
        model = Interaction
        fields = ["q", "channel", "direction", "since", "until", "mine"]

    def search(self, queryset, name, value):
        for term in value.split()[:8]:
            queryset = queryset.filter(
                Q(subject__icontains=term) | term_q(Customer, "search_text", normalise(term), path="customer__")
            )
        return queryset

    def only_mine(self, queryset, name, value):
        return queryset.filter(user=self.request.user) if value else queryset
