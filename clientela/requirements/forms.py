"""Requirement forms (the rules themselves live in the model and the services)."""

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.attachments import ACCEPT
from clientela.core.forms import DateInput, VersionedFormMixin
from clientela.customers.models import Contact

from .models import NOTE_MAX, Requirement

CLARITY_FIELDS = ("title", "description", "acceptance_criteria", "source_reference")


def _live_clarity(form: forms.Form) -> None:
    """While typing, the texts are checked for vague words (HTMX, after a short pause)."""
    url = reverse("requirements:clarity")
    for name in CLARITY_FIELDS:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {
                    "hx-post": url,
                    "hx-trigger": "input changed delay:500ms",
                    "hx-target": "#clarity",
                    "hx-swap": "innerHTML",
                    "hx-sync": "closest form:replace",
                }
            )


class RequirementForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Requirement
        fields = [
            "customer",
            "title",
            "kind",
            "priority",
            "source",
            "source_reference",
            "description",
            "acceptance_criteria",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "acceptance_criteria": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, customers: Any = None, frozen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["customer"]
        if self.instance.pk or customers is None:
            del self.fields["customer"]
        else:
            field.queryset = customers
        if frozen:
            # Settled content changes through a new version; only the source can be completed here.
            for name in ("title", "kind", "priority", "description", "acceptance_criteria"):
                self.fields[name].disabled = True
        _live_clarity(self)


class NewVersionForm(VersionedFormMixin, forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_MAX,
        help_text=_("What the customer asked for, or what was found; it is sent to the people concerned."),
    )

    class Meta:
        model = Requirement
        fields = ["title", "kind", "priority", "source", "source_reference", "description", "acceptance_criteria"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "acceptance_criteria": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["change_reason", *self.Meta.fields])
        _live_clarity(self)


class ConfirmationForm(VersionedFormMixin, forms.ModelForm):
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("The customer's e-mail, the signed document or the minutes: PDF, image or office file."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT["evidence"]}),
    )

    class Meta:
        model = Requirement
        fields = ["confirmed_by", "confirmed_on", "confirmation_method", "confirmation_note"]
        widgets = {"confirmed_on": DateInput(), "confirmation_note": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "confirmed_by": _("Who at the customer confirmed it"),
            "confirmed_on": _("When"),
            "confirmation_method": _("How"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contacts = Contact.objects.filter(customer_id=self.instance.customer_id, archived_at__isnull=True).order_by(
            "-is_primary", "last_name", "first_name"
        )
        self.fields["confirmed_by"].queryset = contacts
        for name in ("confirmed_by", "confirmed_on", "confirmation_method"):
            self.fields[name].required = True
        if not self.initial.get("confirmed_on"):
            self.initial["confirmed_on"] = timezone.localdate()
        self.fields["confirmed_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
