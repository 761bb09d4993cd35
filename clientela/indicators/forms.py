"""Forms of the indicators module (the rules themselves live in the services and models)."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DateInput, VersionedFormMixin
from clientela.core.periods import Period
from clientela.customers.selectors import account_manager_choices, segment_choices

from . import risk_signals
from .models import DocumentVersion, IndicatorResult, ManagementReview, ReviewDecision, RiskOpportunity
from .selectors import period_or_error


def staff_choices():
    return get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct().order_by("first_name")


class PeriodField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Period"))
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("help_text", _("A quarter (2026-Q3), a month (2026-09) or a year (2026)."))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Period | None:
        text = super().clean(value)
        return period_or_error(text) if text else None


class DashboardFilterForm(forms.Form):
    period = PeriodField(required=False, widget=forms.TextInput(attrs={"list": "period-options", "size": 9}))
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    account_manager = forms.TypedChoiceField(label=_("Account manager"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = [("", _("All"))] + [(s, s) for s in segment_choices()]
        self.fields["account_manager"].choices = [("", _("Anyone"))] + [
            (u.pk, str(u)) for u in account_manager_choices()
        ]


class AnalysisForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = IndicatorResult
        fields = ["analysis", "plan_reference"]
        widgets = {"analysis": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "analysis": _("Causes found and the resources reviewed (PSC 004 §4.1, Plan de Acción)."),
            "plan_reference": _("Number of the improvement or corrective plan, for example PA-2026-0007."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["analysis"].required = True


class ReviewCreateForm(forms.Form):
    period = PeriodField(label=_("Quarter"), help_text=_("For example 2026-Q3."))


class ReviewForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ManagementReview
        fields = [
            "meeting_date",
            "attendees",
            "other_attendees",
            "external_changes",
            "audit_results",
            "conclusions",
            "resources",
        ]
        widgets = {
            "meeting_date": DateInput(),
            "attendees": forms.CheckboxSelectMultiple,
            "other_attendees": forms.Textarea(attrs={"rows": 2}),
            "external_changes": forms.Textarea(attrs={"rows": 3}),
            "audit_results": forms.Textarea(attrs={"rows": 3}),
            "conclusions": forms.Textarea(attrs={"rows": 4}),
            "resources": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = staff_choices()


class DecisionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ReviewDecision
        fields = ["kind", "description", "owner", "due_date", "plan_reference"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices()


class FollowUpForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=ReviewDecision.Status.choices)
    note = forms.CharField(label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RiskForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = RiskOpportunity
        fields = [
            "code",
            "kind",
            "title",
            "description",
            "source",
            "likelihood",
            "impact",
            "strategy",
            "treatment",
            "owner",
            "review_date",
            "signal",
        ]
        widgets = {
            "review_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
            "treatment": forms.Textarea(attrs={"rows": 3}),
            "likelihood": forms.Select(),
            "impact": forms.Select(),
            "signal": forms.Select(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices()
        scale = [("", _("Not assessed"))] + [(n, str(n)) for n in range(1, 6)]
        self.fields["likelihood"].widget.choices = scale
        self.fields["impact"].widget.choices = scale
        self.fields["likelihood"].help_text = _("1 rare · 2 unlikely · 3 possible · 4 likely · 5 almost certain")
        self.fields["impact"].help_text = _("1 negligible · 2 minor · 3 moderate · 4 major · 5 severe")
        signals = [("", _("None"))] + risk_signals.choices()
        current = self.instance.signal if self.instance.pk else ""
        if current and current not in {key for key, _label in signals}:
            signals.append((current, _("%(key)s (not available yet)") % {"key": current}))
        self.fields["signal"].widget.choices = signals


class PlanLinkForm(forms.Form):
    plan_reference = forms.CharField(
        label=_("Action plan"), max_length=40, help_text=_("Its number, for example PA-2026-0007.")
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class SignalSettingsForm(forms.Form):
    late_interaction_days = forms.IntegerField(
        label=_("An interaction is logged late after (days)"),
        min_value=0,
        max_value=60,
        help_text=_("Days between the interaction and its record in the system."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config = risk_signals.configuration()
        self.initial.setdefault("late_interaction_days", risk_signals.late_interaction_days(config))
        for provider in risk_signals.providers():
            name = f"threshold_{provider.key}"
            self.fields[name] = forms.DecimalField(
                label=_("Threshold: %(signal)s") % {"signal": provider.label},
                min_value=0,
                max_digits=9,
                decimal_places=2,
            )
            self.initial.setdefault(name, risk_signals.threshold_for(provider, config))

    def thresholds(self) -> dict[str, Any]:
        return {
            name.removeprefix("threshold_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("threshold_")
        }


class VersionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = DocumentVersion
        fields = ["change_summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "class": "document-editor"})}
        help_texts = {"change_summary": _("What changes and why (the “Asiento” of the version history).")}
