"""Forms of the contracts module (the rules themselves live in the models' clean() and the services)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.attachments import ACCEPT, validate_upload
from clientela.core.forms import DateInput, VersionedFormMixin
from clientela.customers.models import Contact
from clientela.customers.selectors import account_manager_choices

from . import selectors
from .models import Contract, ContractReview, Deliverable, Delivery, RecurringObligation, Regulation


class ContractForm(VersionedFormMixin, forms.ModelForm):
    regulations = forms.ModelMultipleChoiceField(
        label=_("Applicable regulations"),
        queryset=Regulation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Laws, regulations and standards the contract must comply with."),
    )

    class Meta:
        model = Contract
        fields = [
            "customer",
            "contact",
            "title",
            "kind",
            "number",
            "start_date",
            "end_date",
            "value",
            "currency",
            "owner",
            "renews",
            "regulations",
            "terms",
            "notes",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "terms": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "value": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        customers = selectors.customers_for_contracts(user=user)
        self.fields["customer"].queryset = customers
        # Choosing the customer reloads its contacts and earlier contracts (the view sets hx-get).
        self.fields["customer"].widget.attrs.update(
            {"hx-target": "#customer-dependent", "hx-select": "#customer-dependent", "hx-swap": "outerHTML"}
        )
        customer_id = self._customer_id()
        self.fields["contact"].queryset = Contact.objects.filter(customer_id=customer_id, archived_at__isnull=True)
        self.fields["renews"].queryset = selectors.renewable_contracts(
            customer_id=customer_id, exclude=self.instance.pk
        )
        self.fields["owner"].queryset = account_manager_choices()
        self.fields["regulations"].queryset = Regulation.objects.filter(archived_at__isnull=True).order_by("code")
        self.fields["regulations"].label_from_instance = lambda r: f"{r.code} · {r.title}"
        if self.instance.pk:
            self.initial["regulations"] = list(self.instance.regulations.values_list("pk", flat=True))
            if not self.instance.is_editable_commitment:
                self.fields["customer"].disabled = True
        elif not self.initial.get("owner"):
            self.initial["owner"] = user.pk

    def _customer_id(self) -> int | None:
        raw = self.data.get("customer") if self.is_bound else None
        raw = raw or self.initial.get("customer") or self.instance.customer_id
        try:
            return int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            return None


class ReviewForm(forms.ModelForm):
    class Meta:
        model = ContractReview
        fields = [*ContractReview.CHECKS, "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"notes": _("Notes of the review")}


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Contract.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DeliverableForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Deliverable
        fields = ["description", "due_date", "acceptance_criteria", "responsible", "team"]
        widgets = {
            "due_date": DateInput(),
            "acceptance_criteria": forms.Textarea(attrs={"rows": 3}),
            "team": forms.TextInput(attrs={"list": "team-options", "autocomplete": "off"}),
        }


class RecurringObligationForm(forms.ModelForm):
    class Meta:
        model = RecurringObligation
        fields = ["description", "frequency", "first_due_date", "acceptance_criteria", "responsible", "team"]
        widgets = {
            "first_due_date": DateInput(),
            "acceptance_criteria": forms.Textarea(attrs={"rows": 3}),
            "team": forms.TextInput(attrs={"list": "team-options", "autocomplete": "off"}),
        }


class CancelDeliverableForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for cancelling"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    to = forms.ChoiceField(choices=[("cancelled", "cancelled"), ("pending", "pending")], widget=forms.HiddenInput)
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DeliveryForm(VersionedFormMixin, forms.ModelForm):
    """Records a delivery; carries the deliverable's edit version so a double submission is caught."""

    deliverable_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("Delivery note, signed acceptance, photo, report…"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT["evidence"]}),
    )

    class Meta:
        model = Delivery
        fields = ["delivered_on", "conforming", "nonconformity", "severity", "notes"]
        widgets = {
            "delivered_on": DateInput(),
            "nonconformity": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, deliverable: Deliverable | None = None, with_evidence: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("delivered_on", timezone.localdate())
            if deliverable is not None:
                self.initial.setdefault("deliverable_version", deliverable.lock_version)
        else:
            del self.fields["deliverable_version"]
        if not with_evidence:
            del self.fields["evidence"]
        self.fields["delivered_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            try:
                validate_upload(upload, "evidence")
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return upload


class RegulationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Regulation
        fields = ["code", "title", "jurisdiction", "url", "summary"]
        widgets = {
            "jurisdiction": forms.TextInput(attrs={"list": "jurisdiction-options", "autocomplete": "off"}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }


class AddRegulationForm(forms.Form):
    regulation = forms.ModelChoiceField(label=_("Regulation"), queryset=Regulation.objects.none())

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regulation"].queryset = Regulation.objects.filter(archived_at__isnull=True).exclude(
            contract_links__contract=contract
        )
