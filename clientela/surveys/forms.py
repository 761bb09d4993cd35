"""Forms of the surveys module. They collect input; the rules live in validation.py and the services."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.core.forms import DateInput, DateTimeInput, VersionedFormMixin
from clientela.core.permissions import ACCOUNT_MANAGER, QUALITY, SALES_MANAGER
from clientela.customers.models import Contact

from .models import SCALES, FollowUp, Question, Survey, SurveyResponse
from .validation import MAX_TEXT_ANSWER, AnswerErrors

# --- building surveys -------------------------------------------------------------------------


class SurveyForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "title",
            "language",
            "touchpoint",
            "counts_toward_sc",
            "introduction",
            "thanks_message",
            "trigger",
            "trigger_days",
            "followup_threshold",
            "invitation_days",
            "reminder_days",
            "frequency_cap_days",
        ]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 3}),
            "thanks_message": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.first_published_at:
            self.fields["language"].disabled = True
            self.fields["language"].help_text = _("A published survey keeps its language: its questions are in it.")


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For questions with options: one option per line."),
    )
    required = forms.BooleanField(label=pgettext_lazy("question", "Required"), required=False, initial=True)
    is_headline = forms.BooleanField(
        label=_("Headline satisfaction question"),
        required=False,
        help_text=_("The answer that measures satisfaction: SC, follow-ups and the 360° view use it."),
    )
    satisfied_min = forms.IntegerField(
        label=_("Satisfied from"),
        required=False,
        help_text=_("Blank: 4 on 1–5, 6 on 1–7, 7 on 0–10."),
    )
    show_if_question = forms.ModelChoiceField(
        label=_("Show only if question"),
        queryset=Question.objects.none(),
        required=False,
        empty_label=_("Always show"),
    )
    show_if_values = forms.CharField(
        label=_("has one of these answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One answer per line, as the customer would choose it (a number, an option, yes or no)."),
    )

    def __init__(self, *args: Any, earlier: Any = None, question: Question | None = None, **kwargs: Any) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": question.kind,
                "text": question.text,
                "help_text": question.help_text,
                "choices": "\n".join(question.choices or []),
                "required": question.required,
                "is_headline": question.is_headline,
                "satisfied_min": question.satisfied_min,
                "show_if_question": question.show_if_question_id,
                "show_if_values": "\n".join(_value_text(v) for v in question.show_if_values or []),
            }
        super().__init__(*args, **kwargs)
        self.fields["show_if_question"].queryset = earlier if earlier is not None else Question.objects.none()
        self.fields["show_if_question"].label_from_instance = lambda q: f"{q.position}. {q.text[:80]}"

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = data.get("choices", "").splitlines()
        data["show_if_values"] = [line for line in data.get("show_if_values", "").splitlines() if line.strip()]
        return data


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


# --- answering ----------------------------------------------------------------------------------


def scale_anchors(question: Question) -> tuple[str, str]:
    """The words at both ends of a scale, in the active language (the survey's on public pages)."""
    if question.kind == Question.Kind.NPS:
        return str(_("Not at all likely")), str(_("Extremely likely"))
    if question.kind == Question.Kind.CES:
        return str(_("Very difficult")), str(_("Very easy"))
    return str(_("Very dissatisfied")), str(_("Very satisfied"))


class AnswerForm(forms.Form):
    """The questions of one survey version as a form. It only collects what was chosen or typed;
    the services decide what is valid, and their errors come back onto the questions here."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[self.field_name(question)] = self._field_for(question)

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q_{question.pk}"

    def _field_for(self, question: Question) -> forms.Field:
        label = question.text
        if question.kind in SCALES:
            return forms.ChoiceField(
                label=label,
                required=False,
                choices=[(str(v), str(v)) for v in question.scale_values],
                widget=forms.RadioSelect,
            )
        if question.kind == Question.Kind.YES_NO:
            return forms.ChoiceField(
                label=label, required=False, choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect
            )
        if question.kind == Question.Kind.SINGLE_CHOICE:
            return forms.ChoiceField(
                label=label, required=False, choices=[(o, o) for o in question.choices], widget=forms.RadioSelect
            )
        if question.kind == Question.Kind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[(o, o) for o in question.choices],
                widget=forms.CheckboxSelectMultiple,
            )
        return forms.CharField(
            label=label,
            required=False,
            max_length=MAX_TEXT_ANSWER,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT_ANSWER}),
        )

    def raw_answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(self.field_name(q)) for q in self.questions}

    def show_errors(self, exc: AnswerErrors) -> None:
        for question, messages in exc.by_question.items():
            name = self.field_name(question)
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)

    def items(self) -> list[dict[str, Any]]:
        """What the template needs per question: the field, its current value(s) and the skip rule."""
        by_id = {q.pk: q for q in self.questions}
        out = []
        for question in self.questions:
            bound = self[self.field_name(question)]
            value = bound.value()
            selected = [str(v) for v in value] if isinstance(value, list | tuple) else ([str(value)] if value else [])
            depends = by_id.get(question.show_if_question_id) if question.show_if_question_id else None
            out.append(
                {
                    "question": question,
                    "field": bound,
                    "name": bound.html_name,
                    "id": bound.auto_id,
                    "selected": selected,
                    "text_value": value if isinstance(value, str) else "",
                    "options": [(str(k), str(v)) for k, v in bound.field.choices]
                    if hasattr(bound.field, "choices")
                    else [],
                    "anchors": scale_anchors(question) if question.kind in SCALES else None,
                    "is_scale": question.kind in SCALES,
                    "is_multiple": question.kind == Question.Kind.MULTIPLE_CHOICE,
                    "is_text": question.kind == Question.Kind.TEXT,
                    "depends_on": depends,
                    "depends_field": self.field_name(depends) if depends else "",
                    "depends_values": [_show_value(v) for v in question.show_if_values or []],
                    "depends_labels": [_value_text(v) for v in question.show_if_values or []],
                }
            )
        return out


def _show_value(value: Any) -> str:
    """How a skip-logic value appears in the form's submitted data."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class OpenLinkTrapForm(forms.Form):
    """A field people never see: automated form fillers fill it and are ignored."""

    website = forms.CharField(required=False)


class StaffResponseForm(forms.Form):
    """Who answered, how and when, for answers taken by phone, on paper or in person."""

    CHANNELS = [
        (c.value, c.label)
        for c in SurveyResponse.Channel
        if c not in (SurveyResponse.Channel.EMAIL, SurveyResponse.Channel.KIOSK)
    ]

    contact = forms.ModelChoiceField(label=_("Contact"), queryset=None, required=False, empty_label=_("—"))
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS, initial=SurveyResponse.Channel.PHONE)
    submitted_at = forms.DateTimeField(
        label=_("Answered at"), widget=DateTimeInput(), help_text=_("When the customer really answered.")
    )
    incomplete = forms.BooleanField(
        label=_("Save even if required questions are unanswered (incomplete response)"),
        required=False,
        help_text=_("Incomplete responses are kept but do not count in the results or in SC."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, customer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (
            Contact.objects.filter(customer=customer, archived_at__isnull=True) if customer else Contact.objects.none()
        )
        if customer is None:
            del self.fields["contact"]
        if not self.is_bound:
            self.initial.setdefault("submitted_at", timezone.localtime().replace(second=0, microsecond=0))


# --- follow-ups -----------------------------------------------------------------------------


class FollowUpForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["assigned_to", "due_date", "notes"]
        widgets = {"due_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[ACCOUNT_MANAGER, SALES_MANAGER, QUALITY])
            .distinct()
            .order_by("first_name", "last_name")
        )


class FollowUpTransitionForm(forms.Form):
    to = forms.ChoiceField(choices=FollowUp.Status.choices, widget=forms.HiddenInput)
    resolution = forms.CharField(
        label=_("What was done with the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VoidForm(forms.Form):
    note = forms.CharField(
        label=_("Why is this response withdrawn?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportPeriodForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        help_text=_("A quarter (2026-Q3), a month (2026-09) or a year (2026)."),
        widget=forms.TextInput(attrs={"list": "period-options", "autocomplete": "off", "inputmode": "text"}),
    )
