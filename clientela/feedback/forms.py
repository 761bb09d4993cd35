"""Forms of the complaints module: staff intake, the ISO 10002 steps, the public form and the
SLA settings. Validation lives in the model and the services; these only shape the input."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core import calendar as cal
from clientela.core.forms import DateInput, DateTimeInput, VersionedFormMixin
from clientela.core.models import BusinessCalendar, CalendarDay
from clientela.core.permissions import has_perm
from clientela.customers.models import Contact, Customer
from clientela.customers.selectors import search_customers

from . import services
from .models import Category, Feedback, SlaTarget
from .selectors import category_choices

CUSTOMER_MATCHES = 20


class CustomerSearchInput(forms.TextInput):
    """A search box that narrows the customer list below it: with JavaScript as one types (HTMX
    fetches the form again and swaps in its customer list), without it through the Search button
    (the form comes back with what was typed, and nothing is saved)."""

    input_type = "search"
    template_name = "feedback/widgets/customer_search.html"

    def __init__(self) -> None:
        super().__init__(
            attrs={
                "autocomplete": "off",
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#id_customer",
                "hx-select": "#id_customer",
                "hx-swap": "outerHTML",
            }
        )


TEXT = {"rows": 3}


class FeedbackForm(VersionedFormMixin, forms.ModelForm):
    """Staff intake (any channel, with the real date of receipt) and later corrections."""

    class Meta:
        model = Feedback
        fields = [
            "kind",
            "received_at",
            "channel",
            "customer",
            "contact",
            "submitter_name",
            "submitter_organisation",
            "submitter_email",
            "submitter_phone",
            "subject",
            "description",
            "remedy_sought",
            "category",
            "severity",
            "assigned_to",
        ]
        widgets = {
            "received_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "remedy_sought": forms.Textarea(attrs=TEXT),
        }

    customer_search = forms.CharField(
        label=_("Find the customer"),
        required=False,
        max_length=100,
        widget=CustomerSearchInput(),
        help_text=_("Part of the name, code or tax ID; then choose the customer in the list below."),
    )
    field_order = ["kind", "received_at", "channel", "customer_search", "customer"]

    def __init__(self, *args: Any, user: Any, search_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choices offered are the search's matches (and the customer already chosen), never the
        # whole customer base: the field still accepts any customer that is not archived.
        self.fields["customer"].queryset = Customer.objects.filter(archived_at__isnull=True).order_by("name")
        customer_id = self.data.get("customer") or self.initial.get("customer") or self.instance.customer_id
        term = str(self.data.get("customer_search") or self.initial.get("customer_search") or "").strip()
        offered = list(search_customers(query=term, limit=CUSTOMER_MATCHES)) if term else []
        if str(customer_id or "").isdigit() and all(c.pk != int(customer_id) for c in offered):
            offered = list(Customer.objects.filter(pk=customer_id, archived_at__isnull=True)) + offered
        blank = _("Search for the customer first") if not offered else "---------"
        self.fields["customer"].widget.choices = [("", blank)] + [(c.pk, c.name) for c in offered]
        self.fields["customer_search"].widget.attrs["hx-get"] = search_url
        contacts = Contact.objects.filter(archived_at__isnull=True).select_related("customer")
        self.fields["contact"].queryset = (
            contacts.filter(customer_id=customer_id) if str(customer_id or "").isdigit() else contacts.none()
        )
        self.fields["contact"].help_text = _("The contacts of the chosen customer (save once to list them).")
        self.fields["category"].queryset = category_choices()
        self.fields["assigned_to"].queryset = services.workers()
        if self.instance.pk:
            del self.fields["kind"]
            del self.fields["assigned_to"]
            if self.instance.status != Feedback.Status.RECEIVED:
                self.fields["received_at"].disabled = True
        else:
            self.fields["received_at"].required = False
            self.fields["received_at"].help_text = _("Leave blank for now. The SLA clock counts from this moment.")
            if not has_perm(user, "feedback.assign"):
                del self.fields["assigned_to"]


class AssessmentForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Feedback.Severity.choices)
    impact = forms.CharField(label=_("Impact"), widget=forms.Textarea(attrs=TEXT), required=False)
    immediate_action_needed = forms.BooleanField(label=_("Needs immediate action"), required=False)
    immediate_action = forms.CharField(
        label=_("Immediate action taken"), widget=forms.Textarea(attrs=TEXT), required=False
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)

    def __init__(self, *args: Any, label: Any = None, required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["note"].label = label
        self.fields["note"].required = required


class ResolveForm(forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs=TEXT), required=False)
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs=TEXT), required=False)
    response_to_customer = forms.CharField(
        label=_("Response to the customer"),
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        help_text=_("The decision as it is communicated to the customer."),
    )

    def __init__(self, *args: Any, feedback: Feedback, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if feedback.kind != Feedback.Kind.COMPLAINT:
            del self.fields["root_cause"]
            self.fields["resolution"].label = _("What will be done")
        for name, field in self.fields.items():
            field.initial = getattr(feedback, name)


class RejectForm(forms.Form):
    rejection_reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs=TEXT), required=False)
    response_to_customer = forms.CharField(
        label=_("Response to the customer"), widget=forms.Textarea(attrs=TEXT), required=False
    )


class CloseForm(forms.Form):
    response_to_customer = forms.CharField(
        label=_("Thanks sent to the customer"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AnswerForm(forms.Form):
    customer_accepted = forms.TypedChoiceField(
        label=_("The customer"),
        choices=[("yes", _("accepts the answer")), ("no", _("does not accept the answer"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    customer_decision_note = forms.CharField(
        label=_("What the customer said"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = services.workers()


def step_form(feedback: Feedback, target: str, data: Any = None) -> forms.Form | None:
    """The facts a step asks for (None: the step is one click)."""
    S = Feedback.Status
    if target == S.ACKNOWLEDGED:
        return None
    if target == S.IN_ANALYSIS and feedback.status == S.ACKNOWLEDGED:
        return AssessmentForm(data, initial={"severity": feedback.severity}, prefix="assess")
    if target == S.IN_ANALYSIS and feedback.status == S.WAITING_CUSTOMER:
        return None
    if target == S.IN_ANALYSIS:
        return NoteForm(data, label=_("Why is it reopened?"), required=True, prefix="reopen")
    if target == S.WAITING_CUSTOMER:
        return NoteForm(data, label=_("What has the customer been asked for?"), required=True, prefix="wait")
    if target == S.RESOLVED:
        return ResolveForm(data, feedback=feedback, prefix="resolve")
    if target == S.REJECTED:
        return RejectForm(data, prefix="reject")
    if target == S.CLOSED and feedback.kind == Feedback.Kind.COMPLIMENT:
        return CloseForm(data, prefix="close")
    return None


# --- public form ----------------------------------------------------------------------------------


class PublicFeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like to send us?"),
        choices=Feedback.Kind.choices,
        initial=Feedback.Kind.COMPLAINT,
        widget=forms.RadioSelect,
    )
    submitter_name = forms.CharField(label=_("Your name"), max_length=150)
    submitter_organisation = forms.CharField(label=_("Company or organisation"), max_length=200, required=False)
    submitter_email = forms.EmailField(
        label=_("Your e-mail"), help_text=_("We send the reference number and our answer here.")
    )
    submitter_phone = forms.CharField(label=_("Your phone"), max_length=40, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Tell us what happened"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )
    remedy_sought = forms.CharField(
        label=_("What would you like us to do?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    privacy = forms.BooleanField(
        label=_("I agree that my data are used to handle this message, as the privacy notice explains."),
        error_messages={"required": _("We need your agreement to handle your message.")},
    )
    # Left empty by people (it is hidden from them); bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class StatusLookupForm(forms.Form):
    number = forms.CharField(label=_("Reference number"), max_length=20, help_text=_("For example QJ-2026-0001."))
    email = forms.EmailField(label=_("The e-mail you gave us"))


# --- settings -------------------------------------------------------------------------------------


class CalendarForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "country", "subdivision"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        week = cal.week_from_json(self.instance.hours)
        for day, label in enumerate(cal.WEEKDAYS):
            self.fields[f"day_{day}"] = forms.CharField(
                label=label,
                required=False,
                initial=cal.format_intervals(week[day]),
                help_text=_("For example 09:00-14:00, 15:00-18:00; blank: not worked."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        week = {}
        for day in range(7):
            try:
                week[day] = cal.parse_intervals(data.get(f"day_{day}", ""))
            except forms.ValidationError as exc:
                self.add_error(f"day_{day}", exc)
        if not self.errors and not any(week.values()):
            raise forms.ValidationError(_("At least one day of the week must have working hours."))
        data["hours"] = cal.week_to_json(week)
        return data


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "name", "kind"]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class SlaTargetForm(forms.ModelForm):
    class Meta:
        model = SlaTarget
        fields = ["acknowledge_hours", "resolve_hours"]


SlaTargetFormSet = forms.modelformset_factory(SlaTarget, form=SlaTargetForm, extra=0)
CategoryFormSet = forms.modelformset_factory(Category, fields=["name", "position", "is_active"], extra=2)
