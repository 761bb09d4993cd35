"""Customer, contact and interaction forms (validation itself lives in the models' clean())."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DateTimeInput, VersionedFormMixin
from clientela.core.listing import QuickSelect
from clientela.core.permissions import has_perm

from .models import Contact, Customer, Interaction
from .selectors import account_manager_choices


class CustomerForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "kind",
            "code",
            "tax_id",
            "country",
            "status",
            "email",
            "phone",
            "segment",
            "account_manager",
            "address",
            "notes",
        ]
        widgets = {
            "segment": forms.TextInput(attrs={"list": "segment-options", "autocomplete": "off"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account_manager"]
        field.queryset = account_manager_choices()
        if not has_perm(user, "customers.assign"):
            field.disabled = True
            field.help_text = _("Only a sales manager can assign customers to another account manager.")
            if not self.instance.pk:
                self.initial["account_manager"] = user.pk

    def _post_clean(self) -> None:
        """Put the typed values on the instance and run the model's own clean(): tax ID and phone
        are normalised and their errors shown on their fields. The field, uniqueness and constraint
        checks are the service's: customer_create/customer_update validate the whole record and the
        view shows on this form what they refuse. Checking here as well ran each check twice."""
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.clean()
        except ValidationError as exc:
            self._update_errors(exc)


class ContactForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "position",
            "email",
            "phone",
            "is_primary",
            "survey_consent",
            "survey_legal_basis",
            "marketing_consent",
        ]


class InteractionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["channel", "direction", "occurred_at", "contact", "subject", "notes"]
        # Shown on every 360° page (the quick "log interaction" form): selects rendered in Python.
        widgets = {
            "channel": QuickSelect,
            "direction": QuickSelect,
            "contact": QuickSelect,
            "occurred_at": DateTimeInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            customer_id=self.instance.customer_id, archived_at__isnull=True
        )
        if not self.instance.pk and not self.initial.get("occurred_at"):
            self.initial["occurred_at"] = timezone.localtime().replace(second=0, microsecond=0)
