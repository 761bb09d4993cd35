"""Forms of action plans: the plan, its structured root-cause analysis (5 whys, Ishikawa 6M), its
actions and the effectiveness verification."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import DateInput, VersionedFormMixin
from clientela.customers.models import Customer

from .models import MAX_WHYS, Action, ActionPlan, IshikawaCategory
from .selectors import owner_choices

TEXT = {"rows": 3}


class PlanForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = [
            "kind",
            "origin",
            "title",
            "customer",
            "problem",
            "containment",
            "owner",
            "due_date",
            "effectiveness_criterion",
            "verification_due",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "containment": forms.Textarea(attrs=TEXT),
            "effectiveness_criterion": forms.Textarea(attrs=TEXT),
            "due_date": DateInput(),
            "verification_due": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(archived_at__isnull=True).order_by("name")
        self.fields["owner"].queryset = owner_choices()
        self.fields["owner"].required = True
        if self.instance.pk:
            del self.fields["kind"]
            if self.instance.source_content_type_id:
                del self.fields["origin"]


class AnalysisForm(VersionedFormMixin, forms.ModelForm):
    """Root cause, correction and consequences; the 5 whys and the 6M are built from row fields."""

    class Meta:
        model = ActionPlan
        fields = [
            "root_cause_method",
            "root_cause",
            "correction",
            "consequences",
            "similar_cases_checked",
            "similar_cases",
            "risk_update_needed",
        ]
        widgets = {
            "root_cause": forms.Textarea(attrs=TEXT),
            "correction": forms.Textarea(attrs=TEXT),
            "consequences": forms.Textarea(attrs=TEXT),
            "similar_cases": forms.Textarea(attrs=TEXT),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        whys = list(self.instance.five_whys or [])
        # Five rows to start with (the method's name), one more than used once they are filled.
        rows = min(MAX_WHYS, max(5, len(whys) + 1))
        self.why_rows = []
        for i in range(rows):
            pair = whys[i] if i < len(whys) else {}
            why = forms.CharField(
                label=_("Why? (%(n)s)") % {"n": i + 1}, required=False, max_length=500, initial=pair.get("why", "")
            )
            answer = forms.CharField(
                label=_("Because… (%(n)s)") % {"n": i + 1},
                required=False,
                max_length=1000,
                initial=pair.get("answer", ""),
            )
            self.fields[f"why_{i}"], self.fields[f"answer_{i}"] = why, answer
            self.why_rows.append((f"why_{i}", f"answer_{i}"))
        ishikawa = self.instance.ishikawa or {}
        for code, label in IshikawaCategory.choices:
            self.fields[f"m_{code}"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial="\n".join(ishikawa.get(code, [])),
                help_text=_("One cause per line."),
            )

    def why_fields(self) -> list[tuple[Any, Any]]:
        return [(self[w], self[a]) for w, a in self.why_rows]

    def ishikawa_fields(self) -> list[Any]:
        return [self[f"m_{code}"] for code in IshikawaCategory.values]

    def plain_fields(self) -> list[Any]:
        return [self[name] for name in self.Meta.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["five_whys"] = [
            {"why": data.get(w, ""), "answer": data.get(a, "")} for w, a in self.why_rows if data.get(w) or data.get(a)
        ]
        data["ishikawa"] = {code: (data.get(f"m_{code}") or "").splitlines() for code in IshikawaCategory.values}
        return data


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)


class VerificationForm(forms.Form):
    method = forms.CharField(
        label=_("Verification method"),
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("How the effectiveness was checked (records reviewed, indicator, audit, survey…)."),
    )
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs=TEXT))
    result = forms.ChoiceField(label=_("Result"), choices=ActionPlan.Result.choices, widget=forms.RadioSelect)
    follow_up = forms.BooleanField(
        label=_("If not effective, close it and open a follow-up plan (instead of reopening it)"), required=False
    )


class ActionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["description", "owner", "due_date", "evidence"]
        widgets = {
            "description": forms.Textarea(attrs=TEXT),
            "evidence": forms.Textarea(attrs=TEXT),
            "due_date": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()
        if not self.instance.pk:
            del self.fields["evidence"]


class ActionDoneForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        help_text=_("What was done and how it can be checked; you can also attach files."),
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
