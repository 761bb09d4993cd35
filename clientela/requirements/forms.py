"""Requirement forms (the rules themselves live in the model and the services)."""

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from clientela.contracts.models import Contract, Deliverable
from clientela.core.attachments import ACCEPT
from clientela.core.forms import DateInput, VersionedFormMixin
from clientela.customers.models import Contact

from .models import NOTE_MAX, Requirement
from .selectors import contract_choices, traceable_deliverables, traceable_requirements

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


def _contract_label(contract: Contract) -> str:
    return f"{contract.number} · {contract.title} ({contract.get_status_display().lower()})"


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
            "contract",
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
            # Choosing the customer reloads its contracts (the view sets hx-get).
            field.widget.attrs.update(
                {"hx-target": "#customer-dependent", "hx-select": "#customer-dependent", "hx-swap": "outerHTML"}
            )
        self.fields["contract"].queryset = contract_choices(
            customer_id=self._customer_id(), current=self.instance.contract_id
        )
        self.fields["contract"].label_from_instance = _contract_label
        if frozen:
            # Settled content changes through a new version; only the source and the contract change here.
            for name in ("title", "kind", "priority", "description", "acceptance_criteria"):
                self.fields[name].disabled = True
        _live_clarity(self)

    def _customer_id(self) -> int | None:
        if self.instance.customer_id:
            return self.instance.customer_id
        raw = (self.data.get("customer") if self.is_bound else None) or self.initial.get("customer")
        try:
            return int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            return None


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


class TraceForm(VersionedFormMixin, forms.ModelForm):
    """Which deliverables of the customer's contracts satisfy the requirement."""

    class Meta:
        model = Requirement
        fields = ["deliverables"]
        widgets = {"deliverables": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["deliverables"]
        field.queryset = traceable_deliverables(self.instance)
        field.label_from_instance = lambda d: (
            _("%(description)s · due %(date)s · %(status)s")
            % {
                "description": d.description,
                "date": formats.date_format(d.due_date, "SHORT_DATE_FORMAT"),
                "status": d.get_status_display().lower(),
            }
        )

    def groups(self) -> list[dict[str, Any]]:
        """The options by contract, the requirement's own contract first, for one fieldset each."""
        groups: dict[int, dict[str, Any]] = {}
        for option in self["deliverables"]:
            deliverable = option.data["value"].instance
            group = groups.setdefault(
                deliverable.contract_id, {"contract": deliverable.contract, "options": [], "checked": 0}
            )
            group["options"].append(option)
            group["checked"] += bool(option.data["selected"])
        return list(groups.values())


class DeliverableTraceForm(forms.Form):
    """Which requirements of the customer a deliverable satisfies."""

    requirements = forms.ModelMultipleChoiceField(
        label=_("Requirements it satisfies"),
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, deliverable: Deliverable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deliverable = deliverable
        field = self.fields["requirements"]
        field.queryset = traceable_requirements(deliverable)
        field.label_from_instance = lambda r: (
            f"{r.number} · {r.title} ({r.get_priority_display().lower()}, {r.get_status_display().lower()})"
        )
        if not self.is_bound:
            self.initial["requirements"] = [r.pk for r in field.queryset if r.is_traced]

    def groups(self) -> list[dict[str, Any]]:
        """This contract's requirements first, then the customer's others."""
        own: list[Any] = []
        others: list[Any] = []
        for option in self["requirements"]:
            requirement = option.data["value"].instance
            (own if requirement.contract_id == self.deliverable.contract_id else others).append(option)
        return [
            group
            for group in (
                {"label": _("Requirements of this contract"), "options": own},
                {"label": _("Other requirements of the customer"), "options": others},
            )
            if group["options"]
        ]
