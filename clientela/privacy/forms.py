"""Forms for data-subject requests and legal holds."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from clientela.core.forms import DateInput, DateTimeInput
from clientela.customers.models import Contact, Customer

from .models import DataSubjectRequest


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Right exercised"), choices=DataSubjectRequest.Kind.choices)
    country = CountryField(blank=False).formfield(
        label=_("Legal profile"), initial="ES", help_text=_("Decides the legal deadline.")
    )
    customer_code = forms.CharField(
        label=_("Customer code"), required=False, help_text=_("For a person-customer, e.g. CLI-000123.")
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"), required=False, help_text=_("For a contact person at a customer.")
    )
    requester_name = forms.CharField(label=_("Requester"), max_length=200, required=False)
    requester_email = forms.EmailField(label=_("Requester e-mail"), required=False)
    received_at = forms.DateTimeField(label=_("Received"), widget=DateTimeInput())
    details = forms.CharField(label=_("What the person asks"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        code = (data.get("customer_code") or "").strip().upper()
        email = (data.get("contact_email") or "").strip().lower()
        data["customer"] = data["contact"] = None
        if code:
            data["customer"] = Customer.objects.filter(code=code).first()
            if data["customer"] is None:
                self.add_error("customer_code", _("No customer has this code."))
        if email:
            contacts = Contact.objects.filter(email=email)
            if data.get("customer") is not None:
                contacts = contacts.filter(customer=data["customer"])
            data["contact"] = contacts.first()
            if data["contact"] is None:
                self.add_error("contact_email", _("No contact has this e-mail."))
        if not code and not email and not data.get("requester_email"):
            raise forms.ValidationError(_("Say who the request is about: a customer, a contact or at least an e-mail."))
        return data


class IdentityForm(forms.Form):
    identity_method = forms.CharField(
        label=_("How the identity was checked"),
        max_length=200,
        help_text=_("E.g. copy of the ID card seen in person, signed e-mail from the known address."),
    )


class BlockForm(forms.Form):
    until = forms.DateField(
        label=_("Blocked until"),
        widget=DateInput(),
        help_text=_("End of the period in which claims can still be made."),
    )


class ResolutionForm(forms.Form):
    to = forms.ChoiceField(choices=DataSubjectRequest.Status.choices, widget=forms.HiddenInput)
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class HoldForm(forms.Form):
    customer_code = forms.CharField(label=_("Customer code"))
    reason = forms.CharField(label=_("Reason"), max_length=255)
    until = forms.DateField(
        label=_("Until"), widget=DateInput(), required=False, help_text=_("Leave blank for an indefinite hold.")
    )

    def clean_customer_code(self) -> Customer:
        customer = Customer.objects.filter(code=self.cleaned_data["customer_code"].strip().upper()).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this code."))
        return customer
