"""API v1: customers, contacts, interactions (SPEC §5)."""

from typing import Any

import django_filters
from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from clientela.core.api import ServiceViewSet
from clientela.core.permissions import has_perm, require

from . import selectors, services
from .models import Contact, Customer, Interaction

READ_ONLY_RECORD = ("id", "created_at", "updated_at", "lock_version", "archived_at")


class CustomerSerializer(serializers.ModelSerializer):
    country = CountryField(required=False)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "tax_id",
            "email",
            "phone",
            "address",
            "country",
            "segment",
            "status",
            "account_manager",
            "activated_at",
            "notes",
            "created_at",
            "updated_at",
            "lock_version",
            "archived_at",
        ]
        read_only_fields = [*READ_ONLY_RECORD, "activated_at"]
        extra_kwargs = {"code": {"validators": []}}


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "first_name",
            "last_name",
            "email",
            "phone",
            "position",
            "is_primary",
            "survey_consent",
            "survey_consent_at",
            "survey_legal_basis",
            "survey_opt_out_at",
            "marketing_consent",
            "marketing_consent_at",
            "created_at",
            "updated_at",
            "lock_version",
            "archived_at",
        ]
        read_only_fields = [*READ_ONLY_RECORD, "survey_opt_out_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple) and hasattr(self.instance, "pk"):
            fields["customer"].read_only = True
        return fields


class InteractionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interaction
        fields = [
            "id",
            "customer",
            "contact",
            "channel",
            "direction",
            "occurred_at",
            "subject",
            "notes",
            "user",
            "created_at",
            "updated_at",
            "lock_version",
            "archived_at",
        ]
        read_only_fields = [*READ_ONLY_RECORD, "user"]
        extra_kwargs = {"occurred_at": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["customer"].read_only = True
        return fields


class CustomerFilterSet(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Customer
        fields = ["code", "tax_id", "kind", "status", "country", "segment", "account_manager", "email"]


class ContactFilterSet(django_filters.FilterSet):
    class Meta:
        model = Contact
        fields = ["customer", "email", "is_primary", "survey_consent", "marketing_consent"]


class InteractionFilterSet(django_filters.FilterSet):
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Interaction
        fields = ["customer", "contact", "channel", "direction", "user"]


class CustomerViewSet(ServiceViewSet):
    """Customers. DELETE archives the customer (records are never lost)."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    search_text_field = "search_text"
    ordering_fields = ["code", "name", "status", "country", "segment", "created_at", "updated_at"]
    ordering = ["name", "id"]
    permissions = {
        "list": "customers.view",
        "retrieve": "customers.view",
        "create": "customers.add",
        "update": "customers.change",
        "partial_update": "customers.change",
        "destroy": "customers.archive",
    }

    def get_queryset(self):
        # The serializer gives the account manager's id only: no join.
        queryset = selectors.customer_list(user=self.request.user, include_archived=True)
        return queryset.select_related(None).order_by("name", "id")

    def unfiltered_count(self) -> int | None:
        return selectors.customer_count(user=self.request.user, include_archived=True)

    def _check_assignment(self, data: dict[str, Any], current: Any = None) -> dict[str, Any]:
        user = self.request.user
        manager = data.get("account_manager", current)
        if manager != current and manager != user and not has_perm(user, "customers.assign"):
            require(user, "customers.assign")
        return data

    def create_record(self, data: dict[str, Any]) -> Customer:
        data = dict(data)
        if "account_manager" not in data and not has_perm(self.request.user, "customers.assign"):
            data["account_manager"] = self.request.user
        self._check_assignment(data)
        return services.customer_create(actor=self.request.user, data=data)

    def update_record(self, instance: Customer, data: dict[str, Any]) -> Customer:
        if "account_manager" in data:
            self._check_assignment(data, instance.account_manager)
        return services.customer_update(
            actor=self.request.user, customer=instance, data=data, expected_version=self.expected_version()
        )

    def archive_record(self, instance: Customer) -> None:
        services.customer_archive(actor=self.request.user, customer=instance)


class ContactViewSet(ServiceViewSet):
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    search_text_field = "search_text"
    ordering_fields = ["last_name", "first_name", "email", "created_at"]
    ordering = ["last_name", "first_name", "id"]
    permissions = {
        "list": "contacts.view",
        "retrieve": "contacts.view",
        "create": "contacts.change",
        "update": "contacts.change",
        "partial_update": "contacts.change",
        "destroy": "contacts.change",
    }

    def get_queryset(self):
        return (
            selectors.visible_contacts(self.request.user)
            .select_related("customer")
            .order_by("last_name", "first_name", "id")
        )

    def unfiltered_count(self) -> int | None:
        return selectors.contact_count_all(user=self.request.user)

    def create_record(self, data: dict[str, Any]) -> Contact:
        data = dict(data)
        customer = data.pop("customer")
        require(self.request.user, "contacts.change", customer)
        if customer.archived_at is not None:
            raise serializers.ValidationError({"customer": [_("The customer is archived.")]})
        return services.contact_create(actor=self.request.user, customer=customer, data=data)

    def update_record(self, instance: Contact, data: dict[str, Any]) -> Contact:
        return services.contact_update(
            actor=self.request.user, contact=instance, data=data, expected_version=self.expected_version()
        )

    def archive_record(self, instance: Contact) -> None:
        services.contact_archive(actor=self.request.user, contact=instance)


class InteractionViewSet(ServiceViewSet):
    serializer_class = InteractionSerializer
    filterset_class = InteractionFilterSet
    search_fields = ["subject", "notes"]
    ordering_fields = ["occurred_at", "created_at", "channel"]
    ordering = ["-occurred_at", "-id"]
    permissions = {
        "list": "interactions.view",
        "retrieve": "interactions.view",
        "create": "interactions.add",
        "update": "interactions.change",
        "partial_update": "interactions.change",
        "destroy": "interactions.change",
    }

    def get_queryset(self):
        return (
            selectors.visible_interactions(self.request.user)
            .select_related("customer", "contact", "user")
            .order_by("-occurred_at", "-id")
        )

    def unfiltered_count(self) -> int | None:
        return selectors.interaction_count(user=self.request.user, include_archived=True)

    def create_record(self, data: dict[str, Any]) -> Interaction:
        data = dict(data)
        customer = data.pop("customer")
        require(self.request.user, "interactions.add", customer)
        return services.interaction_log(actor=self.request.user, customer=customer, data=data)

    def update_record(self, instance: Interaction, data: dict[str, Any]) -> Interaction:
        return services.interaction_update(
            actor=self.request.user, interaction=instance, data=data, expected_version=self.expected_version()
        )

    def archive_record(self, instance: Interaction) -> None:
        services.interaction_archive(actor=self.request.user, interaction=instance)


routes = [
    ("customers", CustomerViewSet, "customer"),
    ("contacts", ContactViewSet, "contact"),
    ("interactions", InteractionViewSet, "interaction"),
]
